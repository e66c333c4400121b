"""Support's view of a transaction's contents, read-only: locations, contacts and roles,
named insureds, sections, coinsurance agreements and parties, towers and layers, prior
policies."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString

from policies.models import (
    CoinsuranceAgreement,
    CoinsuranceParty,
    Contact,
    Layer,
    LocationNamedInsured,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PriorPolicy,
    Tower,
)
from portal.admin_tools import (
    ViewOnlyAdmin,
    ViewOnlyInline,
    admin_link,
)

# ---------------------------------------------------------------------------
# Contents of transactions


class ContentsAdmin(ViewOnlyAdmin):
    """A transaction's child rows: listed with their transaction, searchable by it."""

    list_select_related = ["transaction"]
    list_filter = ["transaction__status"]

    @admin.display(description="Transaction", ordering="transaction__public_id")
    def transaction_link(self, row: object) -> SafeString | str:
        txn = row.transaction  # type: ignore[attr-defined]
        return admin_link(txn, txn.public_id)


@admin.register(PolicyLocation)
class PolicyLocationAdmin(ContentsAdmin):
    list_display = [
        "number",
        "address_line1",
        "city",
        "state",
        "postal_code",
        "transaction_link",
    ]
    list_filter = ["state", "transaction__status"]
    search_fields = ["transaction__public_id", "address_line1", "city", "postal_code"]


@admin.register(Contact)
class ContactAdmin(ViewOnlyAdmin):
    list_display = [
        "display_name",
        "public_id",
        "kind",
        "email",
        "account",
        "is_account_holder",
    ]
    list_filter = ["kind", "is_account_holder"]
    list_select_related = ["contractor"]
    search_fields = [
        "public_id",
        "first_name",
        "last_name",
        "company_name",
        "email",
        "contractor__public_id",
        "contractor__email",
    ]

    @admin.display(description="Account (insured)", ordering="contractor__last_name")
    def account(self, contact: Contact) -> SafeString | str:
        return admin_link(contact.contractor)


@admin.register(PolicyContactRole)
class PolicyContactRoleAdmin(ContentsAdmin):
    list_display = ["contact_link", "role", "transaction_link"]
    list_filter = ["role", "transaction__status"]
    list_select_related = ["transaction", "contact"]
    search_fields = [
        "transaction__public_id",
        "contact__public_id",
        "contact__last_name",
        "contact__company_name",
        "contact__email",
    ]

    @admin.display(description="Contact")
    def contact_link(self, role: PolicyContactRole) -> SafeString | str:
        return admin_link(role.contact, role.contact.display_name)


@admin.register(LocationNamedInsured)
class LocationNamedInsuredAdmin(ContentsAdmin):
    list_display = ["number", "contact_link", "location", "transaction_link"]
    list_select_related = ["transaction", "contact", "location"]
    search_fields = [
        "transaction__public_id",
        "contact__public_id",
        "contact__last_name",
        "contact__company_name",
    ]

    @admin.display(description="Contact")
    def contact_link(self, lni: LocationNamedInsured) -> SafeString | str:
        return admin_link(lni.contact, lni.contact.display_name)


@admin.register(PolicySection)
class PolicySectionAdmin(ContentsAdmin):
    list_display = [
        "section_type",
        "coinsurance_agreement",
        "tower",
        "transaction_link",
    ]
    list_filter = ["section_type", "transaction__status"]
    list_select_related = ["transaction", "coinsurance_agreement", "tower"]
    search_fields = ["transaction__public_id", "section_type"]


class PartyInline(ViewOnlyInline):
    model = CoinsuranceParty
    fk_name = "agreement"
    fields = readonly_fields = ("number", "producer_code", "role", "share")


@admin.register(CoinsuranceAgreement)
class CoinsuranceAgreementAdmin(ContentsAdmin):
    list_display = [
        "number",
        "transaction_link",
        "layer",
        "model",
        "our_role",
        "our_share",
        "leaders_fee",
        "policy_number_suffix",
    ]
    list_filter = ["model", "our_role", "transaction__status"]
    list_select_related = ["transaction", "layer"]
    search_fields = [
        "transaction__public_id",
        "policy_number_suffix",
        "parties__producer_code__code",
    ]
    inlines = [PartyInline]


@admin.register(CoinsuranceParty)
class CoinsurancePartyAdmin(ContentsAdmin):
    list_display = [
        "number",
        "agreement",
        "producer_code",
        "coinsurer",
        "role",
        "share",
        "transaction_link",
    ]
    list_filter = ["role", "transaction__status"]
    list_select_related = ["transaction", "agreement", "producer_code__organization"]
    search_fields = [
        "transaction__public_id",
        "producer_code__code",
        "producer_code__public_id",
        "producer_code__organization__name",
    ]

    @admin.display(
        description="Coinsurer", ordering="producer_code__organization__name"
    )
    def coinsurer(self, party: CoinsuranceParty) -> str:
        return party.producer_code.organization.name


class LayerInline(ViewOnlyInline):
    model = Layer
    fk_name = "tower"
    fields = readonly_fields = ("number", "attachment", "limit", "currency")


@admin.register(Tower)
class TowerAdmin(ContentsAdmin):
    list_display = ["number", "transaction_link"]
    search_fields = ["transaction__public_id"]
    inlines = [LayerInline]


@admin.register(Layer)
class LayerAdmin(ContentsAdmin):
    list_display = [
        "number",
        "tower",
        "attachment",
        "limit",
        "currency",
        "transaction_link",
    ]
    list_select_related = ["transaction", "tower"]
    search_fields = ["transaction__public_id"]


@admin.register(PriorPolicy)
class PriorPolicyAdmin(ContentsAdmin):
    list_display = [
        "public_id",
        "carrier",
        "policy_number",
        "effective_date",
        "expiration_date",
        "annual_premium",
        "num_losses",
        "total_losses",
        "transaction_link",
    ]
    search_fields = [
        "public_id",
        "carrier",
        "policy_number",
        "transaction__public_id",
        "transaction__policy__number",
    ]
    date_hierarchy = "effective_date"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PriorPolicy]:
        return super().get_queryset(request).select_related("transaction")

"""Support's view of policy administration.

Products, coinsurers and producer codes are reference data support may fix here.
Policies, transactions and their contents are view-only: every change to them goes
through the policies services (the underwriter workspace or the API), which apply
the rules and write the audit history shown on each policy and transaction page.
"""

from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from policies.models import (
    AuditEntry,
    CoinsuranceAgreement,
    CoinsuranceParty,
    Contact,
    Layer,
    LocationNamedInsured,
    Organization,
    Policy,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PolicyTransaction,
    PriorPolicy,
    ProducerCode,
    Product,
    Tower,
)
from portal.admin_tools import (
    ViewOnlyAdmin,
    ViewOnlyInline,
    admin_link,
    changelist_link,
)

# ---------------------------------------------------------------------------
# Reference data


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "lines",
        "section_types",
        "location_named_insureds",
        "supports_coinsurance",
        "supports_layers",
    ]
    list_filter = ["location_named_insureds", "supports_coinsurance", "supports_layers"]
    search_fields = ["name", "code"]


class ProducerCodeInline(admin.TabularInline):
    model = ProducerCode
    extra = 0
    fields = ["code", "public_id"]
    readonly_fields = ["public_id"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "public_id"]
    search_fields = ["name", "public_id", "producer_codes__code"]
    readonly_fields = ["public_id"]
    inlines = [ProducerCodeInline]


@admin.register(ProducerCode)
class ProducerCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "public_id", "organization"]
    list_select_related = ["organization"]
    list_filter = ["organization"]
    search_fields = ["code", "public_id", "organization__name"]
    readonly_fields = ["public_id"]


# ---------------------------------------------------------------------------
# Audit history


class AuditEntryInline(ViewOnlyInline):
    model = AuditEntry
    fields = [
        "created_at",
        "actor_label",
        "via",
        "action",
        "object_type",
        "object_label",
        "changes_text",
    ]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
    show_change_link = True
    verbose_name_plural = "audit history"

    @admin.display(description="Changes")
    def changes_text(self, entry: AuditEntry) -> str:
        return changes_summary(entry)


def changes_summary(entry: AuditEntry) -> str:
    return "; ".join(
        f"{c['label']}: {c['old'] if c['old'] is not None else '—'} → "
        f"{c['new'] if c['new'] is not None else '—'}"
        for c in entry.changes
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    list_display = [
        "created_at",
        "actor_label",
        "via",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "transaction_link",
        "policy_link",
    ]
    list_filter = ["via", "action", "object_type", "created_at"]
    list_select_related = ["transaction", "policy"]
    search_fields = [
        "object_id",
        "object_label",
        "actor_label",
        "transaction__public_id",
        "policy__number",
        "policy__public_id",
    ]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor_label",
        "via",
        "actor_user",
        "actor_key",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "changes_text",
        "transaction",
        "policy",
    ]
    readonly_fields = fields

    @admin.display(description="Transaction", ordering="transaction")
    def transaction_link(self, entry: AuditEntry) -> SafeString | str:
        return admin_link(
            entry.transaction,
            entry.transaction.public_id if entry.transaction else None,
        )

    @admin.display(description="Policy", ordering="policy")
    def policy_link(self, entry: AuditEntry) -> SafeString | str:
        return admin_link(entry.policy)

    @admin.display(description="Changes")
    def changes_text(self, entry: AuditEntry) -> str:
        return changes_summary(entry)


# ---------------------------------------------------------------------------
# Policies and transactions


class TransactionInline(ViewOnlyInline):
    model = PolicyTransaction
    fk_name = "policy"
    fields = ["public_id", "kind", "status", "effective_at", "created_at", "bound_at"]
    readonly_fields = fields
    ordering = ["-created_at"]


def workspace_link(url: str) -> SafeString:
    return format_html('<a href="{}">Open in the underwriter workspace</a>', url)


@admin.register(Policy)
class PolicyAdmin(ViewOnlyAdmin):
    list_display = [
        "number",
        "public_id",
        "insured",
        "platform",
        "product",
        "status",
        "effective_at",
        "expires_at",
    ]
    list_filter = ["status", "product", "platform", "auto_renew"]
    list_select_related = ["contractor", "platform", "product"]
    search_fields = [
        "number",
        "public_id",
        "contractor__public_id",
        "contractor__email",
        "contractor__first_name",
        "contractor__last_name",
        "contractor__company_name",
    ]
    date_hierarchy = "effective_at"
    readonly_fields = ["related", "insured"]
    fields = [
        "number",
        "public_id",
        "insured",
        "platform",
        "product",
        "status",
        "lines",
        "wc_state",
        "gl_state",
        "category_code",
        "effective_at",
        "expires_at",
        "cancelled_at",
        "auto_renew",
        "term_number",
        "contents_transaction",
        "created_at",
        "related",
    ]
    inlines = [TransactionInline, AuditEntryInline]

    @admin.display(description="Insured", ordering="contractor__last_name")
    def insured(self, policy: Policy) -> SafeString | str:
        return admin_link(policy.contractor)

    @admin.display(description="Related")
    def related(self, policy: Policy) -> SafeString:
        links = [
            # The contractor side's models, reached through their relations to
            # Policy: policies imports nothing from coverage.
            changelist_link(
                _related_model("assignments"),
                "Assignments",
                policy__id__exact=policy.pk,
            ),
            changelist_link(
                _related_model("invoices"), "Invoices", policy__id__exact=policy.pk
            ),
            changelist_link(AuditEntry, "Audit history", policy__id__exact=policy.pk),
            workspace_link(reverse("policies:policy_detail", args=[policy.public_id])),
        ]
        return format_html(" · ".join(["{}"] * len(links)), *links)


def _related_model(name: str) -> type[Model]:
    return cast(type[Model], Policy._meta.get_field(name).related_model)


@admin.register(PolicyTransaction)
class PolicyTransactionAdmin(ViewOnlyAdmin):
    list_display = [
        "public_id",
        "kind",
        "status",
        "policy_link",
        "insured",
        "platform",
        "product",
        "effective_at",
        "created_at",
    ]
    list_filter = ["status", "kind", "product", "platform"]
    list_select_related = ["policy", "contractor", "platform", "product"]
    search_fields = [
        "public_id",
        "policy__number",
        "policy__public_id",
        "contractor__public_id",
        "contractor__email",
        "contractor__last_name",
        "contractor__company_name",
    ]
    date_hierarchy = "created_at"
    readonly_fields = ["related"]
    inlines = [AuditEntryInline]

    @admin.display(description="Policy", ordering="policy__number")
    def policy_link(self, txn: PolicyTransaction) -> SafeString | str:
        return admin_link(txn.policy)

    @admin.display(description="Insured", ordering="contractor__last_name")
    def insured(self, txn: PolicyTransaction) -> SafeString | str:
        return admin_link(txn.contractor)

    @admin.display(description="Contents")
    def related(self, txn: PolicyTransaction) -> SafeString:
        pk = txn.pk
        links = [
            changelist_link(model, label, transaction__id__exact=pk)
            for model, label in (
                (PolicyLocation, "Locations"),
                (PolicyContactRole, "Contact roles"),
                (LocationNamedInsured, "Location named insureds"),
                (PolicySection, "Sections"),
                (CoinsuranceAgreement, "Coinsurance agreements"),
                (Tower, "Towers"),
                (PriorPolicy, "Prior policies"),
            )
        ]
        links.append(
            workspace_link(reverse("policies:transaction_detail", args=[txn.public_id]))
        )
        return format_html(" · ".join(["{}"] * len(links)), *links)


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
    fields = ["number", "producer_code", "role", "share"]
    readonly_fields = fields


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
    fields = ["number", "attachment", "limit", "currency"]
    readonly_fields = fields


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

"""Support's view of policies and transactions, read-only, with links to what hangs
off a policy (the contractor side's assignments and invoices, the audit history, the
workspace page)."""

from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.db.models import Model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from policies.admin.audit import AuditEntryInline
from policies.models import (
    AuditEntry,
    CoinsuranceAgreement,
    LocationNamedInsured,
    Policy,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PolicyTransaction,
    PriorPolicy,
    Tower,
)
from portal.admin_tools import (
    ViewOnlyAdmin,
    ViewOnlyInline,
    admin_link,
    changelist_link,
)

# ---------------------------------------------------------------------------
# Policies and transactions


class TransactionInline(ViewOnlyInline):
    model = PolicyTransaction
    fk_name = "policy"
    fields = readonly_fields = (
        "public_id",
        "kind",
        "status",
        "effective_at",
        "created_at",
        "bound_at",
    )
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

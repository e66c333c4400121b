"""Support's view of the audit history: every entry, read-only, and the inline that
shows it on a policy or transaction."""

from __future__ import annotations

from django.contrib import admin
from django.utils.safestring import SafeString

from policies.models import (
    AuditEntry,
)
from portal.admin_tools import (
    ViewOnlyAdmin,
    ViewOnlyInline,
    admin_link,
)

# ---------------------------------------------------------------------------
# Audit history


class AuditEntryInline(ViewOnlyInline):
    model = AuditEntry
    fields = readonly_fields = (
        "created_at",
        "actor_label",
        "via",
        "action",
        "object_type",
        "object_label",
        "changes_text",
    )
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
    fields = readonly_fields = (
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
    )

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

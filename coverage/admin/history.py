"""Support's view of what the services wrote: quotes, opt-ins, dispatches, premium and
invoices."""

from __future__ import annotations

from django.contrib import admin
from django.utils.safestring import SafeString

from coverage.models import (
    ApplicationSession,
    Assignment,
    Invoice,
    LedgerEntry,
    Quote,
)
from portal.admin_tools import (
    ViewOnlyAdmin,
    ViewOnlyInline,
    admin_link,
    cents_text,
)


@admin.register(Quote)
class QuoteAdmin(ViewOnlyAdmin):
    list_display = [
        "public_id",
        "contractor_link",
        "job",
        "platform",
        "lines",
        "eligible",
        "policy_link",
        "created_at",
    ]
    list_filter = ["eligible", "platform"]
    list_select_related = ["contractor", "job", "platform", "policy"]
    search_fields = [
        "public_id",
        "contractor__public_id",
        "contractor__email",
        "job__public_id",
        "policy__number",
    ]
    date_hierarchy = "created_at"

    @admin.display(description="Contractor", ordering="contractor__last_name")
    def contractor_link(self, quote: Quote) -> SafeString | str:
        return admin_link(quote.contractor)

    @admin.display(description="Policy", ordering="policy__number")
    def policy_link(self, quote: Quote) -> SafeString | str:
        return admin_link(quote.policy)


_APPLICATION_SESSION_ADMIN_FIELDS = (
    "public_id",
    "platform",
    "quote",
    "step",
    "success_url",
    "cancel_url",
    "expires_at",
    "expired_at",
    "completed_at",
    "created_at",
)


@admin.register(ApplicationSession)
class ApplicationSessionAdmin(ViewOnlyAdmin):
    """Hosted opt-ins. The link and its token are the contractor's key to the page:
    they stay off support's pages, like API keys."""

    list_display = [
        "public_id",
        "quote_link",
        "platform",
        "step",
        "expires_at",
        "completed_at",
        "expired_at",
    ]
    list_filter = ["step", "platform"]
    list_select_related = ["quote", "platform"]
    search_fields = ["public_id", "quote__public_id", "quote__contractor__email"]
    fields = _APPLICATION_SESSION_ADMIN_FIELDS
    readonly_fields = _APPLICATION_SESSION_ADMIN_FIELDS

    @admin.display(description="Quote", ordering="quote__public_id")
    def quote_link(self, session: ApplicationSession) -> SafeString | str:
        return admin_link(session.quote)


_LEDGER_ENTRY_INLINE_FIELDS = (
    "kind",
    "line",
    "amount_text",
    "books_on",
    "created_at",
)


class LedgerEntryInline(ViewOnlyInline):
    model = LedgerEntry
    fields = _LEDGER_ENTRY_INLINE_FIELDS
    readonly_fields = _LEDGER_ENTRY_INLINE_FIELDS

    @admin.display(description="Amount")
    def amount_text(self, entry: LedgerEntry) -> str:
        return cents_text(entry.amount)


@admin.register(Assignment)
class AssignmentAdmin(ViewOnlyAdmin):
    list_display = [
        "public_id",
        "contractor_link",
        "job_link",
        "policy_link",
        "platform",
        "eligible",
        "premium_text",
        "effective_at",
        "cancelled_at",
    ]
    list_filter = ["eligible", "bind", "platform", "cancelled_at"]
    list_select_related = ["contractor", "job", "policy", "platform"]
    search_fields = [
        "public_id",
        "contractor__public_id",
        "contractor__email",
        "job__public_id",
        "job__name",
        "policy__number",
        "policy__public_id",
    ]
    date_hierarchy = "effective_at"
    inlines = [LedgerEntryInline]

    @admin.display(description="Contractor", ordering="contractor__last_name")
    def contractor_link(self, assignment: Assignment) -> SafeString | str:
        return admin_link(assignment.contractor)

    @admin.display(description="Work job", ordering="job__name")
    def job_link(self, assignment: Assignment) -> SafeString | str:
        return admin_link(assignment.job)

    @admin.display(description="Policy", ordering="policy__number")
    def policy_link(self, assignment: Assignment) -> SafeString | str:
        return admin_link(assignment.policy)

    @admin.display(description="Premium", ordering="premium")
    def premium_text(self, assignment: Assignment) -> str:
        return cents_text(assignment.premium)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ViewOnlyAdmin):
    """The premium ledger is append-only: a correction is a new entry, never an edit."""

    list_display = [
        "id",
        "books_on",
        "kind",
        "line",
        "amount_text",
        "assignment_link",
        "contractor_link",
        "entity",
        "platform",
    ]
    list_filter = ["kind", "line", "platform"]
    list_select_related = ["assignment", "contractor", "entity", "platform"]
    search_fields = [
        "assignment__public_id",
        "contractor__public_id",
        "contractor__email",
        "entity__name",
    ]
    date_hierarchy = "books_on"

    @admin.display(description="Amount", ordering="amount")
    def amount_text(self, entry: LedgerEntry) -> str:
        return cents_text(entry.amount)

    @admin.display(description="Assignment", ordering="assignment__public_id")
    def assignment_link(self, entry: LedgerEntry) -> SafeString | str:
        return admin_link(entry.assignment)

    @admin.display(description="Contractor", ordering="contractor__last_name")
    def contractor_link(self, entry: LedgerEntry) -> SafeString | str:
        return admin_link(entry.contractor)


@admin.register(Invoice)
class InvoiceAdmin(ViewOnlyAdmin):
    list_display = [
        "public_id",
        "contractor_link",
        "job",
        "policy_link",
        "premium_text",
        "paycycle_start",
        "paycycle_end",
        "paid_at",
    ]
    list_filter = ["platform", "paid_at"]
    list_select_related = ["contractor", "job", "policy", "platform"]
    search_fields = [
        "public_id",
        "contractor__public_id",
        "contractor__email",
        "policy__number",
        "purchase_order_number",
    ]

    @admin.display(description="Contractor", ordering="contractor__last_name")
    def contractor_link(self, invoice: Invoice) -> SafeString | str:
        return admin_link(invoice.contractor)

    @admin.display(description="Policy", ordering="policy__number")
    def policy_link(self, invoice: Invoice) -> SafeString | str:
        return admin_link(invoice.policy)

    @admin.display(description="Premium due", ordering="premium_due")
    def premium_text(self, invoice: Invoice) -> str:
        return cents_text(invoice.premium_due)

"""Support's view of premium collection: billing settings (editable), cards, charges,
refunds, the collections ledger, payment sessions and e-mail notices (view only)."""

from __future__ import annotations

from django.contrib import admin

from coverage.models import (
    BillingSettings,
    CardOnFile,
    Charge,
    CollectionEntry,
    Notice,
    PaymentSession,
    Refund,
    SandboxCharge,
)
from portal.admin_tools import ViewOnlyAdmin, cents_text


@admin.register(BillingSettings)
class BillingSettingsAdmin(admin.ModelAdmin):
    # The return-URL allow-list is the platform's (Platform admin, onboard_platform).
    fields = ["platform", "contractors_pay_by_card"]
    list_display = ["platform", "contractors_pay_by_card", "updated_at"]
    list_select_related = ["platform"]


@admin.register(CardOnFile)
class CardOnFileAdmin(ViewOnlyAdmin):
    list_display = [
        "id",
        "contractor",
        "brand",
        "last4",
        "processor",
        "created_at",
        "replaced_at",
    ]
    list_select_related = ["contractor"]
    search_fields = ["contractor__public_id", "contractor__email"]


@admin.register(Charge)
class ChargeAdmin(ViewOnlyAdmin):
    list_display = [
        "public_id",
        "assignment",
        "purpose",
        "status",
        "amount_text",
        "due_at",
        "failure_code",
    ]
    list_filter = ["status", "purpose", "platform"]
    list_select_related = ["assignment"]
    search_fields = ["public_id", "assignment__public_id", "processor_ref"]

    @admin.display(description="Amount", ordering="amount")
    def amount_text(self, charge: Charge) -> str:
        return cents_text(charge.amount)


@admin.register(Refund)
class RefundAdmin(ViewOnlyAdmin):
    list_display = ["public_id", "charge", "amount", "reason", "created_at"]
    list_select_related = ["charge"]


@admin.register(CollectionEntry)
class CollectionEntryAdmin(ViewOnlyAdmin):
    """Append-only, like the premium ledger."""

    list_display = [
        "id",
        "books_on",
        "kind",
        "amount",
        "attempted",
        "assignment",
        "contractor",
    ]
    list_filter = ["kind", "platform"]
    list_select_related = ["assignment", "contractor"]


@admin.register(PaymentSession)
class PaymentSessionAdmin(ViewOnlyAdmin):
    list_display = ["public_id", "contractor", "status", "created_at", "expires_at"]
    list_select_related = ["contractor"]
    exclude = ["token"]


@admin.register(Notice)
class NoticeAdmin(ViewOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "to",
        "created_at",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["kind"]


@admin.register(SandboxCharge)
class SandboxChargeAdmin(ViewOnlyAdmin):
    """The sandbox processor's own records (what a real processor's dashboard lists)."""

    list_display = ["ref", "amount", "status", "failure_code", "refunded", "created_at"]
    search_fields = ["ref"]

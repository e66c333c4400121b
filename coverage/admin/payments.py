"""Support's view of premium collection: billing settings (editable), cards, charges,
refunds, the collections ledger, payment sessions and e-mail notices (view only)."""

from __future__ import annotations

from django import forms
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

REDIRECT_HOST_INVALID = (
    "Give exact host names, one per line (no scheme, path or wildcard)."
)


class BillingSettingsForm(forms.ModelForm):
    redirect_hosts = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Hosts a payment session's return_url may name, one per line.",
    )

    class Meta:
        model = BillingSettings
        fields = ["platform", "contractors_pay_by_card", "redirect_hosts"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.instance.pk:
            self.initial["redirect_hosts"] = "\n".join(self.instance.redirect_hosts)

    def clean_redirect_hosts(self) -> list[str]:
        hosts = [h.strip().lower() for h in self.cleaned_data["redirect_hosts"].split()]
        for host in hosts:
            if not host or any(ch in host for ch in "/:*@?#") or "." not in host:
                raise forms.ValidationError(REDIRECT_HOST_INVALID)
        return sorted(set(hosts))


@admin.register(BillingSettings)
class BillingSettingsAdmin(admin.ModelAdmin):
    form = BillingSettingsForm
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

"""Forms of the underwriter workspace.

A form only reads what the underwriter typed (text to Decimal, date, choice) and
normalises it in ``clean_<field>``; it never judges a business rule. Every rule —
shares within 100 percent, the suffix length, what may change in which status — is
the policies services' to apply, so the portal refuses with the same words as the
API. ``ServiceForm.add_service_error`` puts a service's refusal on the field it is
about (the services key errors by the API's attribute names).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError

from policies.lines import CoverageType
from policies.models import (
    CoinsuranceModel,
    CoinsuranceRole,
    Contact,
    ContactRole,
    PolicyStatus,
    Product,
    SectionType,
    TransactionKind,
    TransactionStatus,
)
from policies.services import Money
from policies.services.drafts import CURRENCIES
from portal.forms import add_service_error
from portal.jurisdictions import STATE_CHOICES
from portal.models import Platform
from portal.pickers import Picker, PickerField

ANY = [("", "Any")]
EXPIRING_CHOICES = [
    ("", "Any time"),
    ("30", "Within 30 days"),
    ("60", "Within 60 days"),
    ("90", "Within 90 days"),
]
CURRENCY_CHOICES = [(c, c.upper()) for c in CURRENCIES]
# Shares and amounts are typed as text: the services judge range and precision and
# say so in their own words, which a browser's number input would pre-empt.
DECIMAL_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _strip(value: str | None) -> str:
    return (value or "").strip()


class ServiceForm(forms.Form):
    """A form whose refusals come from a policies service."""

    # The services' error keys (model field names) → this form's field names, where
    # the form calls a field something else.
    service_fields: ClassVar[Mapping[str, str]] = {}

    def add_service_error(self, exc: ValidationError) -> None:
        add_service_error(self, exc, fields=self.service_fields)


# ---------------------------------------------------------------------------
# Lists


def platform_picker() -> PickerField:
    return PickerField(
        queryset=Platform.objects.order_by("name"),
        required=False,
        to_field_name="public_id",
        widget=Picker("policies:pick_platform", placeholder="Any: type a name…"),
    )


class PolicyFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Policy number, id, insured name or email",
            }
        ),
    )
    # Searched as the underwriter types: a carrier's platforms are not a short list.
    platform = platform_picker()
    status = forms.ChoiceField(choices=ANY + PolicyStatus.choices, required=False)
    line = forms.ChoiceField(choices=ANY + CoverageType.choices, required=False)
    product = forms.ModelChoiceField(
        queryset=Product.objects.order_by("name"),
        required=False,
        empty_label="Any",
        to_field_name="code",
    )
    state = forms.ChoiceField(choices=ANY + STATE_CHOICES, required=False)
    expiring = forms.ChoiceField(
        choices=EXPIRING_CHOICES, required=False, label="Expiring"
    )

    def clean_q(self) -> str:
        return _strip(self.cleaned_data.get("q"))


class TransactionFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Job id, policy number, insured name or email",
            }
        ),
    )
    # Searched as the underwriter types: a carrier's platforms are not a short list.
    platform = platform_picker()
    status = forms.ChoiceField(choices=ANY + TransactionStatus.choices, required=False)
    kind = forms.ChoiceField(
        choices=ANY + TransactionKind.choices, required=False, label="Type"
    )
    line = forms.ChoiceField(choices=ANY + CoverageType.choices, required=False)
    product = forms.ModelChoiceField(
        queryset=Product.objects.order_by("name"),
        required=False,
        empty_label="Any",
        to_field_name="code",
    )
    state = forms.ChoiceField(choices=ANY + STATE_CHOICES, required=False)

    def clean_q(self) -> str:
        return _strip(self.cleaned_data.get("q"))


# ---------------------------------------------------------------------------
# Transactions


class SubmissionForm(ServiceForm):
    """A new submission: the insured (a contractor, by cn_ id) and the terms."""

    service_fields = {"expires_at": "expiration_date", "sections": "section_types"}

    contractor = forms.CharField(
        label="Insured (contractor id)",
        help_text="The account's cn_ id; search the policy list to find it.",
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.order_by("name"),
        to_field_name="code",
        empty_label="Choose a product",
    )
    effective_date = forms.DateField(widget=DATE_INPUT, label="Effective date")
    expiration_date = forms.DateField(widget=DATE_INPUT, label="Expiration date")
    lines = forms.MultipleChoiceField(
        choices=CoverageType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Contractor products write lines; commercial ones, sections.",
    )
    wc_state = forms.ChoiceField(
        choices=[("", "—")] + STATE_CHOICES, required=False, label="WC work state"
    )
    gl_state = forms.ChoiceField(
        choices=[("", "—")] + STATE_CHOICES, required=False, label="GL residence state"
    )
    section_types = forms.MultipleChoiceField(
        choices=SectionType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Policy sections",
    )

    def clean_contractor(self) -> str:
        return _strip(self.cleaned_data.get("contractor"))


class TermsForm(ServiceForm):
    """A draft's terms: what a policy change or renewal usually changes."""

    service_fields = {"expires_at": "expiration_date"}

    expiration_date = forms.DateField(widget=DATE_INPUT, label="Expiration date")
    lines = forms.MultipleChoiceField(
        choices=CoverageType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wc_state = forms.ChoiceField(
        choices=[("", "—")] + STATE_CHOICES, required=False, label="WC work state"
    )
    gl_state = forms.ChoiceField(
        choices=[("", "—")] + STATE_CHOICES, required=False, label="GL residence state"
    )
    auto_renew = forms.BooleanField(required=False, label="Renew automatically")


class CancelForm(ServiceForm):
    """A cancellation's effective date; empty cancels now (the Cloud API's default)."""

    service_fields = {"effective_at": "effective_date"}

    effective_date = forms.DateField(
        widget=DATE_INPUT,
        required=False,
        label="Cancel from",
        help_text="Leave empty to cancel now. Cover stops at 00:00 UTC that day.",
    )

    def effective_at(self) -> datetime | None:
        """The moment cover stops, as the Cloud API reads ``jobEffectiveDate``."""
        day: date | None = self.cleaned_data.get("effective_date")
        return datetime.combine(day, time.min, tzinfo=UTC) if day else None


class LocationForm(ServiceForm):
    address_line1 = forms.CharField(label="Address", required=False)
    address_line2 = forms.CharField(label="Address line 2", required=False)
    city = forms.CharField(required=False)
    state = forms.ChoiceField(choices=[("", "—")] + STATE_CHOICES, required=False)
    postal_code = forms.CharField(label="Postal code", required=False)

    def clean_postal_code(self) -> str:
        return _strip(self.cleaned_data.get("postal_code")).upper()


class ContactForm(ServiceForm):
    ROLE_CHOICES: ClassVar = [
        (c, label)
        for c, label in ContactRole.choices
        if c != ContactRole.PRIMARY_NAMED_INSURED
    ]

    kind = forms.ChoiceField(choices=Contact.Kind.choices, label="Type")
    first_name = forms.CharField(required=False, label="First name")
    last_name = forms.CharField(required=False, label="Last name")
    company_name = forms.CharField(required=False, label="Company name")
    email = forms.CharField(required=False, label="Email")
    phone = forms.CharField(required=False)
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean_email(self) -> str:
        return _strip(self.cleaned_data.get("email")).lower()


class SectionForm(ServiceForm):
    service_fields = {"sections": "section_type"}

    section_type = forms.ChoiceField(choices=SectionType.choices, label="Section")


class NamedInsuredForm(ServiceForm):
    """Associate a contact on the job with a location (seed 002)."""

    contact = forms.CharField(label="Contact")

    def clean_contact(self) -> str:
        return _strip(self.cleaned_data.get("contact"))


# ---------------------------------------------------------------------------
# Coinsurance (seed 003)


class AgreementTermsForm(ServiceForm):
    """An agreement's terms: what a new agreement states and an edit may change."""

    service_fields = {"share": "our_share", "section_type": "section_types"}

    model = forms.ChoiceField(choices=CoinsuranceModel.choices)
    our_role = forms.ChoiceField(choices=CoinsuranceRole.choices, label="Our role")
    our_share = forms.DecimalField(label="Our share (%)", widget=DECIMAL_INPUT)
    leaders_fee = forms.DecimalField(
        label="Leader's fee (%)", required=False, widget=DECIMAL_INPUT
    )
    policy_number_suffix = forms.CharField(label="Policy number suffix", required=False)

    def clean_policy_number_suffix(self) -> str:
        return _strip(self.cleaned_data.get("policy_number_suffix"))


class AgreementForm(AgreementTermsForm):
    """A new policy-level agreement (no sections) or section-level one (with some)."""

    section_types = forms.MultipleChoiceField(
        choices=SectionType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Sections",
    )


class AgreementSectionForm(ServiceForm):
    section_type = forms.ChoiceField(choices=SectionType.choices, label="Section")


class PartyForm(ServiceForm):
    producer_code = forms.CharField(label="Producer code")
    # Coinsurers usually follow our lead.
    role = forms.ChoiceField(
        choices=CoinsuranceRole.choices, label="Role", initial=CoinsuranceRole.FOLLOW
    )
    share = forms.DecimalField(label="Share (%)", widget=DECIMAL_INPUT)

    def clean_producer_code(self) -> str:
        return _strip(self.cleaned_data.get("producer_code"))


class PartyEditForm(ServiceForm):
    role = forms.ChoiceField(choices=CoinsuranceRole.choices, label="Role")
    share = forms.DecimalField(label="Share (%)", widget=DECIMAL_INPUT)
    checksum = forms.CharField(required=False, widget=forms.HiddenInput)


class TowerForm(ServiceForm):
    service_fields = {"section_type": "section_types"}

    section_types = forms.MultipleChoiceField(
        choices=SectionType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Sections",
    )


class LayerForm(ServiceForm):
    attachment = forms.DecimalField(label="Attachment point", widget=DECIMAL_INPUT)
    limit = forms.DecimalField(widget=DECIMAL_INPUT)
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="usd")

    def money(self, name: str) -> Money:
        return Money(self.cleaned_data[name], self.cleaned_data["currency"])


# ---------------------------------------------------------------------------
# Prior policies (seed 004)


class PriorPolicyForm(ServiceForm):
    carrier = forms.CharField(required=False)
    policy_number = forms.CharField(required=False, label="Policy number")
    # Not required here: the service says why it is (seed 004's one required field).
    effective_date = forms.DateField(
        required=False, widget=DATE_INPUT, label="Effective date"
    )
    expiration_date = forms.DateField(
        required=False, widget=DATE_INPUT, label="Expiration date"
    )
    annual_premium = forms.DecimalField(
        required=False, widget=DECIMAL_INPUT, label="Annual premium"
    )
    annual_premium_currency = forms.ChoiceField(
        choices=CURRENCY_CHOICES, initial="usd", label="Premium currency"
    )
    num_losses = forms.IntegerField(
        required=False,
        label="Number of losses",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    total_losses = forms.DecimalField(
        required=False, widget=DECIMAL_INPUT, label="Total losses"
    )
    total_losses_currency = forms.ChoiceField(
        choices=CURRENCY_CHOICES, initial="usd", label="Losses currency"
    )
    checksum = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_carrier(self) -> str:
        return _strip(self.cleaned_data.get("carrier"))

    def clean_policy_number(self) -> str:
        return _strip(self.cleaned_data.get("policy_number")).upper()

    def _money(self, name: str) -> Money | None:
        amount: Decimal | None = self.cleaned_data.get(name)
        if amount is None:
            return None
        return Money(amount, self.cleaned_data.get(f"{name}_currency") or "usd")

    def values(self) -> dict[str, Any]:
        """The service's arguments, by name."""
        effective: date | None = self.cleaned_data.get("effective_date")
        return {
            "carrier": self.cleaned_data["carrier"],
            "policy_number": self.cleaned_data["policy_number"],
            "effective_date": effective,
            "expiration_date": self.cleaned_data.get("expiration_date"),
            "annual_premium": self._money("annual_premium"),
            "num_losses": self.cleaned_data.get("num_losses"),
            "total_losses": self._money("total_losses"),
        }

    def changed_values(self) -> dict[str, Any]:
        """Only what the underwriter changed: an edit on a policy carries to its open
        changes field by field, so untouched fields must not be sent."""
        changed = set(self.changed_data)
        values = self.values()
        names = {
            "carrier": {"carrier"},
            "policy_number": {"policy_number"},
            "effective_date": {"effective_date"},
            "expiration_date": {"expiration_date"},
            "annual_premium": {"annual_premium", "annual_premium_currency"},
            "num_losses": {"num_losses"},
            "total_losses": {"total_losses", "total_losses_currency"},
        }
        return {
            name: values[name] for name, fields in names.items() if fields & changed
        }

"""The hosted pages' forms: the tech's opt-in attestation and the card forms (sandbox
number field, or the SetupIntent the Stripe Elements field confirmed)."""

from __future__ import annotations

from django import forms

from coverage.payments.stripe import CARD_NOT_CONFIRMED

ATTESTATION = (
    "I confirm that the information above is mine and accurate, that I work as an "
    "independent contractor, and I opt in to this coverage for this dispatch and my "
    "later dispatches on the same terms."
)


class OptInForm(forms.Form):
    attest = forms.BooleanField(
        label=ATTESTATION,
        error_messages={"required": "Tick the box to confirm before opting in."},
    )


CARD_NUMBER_REQUIRED = "Enter the card number."


class CardForm(forms.Form):
    """The sandbox card form: the number goes to the processor and is never stored."""

    card_number = forms.CharField(
        label="Card number",
        max_length=23,
        error_messages={"required": CARD_NUMBER_REQUIRED},
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric"}
        ),
    )

    def card_token(self) -> str:
        return str(self.cleaned_data["card_number"])


class StripeCardForm(forms.Form):
    """What the Stripe Elements page posts back: the SetupIntent Stripe.js confirmed.

    The card itself went from the browser to Stripe; only this id reaches us, and
    the processor reads brand and last four from Stripe (coverage.payments.stripe).
    """

    setup_intent = forms.RegexField(
        regex=r"^seti_[A-Za-z0-9]{1,100}$",
        max_length=110,
        error_messages={
            "required": CARD_NOT_CONFIRMED,
            "invalid": CARD_NOT_CONFIRMED,
        },
        widget=forms.HiddenInput,
    )

    def card_token(self) -> str:
        return str(self.cleaned_data["setup_intent"])


def card_form_class(processor: str) -> type[CardForm] | type[StripeCardForm]:
    """The hosted card form for the configured processor."""
    return StripeCardForm if processor == "stripe" else CardForm

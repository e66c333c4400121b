"""The hosted pages' forms: the tech's opt-in attestation and the sandbox card form."""

from __future__ import annotations

from django import forms

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

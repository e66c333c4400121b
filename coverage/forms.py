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

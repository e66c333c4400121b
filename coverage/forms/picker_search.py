"""What a picker's search endpoint accepts (coverage/views/pickers.py): the typed text,
and the platform and customer it narrows to, as public ids."""

from __future__ import annotations

from django import forms

from coverage.forms.fields import _public_id

BAD_PICKER_SEARCH = "Type at most 100 characters of a name."


class PickerSearchForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=100, error_messages={"max_length": BAD_PICKER_SEARCH}
    )
    platform = forms.CharField(required=False, max_length=50)
    customer = forms.CharField(required=False, max_length=50)

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()

    def clean_platform(self) -> str:
        return _public_id(self.cleaned_data["platform"], prefix="pf", what="platform")

    def clean_customer(self) -> str:
        return _public_id(self.cleaned_data["customer"], prefix="en", what="customer")

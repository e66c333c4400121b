from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    """The six digits an authenticator app shows."""

    code = forms.CharField(
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
    )


def add_service_error(
    form: forms.BaseForm,
    exc: ValidationError,
    *,
    fields: Mapping[str, str] | None = None,
    codes: Mapping[str, str] | None = None,
) -> None:
    """Put a service's refusal on the form that asked: on the field it names (through
    ``fields`` when the form calls it something else, or ``codes`` for a refusal keyed
    only by its code), else at the top of the form."""
    fields = fields or {}
    codes = codes or {}

    def target(name: str | None) -> str | None:
        return name if name in form.fields else None

    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(target(fields.get(key, key)), error.messages)
        return
    for error in exc.error_list:
        form.add_error(target(codes.get(error.code or "")), error.messages)

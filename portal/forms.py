from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.zones import zone_choices


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


def name_zone(form: forms.Form, *names: str) -> None:
    """Put the zone a time is typed in into its label: "Starts (EST)".

    Django reads a typed time in the request's zone (the dispatcher's, activated by
    portal.local_time), so the label says which one that is.
    """
    zone = timezone.now().astimezone(timezone.get_current_timezone()).tzname()
    for name in names:
        form.fields[name].label = f"{form.fields[name].label} ({zone})"


class TimeZoneForm(forms.Form):
    """A person's own time zone; blank keeps the platform's (forms parse, services judge)."""

    time_zone = forms.CharField(
        label="Time zone", required=False, max_length=64, widget=forms.Select
    )

    def __init__(self, *args: Any, platform_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["time_zone"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", f"My platform's ({platform_zone})"), *zone_choices()]

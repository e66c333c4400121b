"""Widgets, messages and checks the portal's forms share."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

BAD_DAY = "Enter the day as a date, e.g. 2026-06-01."
BAD_PUBLIC_ID = "That link is broken: it names no {what}."
UNKNOWN_CHOICE = "Choose one of the listed options."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _public_id(value: str, *, prefix: str, what: str) -> str:
    # Django's CharField has already refused a NUL (PostgreSQL cannot store one).
    value = value.strip()
    if value and not re.fullmatch(rf"{prefix}_[0-9A-Za-z]{{1,40}}", value):
        raise ValidationError(BAD_PUBLIC_ID.format(what=what))
    return value

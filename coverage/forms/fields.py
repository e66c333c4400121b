"""Widgets, messages and checks the portal's forms share."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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


class PlainSelect(forms.Select):
    """A ``<select>`` written in Python: the markup of Django's, without a template
    render per option (the ticket's 60 states took ~25 ms on a loaded machine, the
    page's largest cost once the pickers replaced the lists of every row)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        selected = mark_safe(" selected")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (choice, selected if str(choice) in chosen else "", label)
                for choice, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


def _public_id(value: str, *, prefix: str, what: str) -> str:
    # Django's CharField has already refused a NUL (PostgreSQL cannot store one).
    value = value.strip()
    if value and not re.fullmatch(rf"{prefix}_[0-9A-Za-z]{{1,40}}", value):
        raise ValidationError(BAD_PUBLIC_ID.format(what=what))
    return value

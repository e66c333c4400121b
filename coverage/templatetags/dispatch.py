"""Filters for the dispatcher's screens: ``{% load dispatch %}``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone

from coverage import wording
from coverage.selectors.tickets import LINE_SHORT
from coverage.views import formatting
from policies.lines import CoverageType

register = template.Library()


@register.filter
def money(cents: int | None) -> str:
    return formatting.money(cents)


@register.filter(name="day")
def day_filter(on: date | datetime | None) -> str:
    """ "Nov 29", or "Nov 29, 2027" when not this year."""
    return "" if on is None else formatting.day(on)


@register.filter(name="when")
def when_filter(at: datetime | None) -> str:
    """ "Nov 29, 14:00 EST", with the year when not this year."""
    return "" if at is None else formatting.when(at)


@register.filter(name="moment")
def moment_filter(at: datetime | None) -> str:
    """ "Nov 29, 2026, 14:00 EST", in the zone in force (``{% timezone %}`` or the reader's)."""
    return "" if at is None else formatting.moment(at)


@register.filter(name="end_moment")
def end_moment_filter(at: datetime | None) -> str:
    """An end: "Nov 29, 2026, 24:00 EST" for the midnight closing Nov 29."""
    return "" if at is None else formatting.end_moment(at)


@register.filter
def zone_abbr(at: datetime | None) -> str:
    """The abbreviation of the zone in force at ``at``: "EDT" in June, "EST" in December."""
    return "" if at is None else formatting.zone_label(at)


@register.simple_tag
def zone_now() -> str:
    """The abbreviation of the zone in force, now: "EST"."""
    return formatting.zone_label(timezone.now())


@register.filter
def dollars_input(cents: int | None) -> str:
    """Cents as a form field value in dollars: 25000 → "250.00"."""
    return "" if cents is None else formatting.plain_dollars(cents)


@register.filter
def line_short(line: str) -> str:
    return LINE_SHORT.get(line, line)


@register.filter
def line_label(line: str) -> str:
    return str(CoverageType(line).label) if line in CoverageType.values else line


@register.simple_tag
def window(start: datetime, end: datetime) -> str:
    return formatting.window(start, end)


@register.simple_tag
def times(start: datetime, end: datetime) -> str:
    return formatting.times(start, end)


@register.filter(name="event_words")
def event_words_filter(event: Any) -> str:
    """What a ticket's event says happened (coverage.wording.event_words)."""
    return wording.event_words(event.type, event.data)

"""How the portal writes money and times (integer cents and UTC moments in, text out).

Times read in a zone: the one given (a job site's, for its certificate and the tech's
e-mails), else the request's (the dispatcher's, activated by portal.local_time), and
every clock carries its zone's abbreviation ("EST", "EDT", "UTC").

One rule for the end of a day: an instant at local midnight that *ends* a window is
written "24:00" of the day it closes, on every screen, e-mail and PDF; a window that
*starts* at midnight starts at "00:00". ``end_clock`` is that rule.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal

from django.utils import timezone

from portal.money import MINUS, amount_text
from portal.zones import end_clock

__all__ = [
    "MINUS",
    "day",
    "end_clock",
    "end_moment",
    "local",
    "money",
    "moment",
    "plain_dollars",
    "times",
    "when",
    "window",
    "zone_label",
]


def money(cents: int | None) -> str:
    """1234567 → "$12,345.67"; negative amounts get a minus sign before the dollar sign."""
    if cents is None:
        return ""
    return amount_text(Decimal(cents) / 100)


def plain_dollars(cents: int) -> str:
    """1234567 → "12345.67", −5 → "-0.05": for CSV cells and form fields."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{Decimal(abs(cents)) / 100:.2f}"


def local(at: datetime, zone: tzinfo | None = None) -> datetime:
    """``at`` in ``zone``, or in the request's zone."""
    return at.astimezone(zone or timezone.get_current_timezone())


def zone_label(at: datetime, zone: tzinfo | None = None) -> str:
    """The abbreviation of the zone ``at`` reads in then: "EST" in winter, "EDT" in summer."""
    return local(at, zone).tzname() or ""


def day(
    on: date | datetime, *, today: date | None = None, zone: tzinfo | None = None
) -> str:
    """ "Nov 29" this year, "Nov 29, 2027" in any other: a date is never a year off."""
    if isinstance(on, datetime):
        on = local(on, zone).date()
    this_year = (today or local(timezone.now(), zone).date()).year
    text = f"{on:%b} {on.day}"
    return text if on.year == this_year else f"{text}, {on.year}"


def when(at: datetime, *, today: date | None = None, zone: tzinfo | None = None) -> str:
    """ "Nov 29, 14:00 EST", with the year when it is not this year."""
    at = local(at, zone)
    return f"{day(at, today=today, zone=zone)}, {at:%H:%M} {at.tzname()}"


def _full_date(on: date) -> str:
    return f"{on:%b} {on.day}, {on:%Y}"


def moment(at: datetime, zone: tzinfo | None = None) -> str:
    """ "Jun 1, 2026, 17:00 EDT"."""
    at = local(at, zone)
    return f"{_full_date(at.date())}, {at:%H:%M} {at.tzname()}"


def end_moment(at: datetime, zone: tzinfo | None = None) -> str:
    """An end as ``moment`` writes it, midnight as 24:00: "Jun 1, 2026, 24:00 EDT"."""
    at = local(at, zone)
    on, clock = end_clock(at)
    return f"{_full_date(on)}, {clock} {at.tzname()}"


def _zones(start: datetime, end: datetime) -> str:
    # A window across a daylight-saving change starts and ends in different offsets.
    first, last = start.tzname() or "", end.tzname() or ""
    return first if first == last else f"{first}/{last}"


def window(start: datetime, end: datetime, zone: tzinfo | None = None) -> str:
    """A dispatch window: "Jun 1, 09:00–24:00 EDT" or "Jun 1, 22:00 – Jun 2, 01:00 EDT"."""
    start, end = local(start, zone), local(end, zone)
    end_day, clock = end_clock(end)
    if end_day == start.date():
        return f"{start:%b} {start.day}, {start:%H:%M}–{clock} {_zones(start, end)}"
    return (
        f"{start:%b} {start.day}, {start:%H:%M} – {end_day:%b} {end_day.day}, {clock}"
        f" {_zones(start, end)}"
    )


def times(start: datetime, end: datetime, zone: tzinfo | None = None) -> str:
    """The board's compact window (the board names the day and the zone): "09:00–24:00"."""
    start, end = local(start, zone), local(end, zone)
    end_day, clock = end_clock(end)
    if end_day == start.date():
        return f"{start:%H:%M}–{clock}"
    return f"{start:%H:%M} – {end_day:%b} {end_day.day}, {clock}"

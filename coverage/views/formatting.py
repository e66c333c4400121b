"""How the portal writes money and dispatch windows (integer cents and UTC moments in, text out)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from portal.money import MINUS, amount_text

__all__ = [
    "MINUS",
    "day",
    "money",
    "moment",
    "plain_dollars",
    "times",
    "when",
    "window",
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


def day(on: date | datetime, *, today: date | None = None) -> str:
    """ "Nov 29" this year, "Nov 29, 2027" in any other: a date is never a year off."""
    if isinstance(on, datetime):
        on = on.astimezone(UTC).date()
    this_year = (today or datetime.now(UTC).date()).year
    text = f"{on:%b} {on.day}"
    return text if on.year == this_year else f"{text}, {on.year}"


def when(at: datetime, *, today: date | None = None) -> str:
    """ "Nov 29, 14:00 UTC", with the year when it is not this year."""
    at = at.astimezone(UTC)
    return f"{day(at, today=today)}, {at:%H:%M} UTC"


def moment(at: datetime) -> str:
    """ "Jun 1, 2026, 17:00 UTC"."""
    at = at.astimezone(UTC)
    return f"{at:%b} {at.day}, {at:%Y}, {at:%H:%M} UTC"


def _ends_that_day(start: datetime, end: datetime) -> bool:
    """The window ends the day it starts, or at the midnight closing that day.

    Coverage windows are whole-day at the end: an end on the start's day moves to
    the next midnight (coverage.services.dates), which reads best as "24:00" of that day.
    """
    return start.date() == end.date() or (
        end.time() == datetime.min.time() and end.date() - start.date() == timedelta(1)
    )


def _clock(start: datetime, end: datetime) -> str:
    return "24:00" if end.date() != start.date() else f"{end:%H:%M}"


def window(start: datetime, end: datetime) -> str:
    """A dispatch window in UTC: "Jun 1, 09:00–24:00 UTC" or across days."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if _ends_that_day(start, end):
        return f"{start:%b} {start.day}, {start:%H:%M}–{_clock(start, end)} UTC"
    return (
        f"{start:%b} {start.day}, {start:%H:%M} – {end:%b} {end.day}, {end:%H:%M} UTC"
    )


def times(start: datetime, end: datetime) -> str:
    """The board's compact window (the board names the day): "09:00–24:00", "09:00 – Jun 3, 17:00"."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if _ends_that_day(start, end):
        return f"{start:%H:%M}–{_clock(start, end)}"
    return f"{start:%H:%M} – {end:%b} {end.day}, {end:%H:%M}"

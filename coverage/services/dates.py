"""The date rules of quotes, assignments and policies, in one place.

From the public API (digest §3.1): coverage starts in the future, by default the
next day; it ends after it starts, by default 30 days later; an end on the same
day as the start moves to the start of the next day; and a window spans at most
one year. Days are UTC days, the API's timestamps being Unix seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError

DEFAULT_LENGTH = timedelta(days=30)
# The last start or end a window may have: a year and a day after it (the longest
# window, plus the same-day move to midnight) must still be a datetime.
LATEST = datetime(9998, 12, 30, tzinfo=UTC)

EFFECTIVE_IN_PAST = "The effective date must be in the future."
END_BEFORE_EFFECTIVE = "The end date must be after the effective date."
END_TOO_FAR = "The end date must be at most one year after the effective date."
TOO_FAR_AHEAD = "Dates must be before the year 9999."
EXTEND_SHORTENS = "The new end date must be on or after the current end date."
COVERAGE_ENDED = "Coverage has already ended; it cannot be extended."


@dataclass(frozen=True)
class Window:
    """A coverage window, and the end of the work it covers when that differs.

    ``end_at`` is the coverage's end (a same-day end moves to midnight, the API's
    rule); ``work_end_at`` is the end the dispatcher asked for, which the ticket, the
    board and the certificate show as the job's window. None when they are the same.
    """

    effective_at: datetime
    end_at: datetime
    work_end_at: datetime | None = None


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def next_day(now: datetime) -> datetime:
    """Midnight UTC after ``now``: the default start of coverage."""
    return start_of_day(now.astimezone(UTC).date() + timedelta(days=1))


def one_year_after(moment: datetime) -> datetime:
    """The same instant a calendar year later (29 February → 28 February)."""
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, day=28)


def _whole_seconds(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _refuse_far_future(moment: datetime | None, code: str) -> None:
    if moment is not None and moment > LATEST:
        raise ValidationError(TOO_FAR_AHEAD, code=code)


def resolve_window(
    *,
    effective_at: datetime | None,
    end_at: datetime | None,
    now: datetime,
    check_future: bool = True,
) -> Window:
    """Apply the defaults and rules to a requested window, or raise ValidationError.

    ``check_future`` is off only when re-validating a window that already started
    (e.g. an update that leaves the start alone).
    """
    now = _whole_seconds(now)
    _refuse_far_future(effective_at, "effective_date_invalid")
    _refuse_far_future(end_at, "end_date_invalid")
    effective = next_day(now) if effective_at is None else _whole_seconds(effective_at)
    if check_future and effective < now:
        raise ValidationError(EFFECTIVE_IN_PAST, code="effective_date_invalid")
    end = effective + DEFAULT_LENGTH if end_at is None else _whole_seconds(end_at)
    if end < effective:
        raise ValidationError(END_BEFORE_EFFECTIVE, code="end_date_invalid")
    work_end = None
    if end.date() == effective.date():
        work_end = end
        end = start_of_day(effective.date() + timedelta(days=1))
    if end > one_year_after(effective):
        raise ValidationError(END_TOO_FAR, code="end_date_invalid")
    return Window(effective_at=effective, end_at=end, work_end_at=work_end)


def resolve_extension(*, window: Window, new_end_at: datetime, now: datetime) -> Window:
    """The extended window: the work never ends earlier, at most a year from the start.

    The work's end is compared with the work's end (a job dispatched 14:00-16:00 may be
    extended to 20:00 though its coverage already runs to midnight); the coverage never
    shrinks, and a same-day end still covers to midnight.
    """
    _refuse_far_future(new_end_at, "end_date_invalid")
    new_end = _whole_seconds(new_end_at)
    if window.end_at <= _whole_seconds(now):
        raise ValidationError(COVERAGE_ENDED, code="end_date_invalid")
    if new_end < (window.work_end_at or window.end_at):
        raise ValidationError(EXTEND_SHORTENS, code="end_date_invalid")
    if new_end > one_year_after(window.effective_at):
        raise ValidationError(END_TOO_FAR, code="end_date_invalid")
    if new_end >= window.end_at:
        return Window(effective_at=window.effective_at, end_at=new_end)
    return Window(
        effective_at=window.effective_at, end_at=window.end_at, work_end_at=new_end
    )

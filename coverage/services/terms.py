"""What a write checks and reads before it prices: the job category approved for the
platform, the pay a dispatch earns, and the rating for a window starting at a given moment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError

from coverage.models import Assignment, CategoryCode, WorkJob
from coverage.rating import WIRE_KEYS, RateBook, Rating, premium_for, rate
from coverage.services.eligibility import is_approved

MISSING_CATEGORY = "The job has no job category code."
CATEGORY_NOT_APPROVED = (
    "The job category code {code} is not approved for your platform yet."
)


def require_approved(category: CategoryCode | None, *, platform_id: int) -> None:
    if category is None:
        raise ValidationError(MISSING_CATEGORY, code="missing_job_category_code")
    if not is_approved(category, platform_id=platform_id):
        raise ValidationError(
            CATEGORY_NOT_APPROVED.format(code=category.public_id),
            code="job_category_not_approved",
        )


SECONDS_PER_HOUR = 3600


def dispatch_pay(*, job: WorkJob, effective_at: datetime, end_at: datetime) -> int:
    """The pay one dispatch of ``job`` earns, in cents: what its premium is rated on.

    A flat fee (and a per-unit or blended wage, whose units the API does not carry)
    pays the wage. An hourly wage pays wage × hours: the job's ``duration_hours`` when
    the platform sends it, otherwise the hours of the dispatch window, to the second,
    rounded half-up to a cent (a 2-hour window at $300/h earns $600).
    """
    if job.wage_type != WorkJob.WageType.HOURLY:
        return job.wage
    if job.duration_hours is not None:
        return job.wage * job.duration_hours
    seconds = int((end_at - effective_at).total_seconds())
    return (job.wage * seconds + SECONDS_PER_HOUR // 2) // SECONDS_PER_HOUR


def rating_day(moment: datetime) -> date:
    """The day a window is rated on: the UTC day it starts (rates are dated by day)."""
    return moment.astimezone(UTC).date()


def rate_terms(
    *,
    category_code: CategoryCode | None,
    lines: Sequence[str],
    work_state: str,
    residence_state: str,
    starts_at: datetime,
    book: RateBook | None = None,
) -> Rating:
    """coverage.rating.rate() for a window starting at ``starts_at``.

    A job or policy without a category has nothing to rate: refused as
    ``require_approved`` refuses it.
    """
    if category_code is None:
        raise ValidationError(MISSING_CATEGORY, code="missing_job_category_code")
    return rate(
        category_code=category_code,
        lines=lines,
        work_state=work_state,
        residence_state=residence_state,
        on=rating_day(starts_at),
        book=book,
    )


def rating_snapshot(rating: Rating) -> dict[str, Any]:
    """What quotes and assignments store: the wire form, so their price never moves."""
    return rating.as_wire()


# The audit's arithmetic (coverage.services.actuals): what premium stands on, and
# what it comes to at the rates the dispatch was rated at. Here, below both actuals
# and redecide, so either can use it.
_LINE_BY_WIRE_KEY = {key: line for line, key in WIRE_KEYS.items()}


def premium_basis(assignment: Assignment) -> int:
    """The pay a dispatch's premium stands on: the actual pay once reported, else the estimate."""
    return assignment.pay if assignment.actual_pay is None else assignment.actual_pay


def audited_premiums(assignment: Assignment, *, pay: int) -> dict[str, int]:
    """Per line, ``pay`` at the net rates the dispatch was rated at (integer cents)."""
    return {
        _LINE_BY_WIRE_KEY.get(key, key): premium_for(
            pay_cents=pay, net_rate=int(line["net_rate"])
        )
        for key, line in (assignment.rating or {}).items()
    }

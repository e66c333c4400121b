"""What a write checks and reads before it prices: the job category approved for the
platform, and the rating for a window starting at a given moment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError

from coverage.models import CategoryCode
from coverage.rating import Rating, rate
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
    )


def rating_snapshot(rating: Rating) -> dict[str, Any]:
    """What quotes and assignments store: the wire form, so their price never moves."""
    return rating.as_wire()

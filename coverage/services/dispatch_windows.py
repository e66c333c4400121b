"""One live dispatch of a contractor on a job per window (issue 14: double billing).

Idempotency keys only protect a retry; two requests with different keys for the same
dispatch used to book it twice. The database refuses the second one (an exclusion
constraint over the work's window, ``coverage.models.dispatch.ONE_DISPATCH_PER_WINDOW``)
and this module turns that refusal into the API's and the portal's error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.db.models import Q

from coverage.models import Assignment
from coverage.models.dispatch import ONE_DISPATCH_PER_WINDOW

DUPLICATE_DISPATCH = (
    "This contractor already has a dispatch on this job for an overlapping window; "
    "change or cancel that assignment instead of dispatching again."
)

P = ParamSpec("P")
R = TypeVar("R")


def refuse_duplicate(assignment: Assignment) -> None:
    """The window rule read before writing, where no constraint enforces it.

    On PostgreSQL the exclusion constraint ``ONE_DISPATCH_PER_WINDOW`` is the judge
    (a read-then-write check would let racing requests through); SQLite has no such
    constraint, so this check stands in for it there.
    """
    if connection.vendor == "postgresql":
        return
    start, end = assignment.effective_at, assignment.job_end_at
    clash = (
        Assignment.objects.filter(
            contractor_id=assignment.contractor_id,
            job_id=assignment.job_id,
            cancelled_at__isnull=True,
            deleted_at__isnull=True,
            effective_at__lt=end,
        )
        .filter(
            Q(work_end_at__gt=start) | Q(work_end_at__isnull=True, end_at__gt=start)
        )
        .exclude(pk=assignment.pk)
    )
    if clash.exists():
        raise ValidationError(DUPLICATE_DISPATCH, code="409:duplicate_assignment")


def one_dispatch_per_window(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the exclusion constraint's violation into the duplicate-dispatch refusal.

    Wraps a service *outside* its ``transaction.atomic`` so the failed statement's
    transaction (or savepoint) is already rolled back: nothing half-written, and no
    savepoint of its own on the path every dispatch takes.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except IntegrityError as exc:
            diag = getattr(exc.__cause__, "diag", None)
            if getattr(diag, "constraint_name", None) != ONE_DISPATCH_PER_WINDOW:
                raise
            raise ValidationError(
                DUPLICATE_DISPATCH, code="409:duplicate_assignment"
            ) from None

    return wrapper

"""Builders for the dispatcher-portal tests: tickets on a given day, opt-ins, HTMX headers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage.models import Assignment, CategoryCode, Contractor, WorkJob
from coverage.services import create_assignment
from policies.models import Policy
from tests.coverage.helpers import GL, WC, bound_policy

HTMX = {"HX-Request": "true"}
WRITES = ("INSERT", "UPDATE", "DELETE")


def today() -> date:
    return timezone.now().astimezone(UTC).date()


def tomorrow() -> date:
    return today() + timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def ticket(
    contractor: Contractor,
    job: WorkJob,
    *,
    day: date | None = None,
    hour: int = 12,
    hours: int = 2,
    lines: Sequence[str] | None = (WC, GL),
    bind: bool = True,
) -> Assignment:
    """A dispatch reported through the service, starting on ``day`` at ``hour`` UTC.

    Reported a minute before it starts, so a ticket today can start at any hour
    (the service refuses starts in the past).
    """
    start = at(day or today(), hour)
    return create_assignment(
        contractor=contractor,
        job=job,
        lines=list(lines) if lines else None,
        effective_at=start,
        end_at=start + timedelta(hours=hours),
        bind=bind,
        now=min(timezone.now(), start - timedelta(minutes=1)),
    )


def opted_in(
    contractor: Contractor,
    category: CategoryCode,
    *,
    state: str = "NJ",
    lines: Sequence[str] = (WC, GL),
) -> Policy:
    """An active WC+GL policy in ``state`` for the trade, in force from yesterday for 60 days."""
    return bound_policy(
        contractor,
        category=category,
        lines=lines,
        wc_state=state,
        gl_state=contractor.residence_state or state,
        starts=timezone.now() - timedelta(days=1),
    )


def writes_in(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(WRITES)]


def capture() -> CaptureQueriesContext:
    return CaptureQueriesContext(connection)

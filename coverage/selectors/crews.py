"""Crews: several techs sent to one job at one start, each with their own dispatch.

A crew is derived, not stored: the live dispatches of one job with the same start
(``crew_key``). The board groups the rows of a page by it; the ticket lists the rest.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from coverage.models import Assignment
from coverage.selectors.tickets import Crew, Status, Ticket


def crew_key(assignment: Assignment) -> tuple[int, datetime]:
    """A crew is the live dispatches of one job starting at the same moment.

    The same job done again later that day (another visit) is another crew.
    """
    return assignment.job_id, assignment.effective_at


def group_crews(rows: list[Ticket]) -> list[Ticket]:
    """``rows`` with each crew's members together, where its first member stands.

    Only the rows given are grouped (one board page, as filtered); a tech alone is
    left as is.
    """
    crews: dict[tuple[int, datetime], list[Ticket]] = {}
    for row in rows:
        if row.status != Status.CANCELLED:
            crews.setdefault(crew_key(row.assignment), []).append(row)
    placed: set[int] = set()
    ordered: list[Ticket] = []
    for row in rows:
        if id(row) in placed:
            continue
        # A cancelled dispatch is no one's crew; every other row is in its own.
        members = crews.get(crew_key(row.assignment), [])
        if row.status == Status.CANCELLED or len(members) == 1:
            ordered.append(row)
            continue
        crew = Crew(members)
        for i, member in enumerate(members):
            member.crew, member.crew_lead = crew, i == 0
            placed.add(id(member))
            ordered.append(member)
    return ordered


def crew_of(assignment: Assignment) -> QuerySet[Assignment]:
    """The other live, uncancelled dispatches of the assignment's crew (``crew_key``)."""
    return (
        Assignment.objects.filter(
            job_id=assignment.job_id,
            platform_id=assignment.platform_id,
            effective_at=assignment.effective_at,
            cancelled_at__isnull=True,
        )
        .live()
        .exclude(pk=assignment.pk)
        .order_by("effective_at", "pk")
    )

"""When a tech's own certificate stops covering a dispatch's whole window, the dispatch
is decided again (issue 18's expiry rule; ``coverage.services.own_cover`` says when a
certificate covers).

A dispatch only relies on an own certificate that covers its whole window when it is
decided, so what can leave one uncovered is a window that grows past the certificate's
expiration (an extension keeps the decision otherwise) or a lapse the dispatch was not
re-decided for. Both are caught here: ``redecide_if_unspanned`` on the extension itself,
and ``redecide_lapsed`` (the ``lapse_own_certificates`` command, or the
``redecide_lapsed_own_cover`` task, daily) for every live dispatch. The re-decision is the
ordinary one (``redecide.redecide``): our policy covers the line if it can, else the
dispatch is refused — and a dispatch under way keeps the premium earned so far.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from coverage.models import Assignment
from coverage.services.redecide import redecide, redecide_assignments
from portal import queues


def unspanned(assignment: Assignment) -> bool:
    """Whether an own line's certificate expires on or before the window's last day."""
    last = assignment.end_at.astimezone(UTC).date()
    return any(
        date.fromisoformat(kept["expires"]) <= last
        for kept in (assignment.own_cover or {}).values()
    )


def redecide_if_unspanned(assignment: Assignment, *, now: datetime) -> bool:
    """After a window change: decide again if an own certificate no longer spans it.

    The caller holds the assignment's row lock in the writing transaction."""
    if not unspanned(assignment):
        return False
    redecide(assignment, now=now)
    return True


@transaction.atomic
def redecide_lapsed(*, now: datetime) -> list[Assignment]:
    """Every live dispatch whose own certificate no longer spans its window, re-decided."""
    relying = (
        Assignment.objects.live()
        .filter(cancelled_at__isnull=True, end_at__gt=now)
        .exclude(Q(own_cover={}) | Q(own_cover__isnull=True))
        .only("pk", "end_at", "own_cover")
    )
    lapsed = [a.pk for a in relying if unspanned(a)]
    if not lapsed:
        return []
    return redecide_assignments(Q(pk__in=lapsed), now=now)


@task(queue_name=queues.DEFAULT)
def redecide_lapsed_own_cover() -> list[str]:
    """The daily sweep, for a scheduler that enqueues tasks."""
    return [a.public_id for a in redecide_lapsed(now=timezone.now())]

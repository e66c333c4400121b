"""A crew: several techs sent to one job at one start, each on their own dispatch.

A crew is derived, not stored (``coverage.selectors.crews``): sending one is creating
each tech's assignment, all or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from coverage.audit import Actor
from coverage.models import Assignment, Contractor, WorkJob
from coverage.services.dispatching import create_assignment
from coverage.services.jobs import JobData, create_job
from portal.models import Platform


@transaction.atomic
def dispatch_crew(
    *,
    platform: Platform,
    techs: Sequence[Contractor],
    job: WorkJob | None,
    new_job: JobData | None = None,
    lines: Sequence[str] | None,
    effective_at: datetime | None,
    end_at: datetime | None,
    by: Actor = None,
    now: datetime,
) -> list[Assignment]:
    """One assignment per tech on ``job`` (or on ``new_job``, created here): all or none.

    One transaction: a refused dispatch (a duplicate window, a price that cannot be
    set) leaves neither the crew's other dispatches nor the new job behind.
    """
    if job is None:
        assert new_job is not None, "a crew goes to a job, existing or new"
        job = create_job(platform=platform, data=new_job, by=by)
    return [
        create_assignment(
            contractor=tech,
            job=job,
            lines=lines,
            effective_at=effective_at,
            end_at=end_at,
            now=now,
        )
        for tech in techs
    ]

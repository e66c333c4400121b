"""Reads for the tech pages: a tech's tickets, and whether their opt-in would cover their
next job (asked ahead, writing nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from coverage.models import Assignment, Contractor, WorkJob
from coverage.services.dates import next_day
from coverage.services.eligibility import Eligibility, check


@dataclass(frozen=True)
class RepeatAnswer:
    """Would the tech's opt-in cover their next job? ``result`` says, and why not."""

    basis: str  # "next_ticket", "last_job" or "chosen_job"
    job: WorkJob
    at: datetime
    result: Eligibility
    ticket: Assignment | None = None


def repeat_coverage(
    *, contractor: Contractor, now: datetime, job: WorkJob | None = None
) -> RepeatAnswer | None:
    """Seed 000's automatic coverage, asked ahead: ``eligibility.check``, writing nothing.

    Without ``job``: the tech's next scheduled ticket if there is one, else the job
    they worked last, done again tomorrow. None when they have never been dispatched.
    """
    basis = "chosen_job"
    if job is None:
        theirs = visible_tickets_of(contractor).select_related(
            "job__category_code", "job__entity"
        )
        upcoming = (
            theirs.filter(cancelled_at__isnull=True, effective_at__gt=now)
            .order_by("effective_at", "pk")
            .first()
        )
        if upcoming is not None:
            result = check(
                contractor=contractor,
                job=upcoming.job,
                lines=upcoming.lines or None,
                effective_at=upcoming.effective_at,
            )
            return RepeatAnswer(
                "next_ticket", upcoming.job, upcoming.effective_at, result, upcoming
            )
        last = theirs.order_by("-effective_at", "-pk").first()
        if last is None:
            return None
        job, basis = last.job, "last_job"
    at = next_day(now)
    result = check(contractor=contractor, job=job, lines=None, effective_at=at)
    return RepeatAnswer(basis, job, at, result)


def visible_tickets_of(contractor: Contractor) -> QuerySet[Assignment]:
    return Assignment.objects.filter(contractor=contractor).live()

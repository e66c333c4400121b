"""What eligibility and rating read for one new dispatch, carried on the locked
contractor row (issue 15: the write path in ten statements).

``create_assignment`` decides on the contractor's live policies, its approved own
certificates and the rate book's classes and rates for the dispatch's states. Each
was a query of its own; on PostgreSQL they are JSON aggregations annotated on the
contractor's locking read (``contractors_for_dispatch``), so the rows are read in the
statement that locks the contractor, in the same snapshot, and the judging code gets
them as before:

- the live policies as ``Policy`` instances, newest first (``eligibility.live_policies``);
- the approved outside certificates' ids and parsed contents, newest approval first
  (``own_cover.covering``);
- the class mappings of the job's category with the rate in force on the rating day,
  for workers' compensation in the job's work state and every other line in the
  contractor's residence state (``rating.rate``'s lookup).

Each reader falls back to its own query when the pre-read does not answer for what
it is asked (another window, another state, no annotation: SQLite, or a caller that
read the contractor some other way), so a pre-read can only save a query, never
change an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import CharField, OuterRef, Q, Subquery
from django.db.models.functions import Cast, JSONObject, Trim, Upper

from coverage.models import ClassMapping, Rate, UploadedCertificate, WorkJob
from coverage.rating import BookRow, RateBook
from coverage.services.dates import Window
from coverage.services.own_cover import for_customer
from coverage.services.terms import rating_day
from policies.lines import CoverageType
from policies.models import Policy, PolicyStatus
from portal import json_rows
from portal.jurisdictions import normalize_state

WORKERS_COMP = CoverageType.WORKERS_COMP.value


@dataclass(frozen=True)
class DispatchReads:
    """The pre-read rows, for the window they were read for."""

    effective_at: datetime
    end_at: datetime
    policies: list[Policy]
    # (public id, parsed content) of each approved own certificate, newest approval first.
    own_certificates: list[tuple[str, Any]]
    book: RateBook | None

    def answers(self, *, effective_at: datetime, end_at: datetime | None) -> bool:
        return self.effective_at == effective_at and self.end_at == end_at


def reads_for(*, job: WorkJob, window: Window) -> dict[str, Any]:
    """What ``contractors_for_dispatch`` annotates for ``job`` in ``window``."""
    policies = Policy.objects.filter(
        platform_id=OuterRef("platform_id"),
        contractor_id=OuterRef("pk"),
        status=PolicyStatus.ACTIVE,
        expires_at__gt=window.effective_at,
    )
    approved = for_customer(
        UploadedCertificate.objects.filter(
            platform_id=OuterRef("platform_id"),
            contractor_id=OuterRef("pk"),
            status=UploadedCertificate.Status.APPROVED,
        ),
        job=job,
    )
    found: dict[str, Any] = {
        "pre_read_policies": json_rows.rows(
            policies,
            order_by=("-effective_at", "-id"),
        ),
        "pre_read_own": json_rows.rows(
            approved,
            JSONObject(public_id="public_id", parsed="parsed"),
            order_by=("-decided_at", "-reviewed_at", "-id"),
        ),
        # The residence state as the subquery below matched it, and the window all
        # of it was read for.
        "pre_read_residence": Upper(Trim("address_region")),
        "pre_read_from": models.Value(
            window.effective_at, output_field=models.DateTimeField()
        ),
        "pre_read_to": models.Value(window.end_at, output_field=models.DateTimeField()),
    }
    if job.category_code_id is not None:
        day = rating_day(window.effective_at)
        in_force = Rate.objects.filter(
            class_code=OuterRef("class_code"), effective_date__lte=day
        ).order_by("-effective_date")
        mappings = ClassMapping.objects.filter(
            Q(line=WORKERS_COMP, jurisdiction=normalize_state(job.work_state))
            | (
                ~Q(line=WORKERS_COMP)
                & Q(jurisdiction=Upper(Trim(OuterRef("address_region"))))
            ),
            category_code_id=job.category_code_id,
        )
        found["pre_read_book"] = json_rows.rows(
            mappings,
            JSONObject(
                line="line",
                jurisdiction="jurisdiction",
                class_code="class_code__code",
                # As text: a JSON number would come back a binary float.
                rate=Cast(Subquery(in_force.values("rate")[:1]), CharField()),
                rate_from=Subquery(in_force.values("effective_date")[:1]),
            ),
            order_by=("line",),
        )
    return found


def _book(
    rows: list[dict[str, Any]], *, work_state: str, residence: str, on: date
) -> RateBook:
    answered = {(WORKERS_COMP, work_state)} | {
        (line, residence) for line in CoverageType.values if line != WORKERS_COMP
    }
    return RateBook(
        on=on,
        answered=frozenset(answered),
        rows={
            (row["line"], row["jurisdiction"]): BookRow(
                class_code=row["class_code"],
                rate=None if row["rate"] is None else Decimal(row["rate"]),
                rate_from=None
                if row["rate_from"] is None
                else date.fromisoformat(row["rate_from"]),
            )
            for row in rows
        },
    )


def pre_read(contractor: Any, *, job: WorkJob) -> DispatchReads | None:
    """The contractor's pre-read rows, or None when it was read without them."""
    if not hasattr(contractor, "pre_read_policies"):
        return None
    starts: datetime = contractor.pre_read_from
    book = None
    if hasattr(contractor, "pre_read_book"):
        book = _book(
            contractor.pre_read_book or [],
            work_state=normalize_state(job.work_state),
            residence=contractor.pre_read_residence,
            on=rating_day(starts),
        )
    return DispatchReads(
        effective_at=starts,
        end_at=contractor.pre_read_to,
        policies=[
            json_rows.instance(Policy, row)
            for row in contractor.pre_read_policies or []
        ],
        own_certificates=[
            (row["public_id"], row["parsed"]) for row in contractor.pre_read_own or []
        ],
        book=book,
    )

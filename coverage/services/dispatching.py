"""Reporting a dispatch: ``create_assignment`` and its live preview.

The write path of POST /api/v1/assignments and the ticket form, kept to a handful of
statements (issue 15): the parties are read and locked with what eligibility and the
charging gate ask of the platform, the assignment is inserted with its premium, and
its ledger charges, certificates, events and render task are one INSERT each, all in
the caller's transaction. Changing, cancelling and extending a dispatch live in
``coverage.services.assignments``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet

from coverage import certificates
from coverage.api.serializers import assignment_json
from coverage.models import Assignment, Contractor, WorkJob
from coverage.payments import charging, rules
from coverage.rating import Rating
from coverage.services import dispatch_reads, ledger
from coverage.services.dates import Window, resolve_window
from coverage.services.deciding import evaluate as _evaluate
from coverage.services.deciding import rate_dispatch as _rate
from coverage.services.dispatch_windows import (
    one_dispatch_per_window,
    refuse_duplicate,
)
from coverage.services.eligibility import approved_subquery
from coverage.services.inputs import clean_lines
from coverage.services.terms import rating_day
from coverage.webhooks import events
from policies.models import Policy
from portal import json_rows


def jobs_for_dispatch(*, platform_id: int) -> QuerySet[WorkJob]:
    """Jobs read (and locked) as ``create_assignment`` decides on them.

    A caller that looks the job up itself inside its transaction (the API, by public
    id) reads it through this queryset and passes ``locked=True``: one statement
    instead of a lookup and a second, locking read.
    """
    return (
        WorkJob.objects.select_for_update(of=("self",))
        .select_related("entity", "category_code")
        # What eligibility asks of the platform, read with the row it asks about.
        .annotate(category_approved=approved_subquery(platform_id))
    )


def contractors_for_dispatch(
    *, job: WorkJob | None = None, window: Window | None = None
) -> QuerySet[Contractor]:
    """Contractors read (and locked) as ``create_assignment`` decides on them.

    With the (locked) ``job`` and the resolved ``window``, the row also carries what
    eligibility and rating read for them (``dispatch_reads``, PostgreSQL): the live
    policies, the approved own certificates and the rate book's rows.
    """
    contractors = Contractor.objects.all()
    if job is not None and window is not None and json_rows.supported():
        contractors = contractors.annotate(
            **dispatch_reads.reads_for(job=job, window=window)
        )
    # The platform's billing mode and its webhook endpoints (or whether it has any):
    # read with the row instead of a query each. OuterRef: the contractor's platform
    # (an F() here would name the subquery's own column and match every platform's).
    platform_id = OuterRef("platform_id")
    if json_rows.supported():
        webhooks: dict[str, Any] = {
            "live_endpoints": events.live_endpoints(platform_id)
        }
    else:
        webhooks = {"has_webhooks": events.endpoints_exist(platform_id)}
    return (
        contractors.select_for_update(of=("self",))
        .select_related("platform")
        .annotate(
            collects_by_card=rules.collects_by_card_subquery(platform_id), **webhooks
        )
    )


def dispatch_window(
    *,
    effective_at: datetime | None,
    end_at: datetime | None,
    now: datetime,
) -> Window | None:
    """The window ``create_assignment`` will resolve from the same input and ``now``,
    or None when it will refuse it (the refusal is then its to report, in order)."""
    try:
        return resolve_window(effective_at=effective_at, end_at=end_at, now=now)
    except ValidationError:
        return None


def _lock_parties(
    *, job: WorkJob, contractor: Contractor, locked: bool, window: Window
) -> tuple[WorkJob, Contractor]:
    if locked:
        # Read through the querysets above in this very transaction (the annotations
        # prove the first, the open transaction the second).
        read_for_dispatch = hasattr(job, "category_approved") and hasattr(
            contractor, "collects_by_card"
        )
        if not (read_for_dispatch and transaction.get_connection().in_atomic_block):
            raise RuntimeError("locked=True needs the parties read for the dispatch")
        return job, contractor
    # The job first, the order every writer takes.
    job = jobs_for_dispatch(platform_id=contractor.platform_id).get(pk=job.pk)
    return job, contractors_for_dispatch(job=job, window=window).get(pk=contractor.pk)


# No savepoint: create_assignment is the whole of its caller's write (the API's
# idempotent transaction, the ticket form's), and any failure fails that write; a
# savepoint would only cost two statements.
@one_dispatch_per_window
@transaction.atomic(savepoint=False)
def create_assignment(
    *,
    contractor: Contractor,
    job: WorkJob,
    lines: Sequence[str] | None,
    effective_at: datetime | None,
    end_at: datetime | None,
    bind: bool = True,
    policy: Policy | None = None,
    now: datetime,
    locked: bool = False,
) -> Assignment:
    """Report a dispatch. Ineligible ones are recorded too, with the reason and no premium.

    ``locked``: the caller read ``job`` and ``contractor`` through ``jobs_for_dispatch``
    and ``contractors_for_dispatch`` in the transaction this call joins (the latter
    with the job and window, to save eligibility's reads: ``dispatch_window``).
    """
    window = resolve_window(effective_at=effective_at, end_at=end_at, now=now)
    # The job and contractor rows are locked so that a change to either (which
    # re-decides their dispatches under the same lock) waits for this one or is
    # seen by it: a dispatch is never decided on a job or residence that has changed.
    job, contractor = _lock_parties(
        job=job, contractor=contractor, locked=locked, window=window
    )
    assignment = Assignment(
        platform=contractor.platform,
        contractor=contractor,
        job=job,
        bind=bind,
        effective_at=window.effective_at,
        end_at=window.end_at,
        work_end_at=window.work_end_at,
    )
    amounts = _evaluate(
        assignment,
        requested=clean_lines(lines) if lines else None,
        policy=policy,
        approved=job.category_approved,  # type: ignore[attr-defined]
        reads=dispatch_reads.pre_read(contractor, job=job),
    )
    card_payer = rules.pays_by_card(
        contractor=contractor,
        job=job,
        platform_collects=bool(contractor.collects_by_card),  # type: ignore[attr-defined]
    )
    if not card_payer:
        # What the ledger is about to hold, so the row is written once.
        assignment.premium = sum(amounts.values())
    refuse_duplicate(assignment)
    assignment.save(force_insert=True)
    # A card payer is covered only once the premium is charged (seed 000, condition 7).
    amounts = charging.gate(
        assignment=assignment, amounts=amounts, now=now, card_payer=card_payer, new=True
    )
    if amounts:
        ledger.charge_new(
            assignment=assignment,
            amounts=amounts,
            books_on=rating_day(assignment.effective_at),
        )
    assert assignment.premium == sum(amounts.values())
    # In this transaction, so the response and the event already carry their URLs;
    # the PDFs are rendered once it commits.
    certificates.issue_new_certificates(assignment=assignment, now=now)
    created = [("assignment.created", dict(assignment_json(assignment)))]
    if assignment.is_covered:
        created.append(("assignment.active", created[0][1]))
    if hasattr(contractor, "live_endpoints"):
        events.emit_each(
            platform=assignment.platform,
            events=created,
            endpoints=events.endpoints_of(contractor.live_endpoints),
        )
    else:
        events.emit_each(
            platform=assignment.platform,
            events=created,
            has_endpoints=contractor.has_webhooks,  # type: ignore[attr-defined]
        )
    return assignment


@dataclass(frozen=True)
class DispatchPreview:
    """What ``create_assignment`` would decide and record for a dispatch, before it exists."""

    eligible: bool
    message: str
    # The requested lines routed and rated; also when not covered (what an opt-in
    # would cost). None when they cannot be rated: see ``rating_error``.
    rating: Rating | None
    rating_error: str
    # True when create_assignment itself would refuse the dispatch (a covered
    # dispatch that cannot be priced); an uncovered one is recorded unpriced.
    refused: bool
    # Cents the dispatch would record now: 0 unless it is covered.
    premium: int
    # The pay the work earns (cents): what the premium is rated on.
    pay: int


def preview_assignment(
    *,
    contractor: Contractor,
    job: WorkJob,
    lines: Sequence[str] | None,
    effective_at: datetime | None,
    end_at: datetime | None,
    now: datetime,
) -> DispatchPreview:
    """The dispatcher's live preview: ``create_assignment``'s decision, writing nothing.

    ``job`` may be unsaved (a job the ticket form would create). Raises ValidationError
    for the window and the lines exactly as ``create_assignment`` would.
    """
    window = resolve_window(effective_at=effective_at, end_at=end_at, now=now)
    assignment = Assignment(
        platform_id=contractor.platform_id,
        contractor=contractor,
        job=job,
        effective_at=window.effective_at,
        end_at=window.end_at,
        work_end_at=window.work_end_at,
    )
    requested = clean_lines(lines) if lines else None
    try:
        # The very decision create_assignment makes (eligibility, then price).
        amounts = _evaluate(assignment, requested=requested, policy=None)
    except ValidationError as exc:
        return DispatchPreview(
            eligible=assignment.eligible,
            message=assignment.eligibility_message,
            rating=None,
            rating_error=" ".join(exc.messages),
            refused=True,
            premium=0,
            pay=assignment.pay,
        )
    rating, error = None, ""
    if assignment.lines:
        try:
            rating = _rate(assignment)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return DispatchPreview(
        eligible=assignment.eligible,
        message=assignment.eligibility_message,
        rating=rating,
        rating_error=error,
        refused=False,
        premium=sum(amounts.values()),
        pay=assignment.pay,
    )

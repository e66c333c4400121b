"""/api/v1/assignments (+ /cancel, /extend): dispatches, their eligibility and premium."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Status

from coverage import services
from coverage.api.contractors import contractor_or_404
from coverage.api.inputs import WireIn, get_or_404, required, timestamp, usable
from coverage.api.jobs import job_or_404
from coverage.api.policies import policy_or_404
from coverage.api.serializers import AssignmentJSON, assignment_json
from coverage.api.site import api
from coverage.api.wire import DeletedJSON, deleted
from coverage.certificates import with_certificate_urls
from coverage.models import Assignment
from coverage.services.dispatching import (
    contractors_for_dispatch,
    dispatch_window,
    jobs_for_dispatch,
)
from portal.api import ApiError, cursor_page, platform_of
from portal.idempotency import idempotency_key


class AssignmentUpdate(WireIn):
    contractor: str | None = None
    contractor_id: str | None = None  # alias of contractor
    job: str | None = None
    job_id: str | None = None  # alias of job
    bind: bool | None = None
    coverage_type: list[str] | None = None
    effective_date: int | None = None
    end_date: int | None = None
    policy: str | None = None


class AssignmentCreate(AssignmentUpdate):
    bind: bool = True


class AssignmentPut(AssignmentUpdate):
    # Our additions: actuals reported on the dispatch (the audit). ``actual_pay`` in
    # cents, or ``actual_hours`` worked on an hourly job (wage × hours); null returns
    # the premium to its estimate. The response carries the pay in ``actual_pay``.
    actual_pay: int | None = None
    # A JSON number of hours (2.75): lax on purpose, as the strict base would take
    # only a Decimal object; the service judges range and precision.
    actual_hours: Decimal | None = Field(None, strict=False)


class CancelIn(WireIn):
    job_id: str | None = None
    job: str | None = None  # alias of job_id
    contractor: str | None = None  # narrows to one contractor's assignment
    reason: str = Field("", max_length=100)


class ExtendIn(WireIn):
    job_id: str | None = None
    job: str | None = None  # alias of job_id
    contractor: str | None = None
    end_date: int
    send_email: bool = True


def _assignment(request: HttpRequest, assignment_id: str) -> Assignment:
    return get_or_404(
        Assignment.objects.for_platform(platform_of(request))
        .live()
        .select_related("contractor", "job", "policy"),
        assignment_id,
        what="assignment",
        code="invalid_assignment_id",
    )


# What a list's ``assignment_json`` reads: every column of the assignment, and only the
# public id of its contractor, job and policy (their other columns, tax ids and policy
# documents among them, were two thirds of a page's query and of its decoding).
LIST_FIELDS = (
    *(f.name for f in Assignment._meta.concrete_fields),
    "contractor__public_id",
    "job__public_id",
    "policy__public_id",
)


def _page(
    request: HttpRequest,
    *,
    limit: str | None,
    starting_after: str | None,
    ending_before: str | None,
) -> list[Assignment]:
    return cursor_page(
        with_certificate_urls(
            Assignment.objects.for_platform(platform_of(request))
            .live()
            .select_related("contractor", "job", "policy")
            .only(*LIST_FIELDS)
        ),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )


# /cancel and /extend come before /{assignment_id} so that they win the URL match.
@api.post("/assignments/cancel", response=AssignmentJSON, tags=["assignments"])
def cancel_assignment(request: HttpRequest, payload: CancelIn) -> AssignmentJSON:
    """Cancel the job's assignment, only before it starts; its premium is reversed."""
    job = job_or_404(request, required(payload.job_id or payload.job, "job_id"))
    assignment = services.cancel_job_assignment(
        job=job,
        contractor=contractor_or_404(request, payload.contractor)
        if payload.contractor
        else None,
        reason=payload.reason,
        now=timezone.now(),
    )
    return assignment_json(assignment)


@api.post("/assignments/extend", response=AssignmentJSON, tags=["assignments"])
def extend_assignment(request: HttpRequest, payload: ExtendIn) -> AssignmentJSON:
    """A later end date: never earlier than the current one, at most a year from the start."""
    job = job_or_404(request, required(payload.job_id or payload.job, "job_id"))
    assignment = services.extend_job_assignment(
        job=job,
        end_at=timestamp(payload.end_date, "end_date", "end_date_invalid"),
        contractor=contractor_or_404(request, payload.contractor)
        if payload.contractor
        else None,
        now=timezone.now(),
    )
    return assignment_json(assignment)


@api.post("/assignments", response={201: AssignmentJSON}, tags=["assignments"])
def create_assignment(request: HttpRequest, payload: AssignmentCreate) -> Status:
    """Report a dispatch. Ineligible dispatches are recorded too (``eligible.result`` false)."""
    platform = platform_of(request)
    contractor_id = required(payload.contractor or payload.contractor_id, "contractor")
    job_id = required(payload.job or payload.job_id, "job")
    # The lookups are the service's locking reads (two statements, not four), so
    # they run in the transaction the dispatch is written in. The job is locked
    # first, the order every writer takes; an unknown contractor is still the
    # error reported first. A keyed POST already runs in the idempotency
    # transaction, which any error response rolls back whole: no savepoint. Without
    # a key this block is the transaction (in production; a caller's transaction,
    # such as a test's, keeps a savepoint so that a refusal leaves it usable).
    keyed = idempotency_key(request) is not None
    now = timezone.now()
    # Bad dates are refused after the lookups, as before (an unknown contractor is
    # reported first); resolved here, the window lets the contractor's locking read
    # carry eligibility's reads too (policies, own certificates, rate book).
    try:
        effective_at = timestamp(
            payload.effective_date, "effective_date", "effective_date_invalid"
        )
        end_at = timestamp(payload.end_date, "end_date", "end_date_invalid")
    except ApiError:
        window = None
    else:
        window = dispatch_window(effective_at=effective_at, end_at=end_at, now=now)
    with transaction.atomic(savepoint=not keyed):
        jobs = jobs_for_dispatch(platform_id=platform.pk).filter(
            platform=platform, deleted_at=None
        )
        found = jobs.filter(public_id=job_id).first() if usable(job_id) else None
        contractor = get_or_404(
            contractors_for_dispatch(job=found, window=window).filter(
                platform=platform, deleted_at=None
            ),
            contractor_id,
            what="contractor",
            code="invalid_contractor_id",
        )
        job = found or get_or_404(
            jobs.none(), job_id, what="job", code="invalid_job_id"
        )
        assignment = services.create_assignment(
            contractor=contractor,
            job=job,
            lines=payload.coverage_type,
            effective_at=timestamp(
                payload.effective_date, "effective_date", "effective_date_invalid"
            ),
            end_at=timestamp(payload.end_date, "end_date", "end_date_invalid"),
            bind=payload.bind if payload.bind is not None else True,
            policy=policy_or_404(request, payload.policy) if payload.policy else None,
            now=now,
            locked=True,
        )
    return Status(201, assignment_json(assignment))


@api.get("/assignments", response=list[AssignmentJSON], tags=["assignments"])
def list_assignments(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[AssignmentJSON]:
    page = _page(
        request,
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [assignment_json(a) for a in page]


@api.get("/assignments/{assignment_id}", response=AssignmentJSON, tags=["assignments"])
def get_assignment(request: HttpRequest, assignment_id: str) -> AssignmentJSON:
    return assignment_json(_assignment(request, assignment_id))


@api.put("/assignments/{assignment_id}", response=AssignmentJSON, tags=["assignments"])
def update_assignment(
    request: HttpRequest, assignment_id: str, payload: AssignmentPut
) -> AssignmentJSON:
    """Eligibility and premium are decided again; the end of a bound one moves by /extend.

    ``actual_pay`` / ``actual_hours`` report what the work really paid: the premium is
    trued up to it (audit entries), even after the window or once invoiced.
    """
    sent = payload.model_fields_set
    changes: services.AssignmentChanges = {}
    contractor_id = payload.contractor or payload.contractor_id
    if contractor_id:
        changes["contractor"] = contractor_or_404(request, contractor_id)
    job_id = payload.job or payload.job_id
    if job_id:
        changes["job"] = job_or_404(request, job_id)
    if "bind" in sent and payload.bind is not None:
        changes["bind"] = payload.bind
    if "coverage_type" in sent:
        changes["lines"] = payload.coverage_type
    if payload.effective_date is not None:
        changes["effective_at"] = timestamp(
            payload.effective_date, "effective_date", "effective_date_invalid"
        )
    if payload.end_date is not None:
        changes["end_at"] = timestamp(payload.end_date, "end_date", "end_date_invalid")
    if payload.policy:
        changes["policy"] = policy_or_404(request, payload.policy)
    report: services.ActualsReport | None = None
    if "actual_pay" in sent or "actual_hours" in sent:
        report = {
            "actual_pay": payload.actual_pay,
            "actual_hours": payload.actual_hours,
        }
    assignment = services.update_assignment_with_actuals(
        assignment=_assignment(request, assignment_id),
        changes=changes,
        report=report,
        now=timezone.now(),
    )
    return assignment_json(assignment)


@api.delete("/assignments/{assignment_id}", response=DeletedJSON, tags=["assignments"])
def delete_assignment(request: HttpRequest, assignment_id: str) -> dict[str, Any]:
    assignment = services.delete_assignment(
        assignment=_assignment(request, assignment_id), now=timezone.now()
    )
    return deleted(assignment.public_id, "assignment", assignment.deleted_at)

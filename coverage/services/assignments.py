"""Dispatches: record an assignment, decide its eligibility, post its premium.

The decision itself (eligibility, rating on the pay the work earns, the ledger posting)
is ``coverage.services.deciding``'s, shared with the re-decision that follows a change
of the job, contractor, entity or policy (``coverage.services.redecide``). A moved
start or a change of lines re-prices the assignment through ledger adjustments;
cancelling or deleting it reverses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from typing_extensions import TypedDict

from coverage import certificates
from coverage.models import Assignment, Contractor, Invoice, WorkJob
from coverage.payments import charging
from coverage.services import ledger
from coverage.services.dates import Window, resolve_extension, resolve_window
from coverage.services.deciding import emit as _emit
from coverage.services.deciding import evaluate as _evaluate
from coverage.services.deciding import post_premium as _post_premium
from coverage.services.deciding import rate_dispatch as _rate
from coverage.services.dispatch_windows import (
    one_dispatch_per_window,
    refuse_duplicate,
)
from coverage.services.inputs import clean_lines
from coverage.services.own_cover import asked_lines
from coverage.services.own_lapses import redecide_if_unspanned
from coverage.services.terms import dispatch_pay
from policies.models import Policy

ASSIGNMENT_CANCELLED = (
    "This assignment is cancelled; it can no longer be changed or reactivated."
)
CANCEL_AFTER_START = (
    "An assignment can only be cancelled before its start date; this one has started."
)
USE_EXTEND = (
    "The end date of a bound assignment cannot be changed here; use "
    "POST /api/v1/assignments/extend."
)
JOB_INVOICE_PAID = (
    "An invoice for this job has been paid; its assignments can no longer be changed."
)
NO_ASSIGNMENT_FOR_JOB = "No assignment that can be changed was found for this job."
DELETED_REASON = "deleted"
DUPLICATE_REASON = "duplicate"
POLICY_CANCELLED_REASON = "policy_cancelled"


class AssignmentChanges(TypedDict, total=False):
    contractor: Contractor
    job: WorkJob
    lines: Sequence[str] | None
    effective_at: datetime
    end_at: datetime
    bind: bool
    policy: Policy | None


def _locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related(
            "platform", "contractor", "job__category_code", "job__entity", "policy"
        )
        .get(pk=assignment.pk)
    )


def _refuse_if_settled(assignment: Assignment) -> None:
    if assignment.is_cancelled:
        raise ValidationError(ASSIGNMENT_CANCELLED, code="invalid_input")
    paid = Invoice.objects.filter(
        job_id=assignment.job_id, paid_at__isnull=False, deleted_at__isnull=True
    )
    if paid.exists():
        raise ValidationError(JOB_INVOICE_PAID, code="invoice_already_paid")


@one_dispatch_per_window
@transaction.atomic
def update_assignment(
    *, assignment: Assignment, changes: AssignmentChanges, now: datetime
) -> Assignment:
    """Change a dispatch; eligibility and premium are decided again (ledger adjustments)."""
    assignment = _locked(assignment)
    _refuse_if_settled(assignment)
    if (
        "end_at" in changes
        and assignment.is_covered
        and changes["end_at"] != assignment.end_at
    ):
        raise ValidationError(USE_EXTEND, code="invalid_input")
    if "effective_at" in changes or "end_at" in changes:
        effective = changes.get("effective_at", assignment.effective_at)
        # Moving the start keeps the work as long as it was.
        length = assignment.job_end_at - assignment.effective_at
        window = resolve_window(
            effective_at=effective,
            end_at=changes.get("end_at", effective + length),
            now=now,
            check_future="effective_at" in changes,
        )
        assignment.effective_at, assignment.end_at, assignment.work_end_at = (
            window.effective_at,
            window.end_at,
            window.work_end_at,
        )
    for field in ("contractor", "job", "bind"):
        if field in changes:
            setattr(assignment, field, changes[field])
    requested = changes.get(
        "lines", asked_lines(assignment.lines, assignment.own_cover)
    )
    amounts = _evaluate(
        assignment,
        requested=clean_lines(requested) if requested else None,
        policy=changes.get("policy"),
    )
    refuse_duplicate(assignment)
    assignment.save()
    amounts = charging.gate(assignment=assignment, amounts=amounts, now=now)
    _post_premium(assignment, amounts)
    certificates.reissue_certificates(assignment=assignment, now=now)
    _emit(assignment, "assignment.updated")
    return assignment


# Why a cancelled dispatch's certificates were revoked, by its cancellation reason.
_REVOCATION_REASONS = {
    DELETED_REASON: certificates.ASSIGNMENT_DELETED,
    POLICY_CANCELLED_REASON: certificates.POLICY_CANCELLED,
}


def _cancel(assignment: Assignment, *, reason: str, now: datetime) -> None:
    assignment.cancelled_at = now
    assignment.cancellation_reason = reason
    ledger.reverse(assignment=assignment)
    # Card payers are refunded automatically (public API, cancellation refunds).
    charging.release(assignment=assignment, now=now)
    assignment.save(
        update_fields=["cancelled_at", "cancellation_reason", "premium", "updated_at"]
    )
    certificates.revoke_for_assignment(
        assignment=assignment,
        reason=_REVOCATION_REASONS.get(reason, certificates.ASSIGNMENT_CANCELLED),
        now=now,
    )
    _emit(assignment, "assignment.cancelled")


def latest_for_job(*, job: WorkJob, contractor: Contractor | None = None) -> Assignment:
    """The job's most recent assignment still open to change, locked (cancel / extend)."""
    found = job.assignments.filter(deleted_at__isnull=True, cancelled_at__isnull=True)
    if contractor is not None:
        found = found.filter(contractor=contractor)
    latest = found.order_by("-pk").values_list("pk", flat=True).first()
    if latest is None:
        raise ValidationError(NO_ASSIGNMENT_FOR_JOB, code="404:invalid_assignment_id")
    return _locked(Assignment(pk=latest))


def _cancel_before_start(
    assignment: Assignment, *, reason: str, now: datetime
) -> Assignment:
    if now >= assignment.effective_at:
        raise ValidationError(CANCEL_AFTER_START, code="invalid_input")
    _refuse_if_settled(assignment)
    _cancel(assignment, reason=reason, now=now)
    return assignment


@transaction.atomic
def cancel_assignment(
    *, assignment: Assignment, reason: str = "", now: datetime
) -> Assignment:
    """Cancel this assignment before it starts; its premium is reversed (the portal's ticket)."""
    return _cancel_before_start(_locked(assignment), reason=reason, now=now)


@transaction.atomic
def cancel_job_assignment(
    *,
    job: WorkJob,
    contractor: Contractor | None = None,
    reason: str = "",
    now: datetime,
) -> Assignment:
    """``cancel_assignment`` for the job's latest open assignment (POST /assignments/cancel).

    The API names a job and gets its latest assignment; a dispatcher looking at a
    ticket must cancel that ticket even when the job has later ones.
    """
    assignment = latest_for_job(job=job, contractor=contractor)
    return _cancel_before_start(assignment, reason=reason, now=now)


def _extend(assignment: Assignment, *, end_at: datetime, now: datetime) -> Assignment:
    _refuse_if_settled(assignment)
    extended = resolve_extension(
        window=Window(
            assignment.effective_at, assignment.end_at, assignment.work_end_at
        ),
        new_end_at=end_at,
        now=now,
    )
    if (extended.end_at, extended.work_end_at) == (
        assignment.end_at,
        assignment.work_end_at,
    ):
        return assignment  # the documented no-op
    assignment.end_at, assignment.work_end_at = extended.end_at, extended.work_end_at
    refuse_duplicate(assignment)
    assignment.save(update_fields=["end_at", "work_end_at", "updated_at"])
    if redecide_if_unspanned(assignment, now=now):
        # The tech's own certificate ends inside the longer window: decided again.
        return assignment
    # A longer window is a different certificate: the old one is superseded.
    certificates.reissue_certificates(assignment=assignment, now=now)
    _emit(assignment, "assignment.updated")
    return assignment


@one_dispatch_per_window
@transaction.atomic
def extend_assignment(
    *, assignment: Assignment, end_at: datetime, now: datetime
) -> Assignment:
    """Move this assignment's end later (never earlier, within a year): the portal's ticket."""
    return _extend(_locked(assignment), end_at=end_at, now=now)


@one_dispatch_per_window
@transaction.atomic
def extend_job_assignment(
    *,
    job: WorkJob,
    end_at: datetime,
    contractor: Contractor | None = None,
    now: datetime,
) -> Assignment:
    """``extend_assignment`` for the job's latest open assignment (POST /assignments/extend)."""
    assignment = latest_for_job(job=job, contractor=contractor)
    return _extend(assignment, end_at=end_at, now=now)


@transaction.atomic
def delete_assignment(*, assignment: Assignment, now: datetime) -> Assignment:
    assignment = _locked(assignment)
    paid = Invoice.objects.filter(
        job_id=assignment.job_id, paid_at__isnull=False, deleted_at__isnull=True
    )
    if paid.exists():
        raise ValidationError(JOB_INVOICE_PAID, code="invoice_already_paid")
    if not assignment.is_cancelled:
        _cancel(assignment, reason=DELETED_REASON, now=now)
    assignment.deleted_at = now
    assignment.save(update_fields=["deleted_at"])
    return assignment


@transaction.atomic
def cancel_duplicate_assignment(*, assignment: Assignment, now: datetime) -> Assignment:
    """Cancel a duplicate dispatch (booked again for the same tech, job and window
    before the database refused duplicates): all its premium reversed, started or not,
    since the dispatch kept covers the same work; certificates revoked, platform told."""
    assignment = _locked(assignment)
    if not assignment.is_cancelled:
        _cancel(assignment, reason=DUPLICATE_REASON, now=now)
    return assignment


def cancel_later_assignments(*, policy: Policy, now: datetime) -> list[Assignment]:
    """Cancel the policy's assignments that start after ``now`` (policy deleted / switched off)."""
    later = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor", "job", "policy")
        .filter(
            policy=policy,
            effective_at__gt=now,
            cancelled_at__isnull=True,
            deleted_at__isnull=True,
        )
        .order_by("pk")
    )
    cancelled = list(later)
    for assignment in cancelled:
        _cancel(assignment, reason=POLICY_CANCELLED_REASON, now=now)
    return cancelled


def _covered_of(job: WorkJob, *, now: datetime) -> QuerySet[Assignment]:
    """The job's covered dispatches that have not ended: what a new wage re-prices."""
    return (
        Assignment.objects.select_related(
            "platform", "contractor", "job__category_code", "policy"
        )
        .covered()
        .live()
        .filter(job=job, end_at__gt=now)
        .order_by("pk")
    )


@dataclass(frozen=True)
class Repricing:
    """One covered dispatch's premium before and after a new wage (cents)."""

    assignment: Assignment
    before: int
    after: int

    @property
    def adjustment(self) -> int:
        return self.after - self.before


def preview_repricing(*, job: WorkJob, wage: int, now: datetime) -> list[Repricing]:
    """What re-deciding the job's dispatches would post for ``wage``, writing nothing.

    Shown to the dispatcher before a wage change is confirmed; the same rating and pay
    rule decide both (a wage decides no eligibility), so the confirmed adjustment is
    the one shown.
    """
    found = []
    for assignment in _covered_of(job, now=now):
        assignment.job.wage = wage
        pay = dispatch_pay(
            job=assignment.job,
            effective_at=assignment.effective_at,
            end_at=assignment.job_end_at,
        )
        after = sum(_rate(assignment).line_premiums(pay).values())
        found.append(Repricing(assignment, assignment.premium, after))
    return found

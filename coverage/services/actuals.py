"""Premium on actuals: the audit that trues a dispatch's estimated premium up to the pay
it really earned.

A dispatch books an *estimate*: its rating × the pay the job says it earns
(``terms.dispatch_pay``). When the platform reports what was really paid — an invoice's
``gross_pay`` for the job and contractor over a pay cycle — the dispatches of that
contractor on that job whose window overlaps the cycle take it as their *actual* pay,
shared in proportion to their estimates (largest remainder, so the shares add up to the
gross pay to the cent). Each one's premium becomes, per line, its actual pay × the net
rate it was rated at when dispatched (the rating it was covered and certified under),
and the ledger posts the difference as ``audit`` entries (append-only). Changing the
invoice's gross pay audits again; deleting the invoice returns the dispatches to their
estimates. Actuals come after the window as a rule, so ended dispatches are audited too;
an invoice never blocks re-deciding a dispatch later (the re-decision rates actual pay
once it is known).

A platform can also report one dispatch's actuals on the assignment itself
(``PUT /api/v1/assignments/{id}`` with ``actual_pay`` in cents, or ``actual_hours`` of
an hourly job, which comes to wage × hours): the same true-up, never refused because
an invoice exists or the window has ended. The latest report wins, whichever way it
came: a later invoice change audits its dispatches again. ``actual_pay: null`` returns
the dispatch to its estimate. A dispatch that is not covered records the actual pay
and carries no premium; a cancelled one cannot be reported on (its premium was
reversed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from typing_extensions import TypedDict

from coverage.models import Assignment, Invoice, LedgerEntry, WorkJob
from coverage.payments import charging
from coverage.services import ledger
from coverage.services.assignments import AssignmentChanges, update_assignment
from coverage.services.deciding import emit
from coverage.services.inputs import invalid
from coverage.services.terms import audited_premiums, rating_day

MAX_ACTUAL_PAY = 100_000_000
MAX_ACTUAL_HOURS = Decimal(8760)
ACTUAL_PAY_OUT_OF_RANGE = "actual_pay is in cents, from 0 to 100000000."
ACTUAL_HOURS_OUT_OF_RANGE = (
    "actual_hours is a number of hours from 0 to 8760, to the hundredth (e.g. 2.5)."
)
ACTUAL_HOURS_NOT_HOURLY = (
    "actual_hours is for an hourly job; this job pays a {wage_type} wage: report "
    "actual_pay in cents instead."
)
ACTUALS_TWICE = "Report actual_pay or actual_hours, not both."
ACTUALS_CANCELLED = "This assignment is cancelled and its premium reversed; it has no actuals to report."
HUNDREDTH = Decimal("0.01")


def _shares(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, largest remainder: sums exactly."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights, weight_sum = [1] * len(weights), len(weights)
    exact = [(total * w, i) for i, w in enumerate(weights)]
    shares = [q // weight_sum for q, _ in exact]
    by_remainder = sorted(exact, key=lambda e: (-(e[0] % weight_sum), e[1]))
    for _, i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _audited(invoice: Invoice) -> list[Assignment]:
    """The covered dispatches of the invoice's contractor and job during its pay cycle."""
    return list(
        Assignment.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor", "job", "policy")
        .covered()
        .live()
        .filter(
            contractor_id=invoice.contractor_id,
            job_id=invoice.job_id,
            effective_at__lt=invoice.paycycle_end,
            end_at__gt=invoice.paycycle_start,
        )
        .order_by("pk")
    )


def _true_up(
    assignment: Assignment, *, actual_pay: int | None, now: datetime | None = None
) -> None:
    pay = assignment.pay if actual_pay is None else actual_pay
    before = assignment.premium
    assignment.actual_pay = actual_pay
    # A card payer's collected premium follows the audit as it follows any other
    # adjustment: charged up, refunded down (the dispatch is covered, so collected).
    amounts = charging.gate(
        assignment=assignment,
        amounts=audited_premiums(assignment, pay=pay),
        now=now or timezone.now(),
    )
    ledger.settle(
        assignment=assignment,
        amounts=amounts,
        books_on=rating_day(assignment.effective_at),
        kind=LedgerEntry.Kind.AUDIT,
    )
    assignment.save(update_fields=["actual_pay", "premium", "updated_at"])
    if assignment.premium != before or actual_pay is not None:
        emit(assignment, "assignment.updated")


@transaction.atomic
def audit_invoice(*, invoice: Invoice, revert: bool = False) -> list[Assignment]:
    """True the premium of the dispatches the invoice pays up to its gross pay; with
    ``revert`` (or for a deleted invoice) return them to their estimates."""
    audited = _audited(invoice)
    if revert or invoice.deleted_at is not None:
        for assignment in audited:
            _true_up(assignment, actual_pay=None)
        return audited
    shares = _shares(invoice.gross_pay, [a.pay for a in audited])
    for assignment, share in zip(audited, shares, strict=True):
        _true_up(assignment, actual_pay=share)
    return audited


class ActualsReport(TypedDict, total=False):
    """What a platform reported on one assignment: pay in cents or hours worked."""

    actual_pay: int | None
    actual_hours: Decimal | None


def reported_pay(*, job: WorkJob, report: ActualsReport) -> int | None:
    """The actual pay ``report`` comes to, in cents; None returns to the estimate."""
    pay, hours = report.get("actual_pay"), report.get("actual_hours")
    if pay is not None and hours is not None:
        raise ValidationError(ACTUALS_TWICE, code="invalid_input")
    if pay is not None:
        if not 0 <= pay <= MAX_ACTUAL_PAY:
            raise invalid("actual_pay", ACTUAL_PAY_OUT_OF_RANGE)
        return pay
    if hours is None:
        return None
    if (
        not hours.is_finite()
        or not 0 <= hours <= MAX_ACTUAL_HOURS
        or hours != hours.quantize(HUNDREDTH)
    ):
        raise invalid("actual_hours", ACTUAL_HOURS_OUT_OF_RANGE)
    if job.wage_type != WorkJob.WageType.HOURLY:
        raise invalid(
            "actual_hours",
            ACTUAL_HOURS_NOT_HOURLY.format(
                wage_type=WorkJob.WageType(job.wage_type).label.lower()
            ),
        )
    # The pay the hours earn at the job's wage, rounded half-up to a cent.
    return int((job.wage * hours).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@transaction.atomic
def report_actuals(
    *, assignment: Assignment, actual_pay: int | None, now: datetime
) -> Assignment:
    """Record one dispatch's actual pay and true its premium up to it (the audit)."""
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor", "job", "policy")
        .get(pk=assignment.pk)
    )
    if locked.is_cancelled:
        raise ValidationError(ACTUALS_CANCELLED, code="invalid_input")
    if locked.is_covered:
        _true_up(locked, actual_pay=actual_pay, now=now)
    elif locked.actual_pay != actual_pay:
        # Not covered: nothing to audit, but the record says what the work paid.
        locked.actual_pay = actual_pay
        locked.save(update_fields=["actual_pay", "updated_at"])
        emit(locked, "assignment.updated")
    return locked


@transaction.atomic
def update_assignment_with_actuals(
    *,
    assignment: Assignment,
    changes: AssignmentChanges,
    report: ActualsReport | None,
    now: datetime,
) -> Assignment:
    """PUT /assignments/{id}: the changes (decided again), then any actuals reported.

    A report alone never goes through ``update_assignment``'s refusals (a paid invoice,
    an ended window): actuals arrive after the work as a rule. The report is judged
    before anything is written, so a bad one leaves the dispatch as it was.
    """
    if report is None:
        return update_assignment(assignment=assignment, changes=changes, now=now)
    actual_pay = reported_pay(job=changes.get("job", assignment.job), report=report)
    if changes:
        assignment = update_assignment(assignment=assignment, changes=changes, now=now)
    return report_actuals(assignment=assignment, actual_pay=actual_pay, now=now)

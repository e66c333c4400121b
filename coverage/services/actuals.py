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
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from coverage.models import Assignment, Invoice, LedgerEntry
from coverage.payments import charging
from coverage.rating import WIRE_KEYS, premium_for
from coverage.services import ledger
from coverage.services.deciding import emit
from coverage.services.terms import rating_day

_LINE_BY_WIRE_KEY = {key: line for line, key in WIRE_KEYS.items()}


def premium_basis(assignment: Assignment) -> int:
    """The pay a dispatch's premium stands on: the actual pay once reported, else the estimate."""
    return assignment.pay if assignment.actual_pay is None else assignment.actual_pay


def audited_premiums(assignment: Assignment, *, pay: int) -> dict[str, int]:
    """Per line, ``pay`` at the net rates the dispatch was rated at (integer cents)."""
    return {
        _LINE_BY_WIRE_KEY.get(key, key): premium_for(
            pay_cents=pay, net_rate=int(line["net_rate"])
        )
        for key, line in (assignment.rating or {}).items()
    }


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


def _true_up(assignment: Assignment, *, actual_pay: int | None) -> None:
    pay = assignment.pay if actual_pay is None else actual_pay
    before = assignment.premium
    assignment.actual_pay = actual_pay
    # A card payer's collected premium follows the audit as it follows any other
    # adjustment: charged up, refunded down (the dispatch is covered, so collected).
    amounts = charging.gate(
        assignment=assignment,
        amounts=audited_premiums(assignment, pay=pay),
        now=timezone.now(),
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

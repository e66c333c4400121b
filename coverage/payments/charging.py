"""Charging card payers before they are covered; refunds when the premium goes back.

The assignment service calls two hooks: ``gate`` after it decides a dispatch (a card
payer's covered dispatch is held uncovered until its premium is charged), and
``release`` when it cancels one (pending charges are dropped, collected premium
refunded). ``run_charge`` is the charge itself, run by a task when due.

Lock order, everywhere: the assignment's row, then its charges' rows. Racing retries
of one charge serialise on the charge's lock and find it settled; the processor's
idempotency key is the second guard should a crash fall between its answer and our
commit.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django_tasks import task

from coverage import certificates, notices
from coverage.api.serializers import assignment_json
from coverage.models import Assignment, Charge, CollectionEntry, Refund
from coverage.payments import rules
from coverage.payments.configured import get_processor
from coverage.services import ledger
from coverage.services.eligibility import ELIGIBLE
from coverage.services.terms import rating_day
from coverage.webhooks import events
from portal import queues

logger = logging.getLogger(__name__)
Status = Charge.Status
Purpose = Charge.Purpose
ASSIGNMENT_FIELDS = ["eligible", "eligibility_message", "premium", "updated_at"]


def new_key() -> str:
    return f"chg_{secrets.token_hex(16)}"


def charge_json(charge: Charge) -> dict[str, object]:
    """A charge as its webhook carries it (``invoice.charge_card_*``)."""
    return {
        "id": charge.public_id,
        "object": "charge",
        "assignment": charge.assignment.public_id,
        "contractor": charge.assignment.contractor.public_id,
        "purpose": charge.purpose,
        "amount": charge.amount,
        "refunded": charge.refunded,
        "status": charge.status,
        "failure_code": charge.failure_code or None,
        "failure_message": charge.failure_message or None,
        "created": int(charge.created_at.timestamp()),
    }


def _live_charges(assignment: Assignment) -> list[Charge]:
    return list(
        Charge.objects.select_for_update()
        .filter(assignment=assignment)
        .exclude(status=Status.CANCELLED)
        .order_by("pk")
    )


def _enqueue(charge: Charge) -> None:
    charge_id = charge.pk

    def run() -> None:
        charge_now.enqueue(charge_id)

    transaction.on_commit(run, robust=True)


def _schedule(
    assignment: Assignment,
    *,
    purpose: str,
    amounts: Mapping[str, int],
    now: datetime,
    due_at: datetime | None = None,
) -> Charge:
    charge = Charge.objects.create(
        platform_id=assignment.platform_id,
        assignment=assignment,
        contractor_id=assignment.contractor_id,
        purpose=purpose,
        amount=sum(amounts.values()),
        lines=dict(amounts),
        due_at=due_at or now,
        idempotency_key=new_key(),
        notified_at=now,
    )
    if charge.due_at <= now:
        _enqueue(charge)
    if purpose == Purpose.PREMIUM:
        # The public API's billing rule: the contractor hears first, is charged later.
        _notify(assignment, charge, "charge_notice", now=now)
    return charge


def dollars(cents: int) -> str:
    return f"${Decimal(cents) / 100:,.2f}"


def _notify(
    assignment: Assignment, charge: Charge, kind: str, *, now: datetime
) -> None:
    contractor = assignment.contractor
    if not contractor.email:
        return
    card = rules.current_card(contractor)
    notices.queue(
        platform_id=assignment.platform_id,
        to=contractor.email,
        kind=kind,
        context={
            "first_name": contractor.first_name,
            "platform": assignment.platform.name,
            "job": assignment.job.name,
            "entity": assignment.job.entity.name,
            "starts": assignment.effective_at,
            "amount": dollars(charge.amount),
            "due_at": charge.due_at,
            "card": f"{card.brand.title()} •••• {card.last4}" if card else "on file",
            "reason": charge.failure_message,
        },
        now=now,
        zone=assignment.job.zone,
    )


def _hold(assignment: Assignment, message: str) -> None:
    assignment.eligible = False
    assignment.eligibility_message = message
    assignment.save(update_fields=ASSIGNMENT_FIELDS)


def gate(
    *,
    assignment: Assignment,
    amounts: Mapping[str, int],
    now: datetime,
    card_payer: bool | None = None,
    new: bool = False,
) -> dict[str, int]:
    """The premium the ledger may hold now for this (saved, locked) dispatch.

    ``card_payer`` when the caller read it already (``rules.pays_by_card``); ``new``
    for a dispatch created in this transaction, which has no charges to read.

    Not a card payer's, or not covered: unchanged (pending charges dropped, any
    collected premium refunded). A card payer's covered dispatch with nothing
    collected yet: held uncovered, its premium charge scheduled, nothing booked.
    Already collected: covered; a higher premium is charged the difference, a lower
    one refunded it.
    """
    if card_payer is None:
        card_payer = rules.pays_by_card(
            contractor=assignment.contractor, job=assignment.job
        )
    live = _live_charges(assignment) if assignment.pk and not new else []
    target = sum(amounts.values())
    if not card_payer or not amounts or not assignment.is_covered:
        _drop_open(live)
        # What stays booked stays collected: a dispatch that lost cover while under way
        # keeps the premium it earned (see services.redecide), so only the rest goes back.
        _refund_down_to(assignment, live, target, reason="not_covered", now=now)
        return dict(amounts)
    kept = sum(charge.kept for charge in live)
    if kept == 0:
        _drop_open(live)
        _schedule(
            assignment,
            purpose=Purpose.PREMIUM,
            amounts=amounts,
            now=now,
            due_at=rules.charge_due_at(
                notified_at=now, starts_at=assignment.effective_at
            ),
        )
        _hold(assignment, rules.CHARGE_PENDING)
        return {}
    if target > kept:
        _drop_open(live, purpose=Purpose.ADJUSTMENT)
        _schedule(
            assignment,
            purpose=Purpose.ADJUSTMENT,
            amounts=_difference(amounts, live),
            now=now,
        )
    elif target < kept:
        _refund_down_to(assignment, live, target, reason="adjustment", now=now)
    return dict(amounts)


def _difference(amounts: Mapping[str, int], live: list[Charge]) -> dict[str, int]:
    """Per line, what the new premium asks beyond what the charges hold."""
    held: dict[str, int] = {}
    for charge in live:
        if charge.kept:
            share = charge.kept / charge.amount
            for line, cents in charge.lines.items():
                held[line] = held.get(line, 0) + round(cents * share)
    extra = {line: cents - held.get(line, 0) for line, cents in amounts.items()}
    positive = {line: cents for line, cents in extra.items() if cents > 0}
    # The total is what counts; lines only say where it books.
    total = sum(amounts.values()) - sum(charge.kept for charge in live)
    if sum(positive.values()) != total and positive:
        first = next(iter(positive))
        positive[first] += total - sum(positive.values())
    return positive or {next(iter(amounts)): total}


def _drop_open(live: list[Charge], purpose: str | None = None) -> None:
    for charge in live:
        if charge.status in (Status.PENDING, Status.FAILED) and (
            purpose is None or charge.purpose == purpose
        ):
            charge.status = Status.CANCELLED
            charge.save(update_fields=["status"])


def _refund_down_to(
    assignment: Assignment,
    live: list[Charge],
    target: int,
    *,
    reason: str,
    now: datetime,
) -> None:
    """Refund collected premium, newest charge first, until it holds ``target``."""
    excess = sum(charge.kept for charge in live) - target
    for charge in reversed(live):
        if excess <= 0:
            break
        amount = min(excess, charge.kept)
        if amount:
            _refund(assignment, charge, amount, reason=reason, now=now)
            excess -= amount


def _refund(
    assignment: Assignment, charge: Charge, amount: int, *, reason: str, now: datetime
) -> Refund:
    key = new_key()
    result = get_processor().refund(
        charge_ref=charge.processor_ref, amount=amount, idempotency_key=key
    )
    refund = Refund.objects.create(
        charge=charge,
        amount=amount,
        reason=reason,
        idempotency_key=key,
        processor_ref=result.ref,
        created_at=now,
    )
    charge.refunded += amount
    charge.save(update_fields=["refunded"])
    _book(
        assignment, charge, CollectionEntry.Kind.REFUNDED, -amount, now, refund=refund
    )
    return refund


def _book(
    assignment: Assignment,
    charge: Charge,
    kind: str,
    amount: int,
    now: datetime,
    *,
    attempted: int = 0,
    refund: Refund | None = None,
) -> None:
    CollectionEntry.objects.create(
        platform_id=assignment.platform_id,
        contractor_id=assignment.contractor_id,
        entity_id=assignment.job.entity_id,
        assignment=assignment,
        charge=charge,
        refund=refund,
        kind=kind,
        amount=amount,
        attempted=attempted,
        books_on=now.date(),
        created_at=now,
    )


def release(*, assignment: Assignment, now: datetime) -> None:
    """The dispatch is cancelled: drop what is pending, refund what was collected."""
    live = _live_charges(assignment)
    _drop_open(live)
    _refund_down_to(assignment, live, 0, reason="cancelled", now=now)


def _locked_assignment(pk: int) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor", "job__entity", "policy")
        .get(pk=pk)
    )


@transaction.atomic
def run_charge(*, charge_id: int, now: datetime) -> Charge:
    """Charge one pending charge now. Settled ones are returned unchanged (retries)."""
    assignment_id = (
        Charge.objects.filter(pk=charge_id)
        .values_list("assignment_id", flat=True)
        .get()
    )
    assignment = _locked_assignment(assignment_id)
    charge = Charge.objects.select_for_update().get(pk=charge_id)
    charge.assignment = assignment
    if charge.status != Status.PENDING:
        return charge
    if assignment.is_cancelled or assignment.deleted_at is not None:
        charge.status = Status.CANCELLED
        charge.save(update_fields=["status"])
        return charge
    card = rules.current_card(assignment.contractor)
    if card is None:
        _failed(
            assignment, charge, "no_card", rules.NO_CARD, now=now, message=rules.NO_CARD
        )
        return charge
    result = get_processor().charge(
        customer_ref=card.customer_ref,
        payment_method_ref=card.payment_method_ref,
        amount=charge.amount,
        idempotency_key=charge.idempotency_key,
        description=f"Premium for assignment {assignment.public_id}",
    )
    charge.card = card
    charge.processor_ref = result.ref
    if not result.succeeded:
        _failed(
            assignment,
            charge,
            result.failure_code,
            result.failure_message,
            now=now,
            message=rules.decline_message(result.failure_message),
        )
        return charge
    charge.status = Status.SUCCEEDED
    charge.charged_at = now
    charge.failure_code = charge.failure_message = ""
    charge.save()
    _book(assignment, charge, CollectionEntry.Kind.CHARGED, charge.amount, now)
    if charge.purpose == Purpose.PREMIUM:
        _cover(assignment, charge, now=now)
    events.emit(
        platform=assignment.platform,
        type="invoice.charge_card_succeeded",
        data=charge_json(charge),
    )
    if charge.purpose == Purpose.PREMIUM:
        events.emit(
            platform=assignment.platform,
            type="assignment.active",
            data=dict(assignment_json(assignment)),
        )
    return charge


def _cover(assignment: Assignment, charge: Charge, *, now: datetime) -> None:
    """The premium is collected: the dispatch is covered, booked and certified."""
    assignment.eligible = True
    assignment.eligibility_message = ELIGIBLE
    ledger.settle(
        assignment=assignment,
        amounts=charge.lines,
        books_on=rating_day(assignment.effective_at),
    )
    assignment.save(update_fields=ASSIGNMENT_FIELDS)
    certificates.issue_certificates(assignment=assignment, now=now)


def _failed(
    assignment: Assignment,
    charge: Charge,
    code: str,
    reason: str,
    *,
    now: datetime,
    message: str,
) -> None:
    charge.status = Status.FAILED
    charge.failure_code = code
    charge.failure_message = reason
    charge.failed_at = now
    charge.save()
    _book(
        assignment, charge, CollectionEntry.Kind.FAILED, 0, now, attempted=charge.amount
    )
    if charge.purpose == Purpose.PREMIUM:
        _hold(assignment, message)
    _notify(assignment, charge, "card_declined", now=now)
    events.emit(
        platform=assignment.platform,
        type="invoice.charge_card_failed",
        data=charge_json(charge),
    )


@transaction.atomic
def retry_failed(*, contractor_id: int, now: datetime) -> list[Charge]:
    """A new card: every declined charge of the contractor's live dispatches tries again."""
    assignment_ids = list(
        Charge.objects.filter(contractor_id=contractor_id, status=Status.FAILED)
        .values_list("assignment_id", flat=True)
        .distinct()
    )
    retried = []
    for assignment_id in sorted(assignment_ids):
        assignment = _locked_assignment(assignment_id)
        if assignment.is_cancelled or assignment.deleted_at is not None:
            continue
        for charge in _live_charges(assignment):
            if charge.status != Status.FAILED:
                continue
            charge.status = Status.PENDING
            charge.attempt += 1
            # A new attempt is a new request to the processor; the old key would
            # replay the decline.
            charge.idempotency_key = new_key()
            charge.due_at = now
            charge.save()
            if charge.purpose == Purpose.PREMIUM:
                _hold(assignment, rules.CHARGE_PENDING)
            _enqueue(charge)
            retried.append(charge)
    return retried


DEFAULT_SWEEP_LIMIT = 500


def due_charges(*, now: datetime, limit: int = DEFAULT_SWEEP_LIMIT) -> list[int]:
    return list(
        Charge.objects.filter(status=Status.PENDING, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def run_due_charges(*, now: datetime, limit: int = DEFAULT_SWEEP_LIMIT) -> int:
    """Charge every pending charge that is due (the scheduler runs this every minute).

    A processor that cannot be reached leaves that charge pending (its transaction
    rolled back) for the next sweep, under the same idempotency key.
    """
    ids = due_charges(now=now, limit=limit)
    for charge_id in ids:
        try:
            run_charge(charge_id=charge_id, now=now)
        except Exception:
            logger.exception("Charge %s could not run; it stays pending", charge_id)
    return len(ids)


@task(queue_name=queues.DEFAULT)
def charge_now(charge_id: int) -> str:
    """Background run of one due charge (enqueued when it is scheduled due, or retried)."""
    from django.utils import timezone

    return run_charge(charge_id=charge_id, now=timezone.now()).status

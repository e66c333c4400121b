"""Coverage follows the work: re-deciding live dispatches when what they were decided on
changes.

Every change to what eligibility or rating reads calls one function here, inside its
own transaction and under its own row lock: a job's address, category, entity, wage,
wage type or hours (``redecide_job``); a contractor's residence or name
(``redecide_contractor``); an entity's requirements (``redecide_entity``); a policy
changed, cancelled, reinstated or renewed (``redecide_for_policy``, from the
``policies.signals.policy_changed`` hook in ``coverage.receivers``).

Each dispatch that has not ended (not cancelled, not deleted, ending after now) is
decided again by ``deciding.evaluate`` — the very function a new dispatch goes through:
eligibility message, policy, routed state and class per line, net rate, pay, premium.
Then, in the same transaction:

- the ledger is brought to the new premium with adjustment entries (append-only);
- certificates are re-issued under new numbers when they would read differently (the
  old ones superseded), or revoked when the dispatch is no longer covered;
- an ``assignment.updated`` event is sent when anything it shows changed; the board
  reads the assignment, so it shows the new decision on its next refresh.

A dispatch under way (started, not ended) is an auditor's question. The rule:

- A change to the job, contractor or entity corrects the record of the whole
  dispatch: a job has one address, one category and one wage, so the dispatch is
  re-decided and re-rated from its start. Work that really moves mid-day is a new
  dispatch (a route: one assignment per leg, each routed to its own state).
- A dispatch under way that *loses* cover keeps the premium earned while it was
  covered: its pay is pro-rated to the share of the window already worked (to the
  second, rounded half-up to a cent) and priced at the net rates it was covered at,
  the ledger is adjusted down to that, its
  certificates are revoked from the moment of the change, and the assignment records
  the new (ineligible) decision with the policy and rating that carried the part
  worked. The insurer was on risk for that part, so the premium for it stands, and
  a later re-decision that still finds it uncovered leaves that record as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from coverage import certificates
from coverage.models import Assignment, Contractor, Entity, WorkJob
from coverage.payments import charging
from coverage.services.deciding import emit, evaluate, post_premium
from coverage.services.own_cover import asked_lines
from coverage.services.terms import audited_premiums, premium_basis
from policies.models import Policy


@dataclass(frozen=True)
class _Decision:
    """What a re-decision may change, to tell whether it changed anything."""

    eligible: bool
    message: str
    policy_id: int | None
    lines: tuple[str, ...]
    rating: Any
    premium: int
    pay: int
    own_cover: dict[str, Any]

    @classmethod
    def of(cls, assignment: Assignment) -> _Decision:
        return cls(
            assignment.eligible,
            assignment.eligibility_message,
            assignment.policy_id,
            tuple(assignment.lines),
            assignment.rating,
            assignment.premium,
            assignment.pay,
            dict(assignment.own_cover or {}),
        )


def _earned(amount: int, *, worked: int, window: int) -> int:
    """``amount × worked / window`` rounded half-up to a cent (all integers)."""
    return (2 * amount * worked + window) // (2 * window)


def redecide(
    assignment: Assignment,
    *,
    now: datetime,
    reason: str = certificates.DISPATCH_CHANGED,
    certificates_later: bool = False,
) -> bool:
    """Decide one dispatch again; returns whether anything it shows changed.

    The caller holds the assignment's row lock in the writing transaction.
    ``certificates_later``: ``now`` is a moment still to come (a cancellation
    effective later); a dispatch that loses cover then keeps its certificates in
    force until that moment, when ``certificates.cancellations`` revokes them.
    """
    before = _Decision.of(assignment)
    was_covered = assignment.is_covered and assignment.policy_id is not None
    # Not covered, yet carrying a policy and booked premium: it lost cover under way
    # before, and its record holds the part worked then (policy, rating, earned pay).
    # A card payer's dispatch held for its first charge also carries a policy, but
    # nothing booked: it earned nothing.
    lost_before = (
        not assignment.is_covered
        and not assignment.is_cancelled
        and assignment.policy_id is not None
        and assignment.premium > 0
    )
    kept = (assignment.policy, assignment.rating, assignment.net_rate)
    old_pay, old_actual = assignment.pay, assignment.actual_pay
    amounts = evaluate(
        assignment,
        requested=asked_lines(assignment.lines, assignment.own_cover) or None,
        policy=None,
    )
    under_way = assignment.effective_at < now < assignment.end_at
    lost_under_way = was_covered and not assignment.is_covered and under_way
    if lost_under_way:
        window = int((assignment.end_at - assignment.effective_at).total_seconds())
        worked = int((now - assignment.effective_at).total_seconds())
        # The part worked stays on the record as it was covered and rated: its pay
        # is the worked share, priced at the rates it was covered at.
        assignment.policy, assignment.rating, assignment.net_rate = kept
        assignment.pay = _earned(old_pay, worked=worked, window=window)
        if old_actual is not None:
            assignment.actual_pay = _earned(old_actual, worked=worked, window=window)
        amounts = audited_premiums(assignment, pay=premium_basis(assignment))
    elif lost_before and not assignment.is_covered:
        # Still not covered: the part worked while it was keeps its record and its
        # premium, whatever else changed (a re-decision never un-earns premium).
        assignment.policy, assignment.rating, assignment.net_rate = kept
        assignment.pay, assignment.actual_pay = old_pay, old_actual
        amounts = audited_premiums(assignment, pay=premium_basis(assignment))
    assignment.save()
    # A card payer's collected premium follows the decision: charged up, refunded down,
    # or held uncovered until a first charge succeeds.
    amounts = charging.gate(assignment=assignment, amounts=amounts, now=now)
    post_premium(assignment, amounts)
    if not (certificates_later and lost_under_way):
        certificates.reissue_certificates(assignment=assignment, now=now, reason=reason)
    changed = _Decision.of(assignment) != before
    if changed:
        emit(assignment, "assignment.updated")
    return changed


def _live(scope: Q, *, now: datetime, ending_after: datetime | None = None):
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related(
            "platform",
            "contractor",
            "job__category_code",
            "job__entity",
            "policy",
        )
        .live()
        .filter(scope, cancelled_at__isnull=True, end_at__gt=ending_after or now)
        .order_by("pk")
    )


def _redecide_all(
    scope: Q,
    *,
    now: datetime,
    reason: str = certificates.DISPATCH_CHANGED,
    ending_after: datetime | None = None,
    certificates_later: bool = False,
) -> list[Assignment]:
    changed = []
    for assignment in _live(scope, now=now, ending_after=ending_after):
        if redecide(
            assignment, now=now, reason=reason, certificates_later=certificates_later
        ):
            changed.append(assignment)
    return changed


@transaction.atomic
def redecide_assignments(scope: Q, *, now: datetime) -> list[Assignment]:
    """The live dispatches in ``scope`` decided again (e.g. an own certificate lapsed)."""
    return _redecide_all(scope, now=now)


@transaction.atomic
def redecide_job(*, job: WorkJob, now: datetime) -> list[Assignment]:
    """The job changed: its live dispatches are decided again (the caller locked the job)."""
    return _redecide_all(Q(job=job), now=now)


@transaction.atomic
def redecide_contractor(*, contractor: Contractor, now: datetime) -> list[Assignment]:
    """The contractor changed (residence, name): their live dispatches are decided again."""
    return _redecide_all(Q(contractor=contractor), now=now)


@transaction.atomic
def redecide_entity(*, entity: Entity, now: datetime) -> list[Assignment]:
    """The customer-of-record's requirements changed: its live dispatches are decided again."""
    return _redecide_all(Q(job__entity=entity), now=now)


@transaction.atomic
def redecide_for_policy(
    *,
    policy: Policy,
    now: datetime,
    reason: str,
    ending_after: datetime | None = None,
    certificates_later: bool = False,
) -> list[Assignment]:
    """A policy changed: every live dispatch of its contractor on its platform is decided
    again, not only those it covers — a reinstated, renewed or changed policy can cover
    a dispatch that was refused, or stop covering one. ``ending_after`` limits a renewal
    to the dispatches that run past the old expiration."""
    scope = Q(contractor_id=policy.contractor_id, platform_id=policy.platform_id)
    return _redecide_all(
        scope,
        now=now,
        reason=reason,
        ending_after=ending_after,
        certificates_later=certificates_later,
    )

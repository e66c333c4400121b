"""Transactions started from a bound policy: policy changes, renewals, cancellations
and reinstatements, and what each requires of the policy's status.

Each starts from a copy of the policy's contents (see ``policies.services.copying``)
and is quoted and bound like any transaction (``policies.services.transactions``).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from policies.models import (
    AuditAction,
    Policy,
    PolicyStatus,
    PolicyTransaction,
    TransactionKind,
    TransactionStatus,
)
from policies.services.audit import (
    Actor,
    record_transaction,
)
from policies.services.copying import copy_contents
from policies.services.transactions import POLICY_NOT_ACTIVE, bind_transaction
from policies.signals import PolicyChange, send_policy_changed
from portal.models import User

# What starting each kind of transaction on a policy requires of its status.
_POLICY_VERBS: dict[str, str] = {  # keyed by the stored kind
    TransactionKind.POLICY_CHANGE: "changed",
    TransactionKind.CANCELLATION: "cancelled",
    TransactionKind.RENEWAL: "renewed",
}


def policy_action_refusal(*, kind: str, policy: Policy) -> str | None:
    """Why a transaction of ``kind`` cannot start on ``policy``, or None when it can.

    A change or cancellation needs an active policy; a renewal also continues an
    expired one, but never a cancelled one.
    """
    if kind == TransactionKind.RENEWAL:
        blocked = policy.status == PolicyStatus.CANCELLED
    else:
        blocked = policy.status != PolicyStatus.ACTIVE
    return POLICY_NOT_ACTIVE.format(verb=_POLICY_VERBS[kind]) if blocked else None


def _start_from_policy(
    *, policy: Policy, kind: str, by: Actor, **changes: object
) -> PolicyTransaction:
    # The policy's row lock orders this copy with edits made on the policy itself
    # (prior policies), so the new transaction sees each edit or gets it propagated.
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
    refusal = policy_action_refusal(kind=kind, policy=policy)
    if refusal is not None:
        raise ValidationError(refusal, code="invalid_state")
    terms: dict[str, object] = {
        "lines": policy.lines,
        "wc_state": policy.wc_state,
        "gl_state": policy.gl_state,
        "category_code": policy.category_code,
        "effective_at": policy.effective_at,
        "expires_at": policy.expires_at,
        "auto_renew": policy.auto_renew,
    }
    terms.update(changes)
    txn = PolicyTransaction.objects.create(
        kind=kind,
        policy=policy,
        platform=policy.platform,
        contractor=policy.contractor,
        product=policy.product,
        created_by=by if isinstance(by, User) else None,
        **terms,
    )
    if policy.contents_transaction_id is not None:
        copy_contents(source_id=policy.contents_transaction_id, target=txn)
    record_transaction(by=by, action=AuditAction.CREATED, txn=txn)
    return txn


@transaction.atomic
def start_policy_change(*, policy: Policy, by: Actor = None) -> PolicyTransaction:
    """A draft change of a bound policy, starting from the policy as it stands."""
    return _start_from_policy(policy=policy, kind=TransactionKind.POLICY_CHANGE, by=by)


def current_term_start(policy: Policy) -> datetime:
    """Where the policy's current term began.

    A renewal keeps the policy's own start and moves its end, so after one the term
    is no longer effective → expires: it began where the last bound renewal began.
    Measuring the next term from the policy's start would double it every time.
    """
    last = (
        PolicyTransaction.objects.filter(
            policy=policy,
            kind=TransactionKind.RENEWAL,
            status=TransactionStatus.BOUND,
            effective_at__lt=policy.expires_at,
        )
        .order_by("-effective_at")
        .values_list("effective_at", flat=True)
        .first()
    )
    return last or policy.effective_at


@transaction.atomic
def start_renewal(*, policy: Policy, by: Actor = None) -> PolicyTransaction:
    """A draft renewal: the next term, as long as this one, starting when this one ends."""
    refusal = policy_action_refusal(kind=TransactionKind.RENEWAL, policy=policy)
    if refusal is not None:
        raise ValidationError(refusal, code="invalid_state")
    # A renewal keeps the policy's start, so measure the current term, not the policy.
    length = policy.expires_at - current_term_start(policy)
    return _start_from_policy(
        policy=policy,
        kind=TransactionKind.RENEWAL,
        by=by,
        effective_at=policy.expires_at,
        expires_at=policy.expires_at + length,
    )


CANCEL_OUTSIDE_TERM = (
    "The cancellation date must be before the policy's term ends ({end:%Y-%m-%d})."
)


@transaction.atomic
def cancel_policy(
    *,
    policy: Policy,
    at: datetime | None = None,
    by: Actor = None,
    now: datetime | None = None,
) -> Policy:
    """Cancel a policy now (or at ``at``) through a bound cancellation transaction.

    Cover stops at ``at``: a date ahead leaves the policy's certificates in force
    until then (the contractor side schedules their revocation). A date before the
    term starts cancels it flat (the contractor API switches off a policy not yet in
    force); a date at or after its end cancels nothing and is refused."""
    if at is not None and at >= policy.expires_at:
        raise ValidationError(
            {"effective_at": CANCEL_OUTSIDE_TERM.format(end=policy.expires_at)},
            code="invalid_input",
        )
    txn = _start_from_policy(
        policy=policy,
        kind=TransactionKind.CANCELLATION,
        by=by,
        effective_at=at or now or timezone.now(),
    )
    txn.status = TransactionStatus.QUOTED
    txn.quoted_at = timezone.now()
    txn.save(update_fields=["status", "quoted_at"])
    return bind_transaction(txn=txn, by=by, now=now)


POLICY_NOT_CANCELLED = "Only a cancelled policy can be reinstated."
POLICY_ENDED = "The policy's term has ended; it cannot be reinstated."


def reinstate_refusal(*, policy: Policy) -> str | None:
    """Why ``policy`` cannot be reinstated now, or None when it can."""
    if policy.status != PolicyStatus.CANCELLED:
        return POLICY_NOT_CANCELLED
    if policy.expires_at <= timezone.now():
        return POLICY_ENDED
    return None


@transaction.atomic
def reinstate_policy(*, policy: Policy, by: Actor = None) -> Policy:
    """Undo a cancellation within the term (the API's is_active switched back on)."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    refusal = reinstate_refusal(policy=policy)
    if refusal is not None:
        raise ValidationError(refusal, code="invalid_state")
    reinstatement = PolicyTransaction.objects.create(
        kind=TransactionKind.REINSTATEMENT,
        status=TransactionStatus.BOUND,
        policy=policy,
        platform=policy.platform,
        contractor=policy.contractor,
        product=policy.product,
        lines=policy.lines,
        wc_state=policy.wc_state,
        gl_state=policy.gl_state,
        category_code=policy.category_code,
        effective_at=timezone.now(),
        expires_at=policy.expires_at,
        auto_renew=policy.auto_renew,
        created_by=by if isinstance(by, User) else None,
        quoted_at=timezone.now(),
        bound_at=timezone.now(),
    )
    policy.status = PolicyStatus.ACTIVE
    policy.cancelled_at = None
    policy.save(update_fields=["status", "cancelled_at"])
    # Dispatches still running (those starting later were cancelled with the policy)
    # get certificates in force again.
    send_policy_changed(
        policy=policy, change=PolicyChange.REINSTATED, now=timezone.now()
    )
    record_transaction(by=by, action=AuditAction.REINSTATED, txn=reinstatement)
    return policy

"""Prior policies (seed 004): risk-analysis records of the insured's earlier cover.

Editable on a transaction until it is bound, and on a bound policy itself (then on
every open transaction of that policy too, so one prior policy keeps one id).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from policies.models import (
    AuditAction,
    Policy,
    PolicyTransaction,
    PriorPolicy,
    TransactionStatus,
)
from policies.services.audit import Actor, delete_recorded, record_row, snapshot
from policies.services.drafts import (
    UNSET,
    Errors,
    Money,
    Unset,
    checksum,
    lock_transaction,
    relock,
    verify_checksum,
)

# Prior policies (seed 004)
PRIOR_EFFECTIVE_REQUIRED = (
    "The effective date is required: it is the one field a prior policy needs."
)
PRIOR_TERM_BACKWARDS = (
    "A prior policy's expiration date must be after its effective date."
)
PRIOR_NEGATIVE_LOSSES = "The number of losses cannot be negative."
PRIOR_TOO_MANY_LOSSES = "The number of losses is too large."
# The largest count the column holds.
MAX_LOSSES = 2**31 - 1
PRIOR_TRANSACTION_BOUND = (
    "The job is bound: edit its prior policies on the policy itself ({policy})."
)
PRIOR_TRANSACTION_CLOSED = (
    "The job is {status}: its prior policies can no longer be edited."
)
POLICY_WITHOUT_CONTENTS = "The policy has no bound contents to edit."


# ---------------------------------------------------------------------------
# Prior policies (seed 004)

PriorOwner = PolicyTransaction | Policy


def _prior_policy_home(owner: PriorOwner) -> tuple[PolicyTransaction, Policy | None]:
    """The transaction whose prior policies this edit changes, and the policy when
    the edit is made on the policy itself.

    On a policy, the policy's row lock serializes the edit with other edits and with
    starting a change (which copies the prior policies under the same lock). Lock
    order is the same as binding's (transaction, then policy): nothing here locks a
    transaction after the policy.
    """
    if isinstance(owner, Policy):
        policy = Policy.objects.select_for_update(of=("self",)).get(pk=owner.pk)
        if policy.contents_transaction_id is None:
            raise ValidationError(POLICY_WITHOUT_CONTENTS, code="invalid_state")
        contents = PolicyTransaction.objects.get(pk=policy.contents_transaction_id)
        return contents, policy
    txn = lock_transaction(owner)
    if txn.status == TransactionStatus.BOUND:
        policy_ref = txn.policy.public_id if txn.policy is not None else ""
        raise ValidationError(
            PRIOR_TRANSACTION_BOUND.format(policy=policy_ref), code="invalid_state"
        )
    if not txn.is_open:
        raise ValidationError(
            PRIOR_TRANSACTION_CLOSED.format(status=txn.get_status_display().lower()),
            code="invalid_state",
        )
    return txn, None


def _open_transactions_of(policy: Policy) -> QuerySet[PolicyTransaction]:
    """Changes and renewals in progress on ``policy``: they copied its prior policies
    when they started, and must see edits made on the policy since. (Starting one
    takes the policy's lock, which the caller holds: this set cannot grow meanwhile.)"""
    return PolicyTransaction.objects.filter(
        policy=policy,
        status__in=[TransactionStatus.DRAFT, TransactionStatus.QUOTED],
    )


def _validate_prior(
    errors: Errors,
    *,
    carrier: str,
    policy_number: str,
    effective_date: date | None,
    expiration_date: date | None,
    annual_premium: Money | None,
    num_losses: int | None,
    total_losses: Money | None,
) -> None:
    errors.text("carrier", "The carrier", carrier, 200)
    errors.text("policy_number", "The policy number", policy_number, 64)
    if effective_date is None:
        errors.add("effective_date", PRIOR_EFFECTIVE_REQUIRED)
    elif expiration_date is not None and expiration_date <= effective_date:
        errors.add("expiration_date", PRIOR_TERM_BACKWARDS)
    errors.money("annual_premium", "The annual premium", annual_premium)
    errors.money("total_losses", "The total losses", total_losses)
    if num_losses is not None and num_losses < 0:
        errors.add("num_losses", PRIOR_NEGATIVE_LOSSES)
    elif num_losses is not None and num_losses > MAX_LOSSES:
        errors.add("num_losses", PRIOR_TOO_MANY_LOSSES)
    errors.raise_if_any()


def _relock_prior(prior_policy: PriorPolicy, txn: PolicyTransaction) -> PriorPolicy:
    current = relock(prior_policy)
    if current.transaction_id != txn.pk:
        # A change bound between the caller's read and this lock: the row is no
        # longer the policy's.
        raise PriorPolicy.DoesNotExist
    return current


def _stored_money(row: PriorPolicy, name: str) -> Money | None:
    amount = getattr(row, name)
    return None if amount is None else Money(amount, getattr(row, f"{name}_currency"))


def _money_fields(name: str, value: Money | None) -> dict[str, object]:
    if value is None:
        return {name: None, f"{name}_currency": ""}
    return {name: value.amount, f"{name}_currency": value.currency}


@transaction.atomic
def add_prior_policy(
    *,
    owner: PriorOwner,
    effective_date: date | None,
    carrier: str = "",
    policy_number: str = "",
    expiration_date: date | None = None,
    annual_premium: Money | None = None,
    num_losses: int | None = None,
    total_losses: Money | None = None,
    by: Actor = None,
) -> PriorPolicy:
    """Record a policy the insured held before, on an open job or on a bound policy."""
    txn, policy = _prior_policy_home(owner)
    _validate_prior(
        Errors(),
        carrier=carrier,
        policy_number=policy_number,
        effective_date=effective_date,
        expiration_date=expiration_date,
        annual_premium=annual_premium,
        num_losses=num_losses,
        total_losses=total_losses,
    )
    values: dict[str, object] = {
        "carrier": carrier.strip(),
        "policy_number": policy_number.strip(),
        "effective_date": effective_date,
        "expiration_date": expiration_date,
        "num_losses": num_losses,
        **_money_fields("annual_premium", annual_premium),
        **_money_fields("total_losses", total_losses),
    }
    prior = PriorPolicy.objects.create(transaction=txn, **values)
    if policy is not None:
        PriorPolicy.objects.bulk_create(
            PriorPolicy(transaction_id=txn_id, public_id=prior.public_id, **values)
            for txn_id in _open_transactions_of(policy).values_list("pk", flat=True)
        )
    record_row(by=by, action=AuditAction.CREATED, row=prior, txn=txn, policy=policy)
    return prior


@transaction.atomic
def update_prior_policy(
    *,
    owner: PriorOwner,
    prior_policy: PriorPolicy,
    checksum_supplied: str | None = None,
    carrier: str | Unset = UNSET,
    policy_number: str | Unset = UNSET,
    effective_date: date | None | Unset = UNSET,
    expiration_date: date | None | Unset = UNSET,
    annual_premium: Money | None | Unset = UNSET,
    num_losses: int | None | Unset = UNSET,
    total_losses: Money | None | Unset = UNSET,
    by: Actor = None,
) -> PriorPolicy:
    """Change the fields given (a PATCH); on a policy, open changes of it follow."""
    txn, policy = _prior_policy_home(owner)
    current = _relock_prior(prior_policy, txn)
    verify_checksum(checksum_supplied, checksum(current))
    before = snapshot(current)
    given: dict[str, object] = {
        name: value
        for name, value in (
            ("carrier", carrier),
            ("policy_number", policy_number),
            ("effective_date", effective_date),
            ("expiration_date", expiration_date),
            ("annual_premium", annual_premium),
            ("num_losses", num_losses),
            ("total_losses", total_losses),
        )
        if value is not UNSET
    }
    stored: dict[str, object] = {
        "carrier": current.carrier,
        "policy_number": current.policy_number,
        "effective_date": current.effective_date,
        "expiration_date": current.expiration_date,
        "annual_premium": _stored_money(current, "annual_premium"),
        "num_losses": current.num_losses,
        "total_losses": _stored_money(current, "total_losses"),
    }
    _validate_prior(Errors(), **{**stored, **given})  # type: ignore[arg-type]
    changes: dict[str, object] = {}
    for name, value in given.items():
        if name in ("annual_premium", "total_losses"):
            changes.update(_money_fields(name, value))  # type: ignore[arg-type]
        else:
            changes[name] = value.strip() if isinstance(value, str) else value
    for name, value in changes.items():
        setattr(current, name, value)
    current.save()
    if policy is not None and changes:
        # Only the fields this edit names: an open change keeps its own edits to others.
        PriorPolicy.objects.filter(
            transaction__in=_open_transactions_of(policy), public_id=current.public_id
        ).update(**changes)
    record_row(
        by=by,
        action=AuditAction.CHANGED,
        row=current,
        txn=txn,
        before=before,
        policy=policy,
    )
    return current


@transaction.atomic
def delete_prior_policy(
    *,
    owner: PriorOwner,
    prior_policy: PriorPolicy,
    checksum_supplied: str | None = None,
    by: Actor = None,
) -> None:
    txn, policy = _prior_policy_home(owner)
    current = _relock_prior(prior_policy, txn)
    verify_checksum(checksum_supplied, checksum(current))
    delete_recorded(by=by, row=current, txn=txn, policy=policy)
    if policy is not None:
        PriorPolicy.objects.filter(
            transaction__in=_open_transactions_of(policy), public_id=current.public_id
        ).delete()

"""Transactions: start a submission, quote, make draft, withdraw, bind, and change a
draft's terms (policy changes, renewals, cancellations and reinstatements start in
``policy_changes``).

Both the policy-administration API and the portal call these functions; so does the
contractor side when a tech opts in (``bind_submission``). Binding makes the
transaction's contents the policy's; a change, renewal or cancellation starts from
a copy of the policy's contents (see ``policies.services.copying``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from policies.lines import CoverageType
from policies.models import (
    AuditAction,
    Contact,
    ContactRole,
    Policy,
    PolicyContactRole,
    PolicySection,
    PolicyStatus,
    PolicyTransaction,
    Product,
    TransactionKind,
    TransactionStatus,
)
from policies.models.accounts import Account, AccountCategory
from policies.services.audit import (
    Actor,
    link_to_policy,
    record_transaction,
    snapshot,
)
from policies.services.contents import validate_section_types
from policies.services.drafts import (
    UNSET,
    Unset,
    checksum,
    lock_draft,
    verify_checksum,
)
from policies.signals import PolicyChange, send_policy_changed
from portal.ids import random_base62
from portal.jurisdictions import US_STATES
from portal.models import Platform, User

NO_LINES = "A policy carries at least one line of coverage."
NO_SECTIONS = "A policy of {product} carries at least one policy section."
LINE_NOT_IN_PRODUCT = "The product {product} does not write {line}."
UNKNOWN_LINE = "Unknown line of coverage: {line}."
WC_NEEDS_STATE = "Workers' compensation needs the work state it is rated for."
GL_NEEDS_STATE = "General liability needs the residence state it is rated for."
UNKNOWN_STATE = "{state} is not a US state code."
TERM_BACKWARDS = "The expiration date must be after the effective date."
CONTRACTOR_NOT_ON_PLATFORM = "The contractor does not belong to this platform."
POLICY_NOT_ACTIVE = "Only an active policy can be {verb}."
ACTION_NOT_ALLOWED = "Cannot take action '{action}': the job's status is '{status}' but must be one of: {allowed}."

# The job actions and the statuses each may be taken from (Cloud API §2.4).
ACTION_STATUSES: dict[str, tuple[str, ...]] = {
    "quote": (TransactionStatus.DRAFT,),
    "bind-and-issue": (TransactionStatus.QUOTED,),
    "make-draft": (TransactionStatus.QUOTED,),
    "withdraw": (TransactionStatus.DRAFT, TransactionStatus.QUOTED),
}


def action_refusal(*, action: str, txn: PolicyTransaction) -> str | None:
    """Why ``action`` cannot be taken on ``txn`` now, or None when it can.

    The services refuse with this message; the portal shows it beside the
    disabled button, so both say the same thing.
    """
    allowed: Iterable[str] = ACTION_STATUSES[action]
    if txn.status in allowed:
        return None
    return ACTION_NOT_ALLOWED.format(
        action=action,
        status=txn.get_status_display(),
        allowed=", ".join(TransactionStatus(s).label for s in allowed),
    )


def _require(action: str, txn: PolicyTransaction) -> None:
    refusal = action_refusal(action=action, txn=txn)
    if refusal is not None:
        raise ValidationError(refusal, code="invalid_state")


def validate_terms(
    *,
    product: Product,
    lines: list[str],
    wc_state: str,
    gl_state: str,
    effective_at: datetime,
    expires_at: datetime,
) -> None:
    """The rules any policy must satisfy, whichever transaction proposes it."""
    errors: dict[str, list[str]] = {}
    # A product made of policy sections (commercial property) writes no contractor
    # lines; one that writes lines needs at least one.
    if not lines and product.lines:
        errors.setdefault("lines", []).append(NO_LINES)
    for line in lines:
        if line not in CoverageType.values:
            errors.setdefault("lines", []).append(UNKNOWN_LINE.format(line=line))
        elif line not in product.lines:
            errors.setdefault("lines", []).append(
                LINE_NOT_IN_PRODUCT.format(
                    product=product.name, line=CoverageType(line).label
                )
            )
    for field, state, needed, missing in (
        ("wc_state", wc_state, CoverageType.WORKERS_COMP in lines, WC_NEEDS_STATE),
        ("gl_state", gl_state, CoverageType.GENERAL in lines, GL_NEEDS_STATE),
    ):
        if state and state not in US_STATES:
            errors.setdefault(field, []).append(UNKNOWN_STATE.format(state=state))
        elif needed and not state:
            errors.setdefault(field, []).append(missing)
    if expires_at <= effective_at:
        errors.setdefault("expires_at", []).append(TERM_BACKWARDS)
    if errors:
        raise ValidationError(errors)


def _new_policy_number() -> str:
    return f"DCP-{timezone.now():%y}-{random_base62(8).upper()}"


@transaction.atomic
def start_submission(
    *,
    platform: Platform,
    contractor: Account,
    product: Product,
    lines: list[str],
    effective_at: datetime,
    expires_at: datetime,
    wc_state: str = "",
    gl_state: str = "",
    category_code: AccountCategory | None = None,
    auto_renew: bool = True,
    by: Actor = None,
    section_types: Sequence[str] = (),
) -> PolicyTransaction:
    """A draft submission for a new policy; the contractor is its primary named insured."""
    if contractor.platform_id != platform.pk:
        raise ValidationError(CONTRACTOR_NOT_ON_PLATFORM)
    validate_terms(
        product=product,
        lines=lines,
        wc_state=wc_state,
        gl_state=gl_state,
        effective_at=effective_at,
        expires_at=expires_at,
    )
    section_types = list(dict.fromkeys(section_types))
    validate_section_types(product=product, section_types=section_types)
    # The plugin types contractor/category_code as coverage's models; policies names
    # them by its Account/AccountCategory Protocols, importing nothing from coverage.
    txn = PolicyTransaction.objects.create(  # type: ignore[misc]
        kind=TransactionKind.SUBMISSION,
        platform=platform,
        contractor=contractor,
        product=product,
        lines=list(dict.fromkeys(lines)),
        wc_state=wc_state,
        gl_state=gl_state,
        category_code=category_code,
        effective_at=effective_at,
        expires_at=expires_at,
        auto_renew=auto_renew,
        created_by=by if isinstance(by, User) else None,
    )
    PolicyContactRole.objects.create(
        transaction=txn,
        contact=account_holder(contractor),
        role=ContactRole.PRIMARY_NAMED_INSURED,
    )
    if section_types:
        PolicySection.objects.bulk_create(
            PolicySection(transaction=txn, section_type=code) for code in section_types
        )
    record_transaction(by=by, action=AuditAction.CREATED, txn=txn)
    return txn


def account_holder(contractor: Account) -> Contact:
    """The contractor's own contact on its account: every policy's primary named insured."""
    contact, _ = Contact.objects.get_or_create(
        contractor=contractor,
        is_account_holder=True,
        defaults={
            "kind": Contact.Kind.PERSON,
            "first_name": contractor.first_name,
            "last_name": contractor.last_name,
            "company_name": contractor.company_name,
            "email": contractor.email,
            "phone": contractor.phone,
        },
    )
    return contact


def _locked(txn: PolicyTransaction) -> PolicyTransaction:
    # Two clicks on "bind" must not bind twice: state changes take the row lock.
    return PolicyTransaction.objects.select_for_update().get(pk=txn.pk)


@transaction.atomic
def quote_transaction(*, txn: PolicyTransaction, by: Actor = None) -> PolicyTransaction:
    txn = _locked(txn)
    _require("quote", txn)
    before = snapshot(txn)
    validate_terms(
        product=txn.product,
        lines=txn.lines,
        wc_state=txn.wc_state,
        gl_state=txn.gl_state,
        effective_at=txn.effective_at,
        expires_at=txn.expires_at,
    )
    if (
        not txn.product.lines
        and not PolicySection.objects.filter(transaction=txn).exists()
    ):
        raise ValidationError(
            {"sections": [NO_SECTIONS.format(product=txn.product.name)]}
        )
    txn.status = TransactionStatus.QUOTED
    txn.quoted_at = timezone.now()
    txn.save(update_fields=["status", "quoted_at"])
    record_transaction(by=by, action=AuditAction.QUOTED, txn=txn, before=before)
    return txn


@transaction.atomic
def make_draft(*, txn: PolicyTransaction, by: Actor = None) -> PolicyTransaction:
    txn = _locked(txn)
    _require("make-draft", txn)
    before = snapshot(txn)
    txn.status = TransactionStatus.DRAFT
    txn.quoted_at = None
    txn.save(update_fields=["status", "quoted_at"])
    record_transaction(by=by, action=AuditAction.MADE_DRAFT, txn=txn, before=before)
    return txn


@transaction.atomic
def withdraw_transaction(
    *, txn: PolicyTransaction, by: Actor = None
) -> PolicyTransaction:
    txn = _locked(txn)
    _require("withdraw", txn)
    before = snapshot(txn)
    txn.status = TransactionStatus.WITHDRAWN
    txn.withdrawn_at = timezone.now()
    txn.save(update_fields=["status", "withdrawn_at"])
    record_transaction(by=by, action=AuditAction.WITHDRAWN, txn=txn, before=before)
    return txn


@transaction.atomic
def bind_transaction(
    *, txn: PolicyTransaction, by: Actor = None, now: datetime | None = None
) -> Policy:
    """Bind a quoted transaction: create the policy (submission) or apply the change to it.

    ``now``: the caller's clock, told to the policy hook's subscribers (a cancellation
    effective after it leaves its certificates in force until then)."""
    txn = _locked(txn)
    _require("bind-and-issue", txn)
    before = snapshot(txn)
    policy = _apply(txn, now=now or timezone.now())
    txn.policy = policy
    txn.status = TransactionStatus.BOUND
    txn.bound_at = timezone.now()
    txn.save(update_fields=["policy", "status", "bound_at"])
    record_transaction(by=by, action=AuditAction.BOUND, txn=txn, before=before)
    link_to_policy(txn=txn, policy=policy)
    return policy


def _apply(txn: PolicyTransaction, *, now: datetime) -> Policy:
    terms = {
        "lines": txn.lines,
        "wc_state": txn.wc_state,
        "gl_state": txn.gl_state,
        "category_code": txn.category_code,
        "effective_at": txn.effective_at,
        "expires_at": txn.expires_at,
        "auto_renew": txn.auto_renew,
    }
    if txn.kind == TransactionKind.SUBMISSION:
        return Policy.objects.create(
            number=_new_policy_number(),
            platform=txn.platform,
            contractor=txn.contractor,
            product=txn.product,
            contents_transaction=txn,
            **terms,
        )
    # Every other kind starts from a policy (policy_changes._start_from_policy).
    assert txn.policy_id is not None
    policy = Policy.objects.select_for_update().get(pk=txn.policy_id)
    if policy.status != PolicyStatus.ACTIVE:
        raise ValidationError(
            POLICY_NOT_ACTIVE.format(verb="changed"), code="invalid_state"
        )
    previous_expiry = policy.expires_at
    if txn.kind == TransactionKind.CANCELLATION:
        # A cancellation's effective date is when cover stops; the term stays as it was.
        policy.status = PolicyStatus.CANCELLED
        policy.cancelled_at = txn.effective_at
    else:
        if txn.kind == TransactionKind.RENEWAL:
            # Renewal continues cover: the policy keeps its start and runs to the end
            # of the new term, so dispatches still in the current term stay covered.
            terms["effective_at"] = policy.effective_at
            policy.term_number += 1
        for name, value in terms.items():
            setattr(policy, name, value)
    # The transaction started from a copy of the policy's contents; binding makes
    # its (possibly edited) copy the policy's. One column: the switch is atomic.
    policy.contents_transaction = txn
    policy.save()
    _announce(policy, kind=txn.kind, previous_expiry=previous_expiry, now=now)
    return policy


def _announce(
    policy: Policy, *, kind: str, previous_expiry: datetime, now: datetime
) -> None:
    """Whatever follows a policy on the contractor side (certificates, dispatches)
    subscribes to the hook; policy administration only says what kind of change it was."""
    changes: dict[str, PolicyChange] = {
        TransactionKind.CANCELLATION: PolicyChange.CANCELLED,
        TransactionKind.RENEWAL: PolicyChange.RENEWED,
    }
    change = changes.get(kind, PolicyChange.CHANGED)
    send_policy_changed(
        policy=policy,
        change=change,
        now=now,
        previous_expiry=previous_expiry,
    )


@transaction.atomic
def bind_submission(
    *,
    platform: Platform,
    contractor: Account,
    product: Product,
    lines: list[str],
    effective_at: datetime,
    expires_at: datetime,
    wc_state: str = "",
    gl_state: str = "",
    category_code: AccountCategory | None = None,
    auto_renew: bool = True,
    by: Actor = None,
) -> Policy:
    """Submission → quoted → bound in one step: the opt-in path of the contractor side."""
    txn = start_submission(
        platform=platform,
        contractor=contractor,
        product=product,
        lines=lines,
        effective_at=effective_at,
        expires_at=expires_at,
        wc_state=wc_state,
        gl_state=gl_state,
        category_code=category_code,
        auto_renew=auto_renew,
        by=by,
    )
    quote_transaction(txn=txn, by=by)
    return bind_transaction(txn=txn, by=by)


@transaction.atomic
def update_transaction_terms(
    *,
    txn: PolicyTransaction,
    checksum_supplied: str | None = None,
    lines: list[str] | Unset = UNSET,
    wc_state: str | Unset = UNSET,
    gl_state: str | Unset = UNSET,
    category_code: AccountCategory | None | Unset = UNSET,
    expires_at: datetime | Unset = UNSET,
    auto_renew: bool | Unset = UNSET,
    by: Actor = None,
) -> PolicyTransaction:
    """Change a draft transaction's terms (a PATCH of the job); the policy's rules apply."""
    txn = lock_draft(txn)
    verify_checksum(checksum_supplied, checksum(txn))
    before = snapshot(txn)
    changes = {
        name: value
        for name, value in (
            ("lines", lines),
            ("wc_state", wc_state),
            ("gl_state", gl_state),
            ("category_code", category_code),
            ("expires_at", expires_at),
            ("auto_renew", auto_renew),
        )
        if value is not UNSET
    }
    if "lines" in changes:
        changes["lines"] = list(dict.fromkeys(changes["lines"]))  # type: ignore[arg-type]
    for name, value in changes.items():
        setattr(txn, name, value)
    validate_terms(
        product=txn.product,
        lines=txn.lines,
        wc_state=txn.wc_state,
        gl_state=txn.gl_state,
        effective_at=txn.effective_at,
        expires_at=txn.expires_at,
    )
    txn.save()
    record_transaction(by=by, action=AuditAction.CHANGED, txn=txn, before=before)
    return txn

"""Policies seen from the contractor API: bound from a quote, switched on and off, deleted.

Every change goes through ``policies.services`` (submission → quoted → bound,
cancellation, reinstatement, policy change); this module adds the contractor side's
rules and events around them.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from coverage.api.serializers import policy_json
from coverage.models import Quote
from coverage.services.dates import resolve_window
from coverage.services.eligibility import Terms, matching_policy
from coverage.webhooks import events
from policies import services as policy_services
from policies.lines import CoverageType
from policies.models import Policy, PolicyStatus, Product
from policies.products import CONTRACTOR_PRODUCT
from policies.services.audit import Actor

QUOTE_ALREADY_BOUND = "A policy already exists for this quote."
MATCHING_POLICY = "Contractor already has a matching policy on file"
NOT_ACTIVE = "This policy is not active."
ALREADY_CANCELLED = "This policy is already cancelled."
NO_PRODUCT = (
    f"The contractor product {CONTRACTOR_PRODUCT!r} is missing: run manage.py "
    "seed_demo or create it in the admin."
)


def contractor_product() -> Product:
    try:
        return Product.objects.get(code=CONTRACTOR_PRODUCT)
    except Product.DoesNotExist:
        raise ImproperlyConfigured(NO_PRODUCT) from None


def _emit(policy: Policy, type: str) -> None:
    events.emit(platform=policy.platform, type=type, data=policy_json(policy))


@transaction.atomic
def bind_policy_from_quote(
    *,
    quote: Quote,
    effective_at: datetime | None = None,
    expires_at: datetime | None = None,
    now: datetime,
    by: Actor = None,
) -> Policy:
    """Bind ``quote`` into a policy through a submission; the quote's window by default.

    A quote whose start has passed binds from now: coverage is never retroactive.
    """
    quote = (
        Quote.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor", "job", "category_code")
        .get(pk=quote.pk)
    )
    if quote.policy_id is not None:
        raise ValidationError(QUOTE_ALREADY_BOUND, code="policy_already_exists")
    if effective_at is None:
        effective_at = max(quote.effective_at, now)
        expires_at = expires_at or quote.end_at
    window = resolve_window(effective_at=effective_at, end_at=expires_at, now=now)
    terms = Terms(
        lines=tuple(quote.lines),
        work_state=quote.wc_state,
        residence_state=quote.gl_state,
        category_code_id=quote.category_code_id,
    )
    if matching_policy(
        contractor=quote.contractor, terms=terms, on=window.effective_at
    ):
        raise ValidationError(MATCHING_POLICY, code="contractor_has_matching_policy")
    policy = policy_services.bind_submission(
        platform=quote.platform,
        contractor=quote.contractor,
        product=contractor_product(),
        lines=list(quote.lines),
        effective_at=window.effective_at,
        expires_at=window.end_at,
        wc_state=quote.wc_state,
        gl_state=quote.gl_state,
        category_code=quote.category_code,
        by=by,
    )
    quote.policy = policy
    quote.save(update_fields=["policy", "updated_at"])
    _emit(policy, "policy.created")
    _emit(policy, "policy.active")
    if CoverageType.MEDIA in policy.lines:
        # The documented list names media-line activation separately, for platforms
        # whose media work waits on it.
        _emit(policy, "policy.active.media")
    return policy


@transaction.atomic
def end_coverage(*, policy: Policy, now: datetime, by: Actor = None) -> Policy:
    """Cancel the policy now and every assignment under it that starts later."""
    # The policy hook (coverage.receivers) cancels the assignments that start later
    # and sends policy.cancelled, whoever cancelled the policy.
    return policy_services.cancel_policy(policy=policy, at=now, by=by, now=now)


def _change_term(
    policy: Policy,
    *,
    effective_at: datetime | None,
    expires_at: datetime | None,
    now: datetime,
    by: Actor = None,
) -> Policy:
    if policy.status != PolicyStatus.ACTIVE:
        raise ValidationError(NOT_ACTIVE, code="invalid_input")
    window = resolve_window(
        effective_at=effective_at or policy.effective_at,
        end_at=expires_at or (None if effective_at else policy.expires_at),
        now=now,
        check_future=effective_at is not None,
    )
    txn = policy_services.start_policy_change(policy=policy, by=by)
    txn.effective_at, txn.expires_at = window.effective_at, window.end_at
    txn.save(update_fields=["effective_at", "expires_at"])
    policy_services.quote_transaction(txn=txn, by=by)
    return policy_services.bind_transaction(txn=txn, by=by)


@transaction.atomic
def update_policy(
    *,
    policy: Policy,
    is_active: bool | None = None,
    effective_at: datetime | None = None,
    expires_at: datetime | None = None,
    now: datetime,
    by: Actor = None,
) -> Policy:
    """PUT /policies/{id}: a new term, and/or coverage switched off or back on.

    ``by``: who asked (the platform's key on the API), for the policy's audit history."""
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
    if effective_at is not None or expires_at is not None:
        policy = _change_term(
            policy, effective_at=effective_at, expires_at=expires_at, now=now, by=by
        )
    if is_active is False and policy.status == PolicyStatus.ACTIVE:
        policy = end_coverage(policy=policy, now=now, by=by)
    elif is_active is True and policy.status == PolicyStatus.CANCELLED:
        # policy.reactivated is sent by the policy hook (coverage.receivers).
        policy = policy_services.reinstate_policy(policy=policy, by=by)
    return policy


@transaction.atomic
def delete_policy(*, policy: Policy, now: datetime, by: Actor = None) -> Policy:
    """DELETE /policies/{id}: coverage ends now, later assignments are cancelled."""
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
    if policy.status != PolicyStatus.ACTIVE:
        raise ValidationError(ALREADY_CANCELLED, code="invalid_input")
    return end_coverage(policy=policy, now=now, by=by)

"""A policy's page (its bound contents, transactions and history) and the changes and
renewals started from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from policies import services
from policies.access import get_policy, underwriter_required
from policies.forms import CancelForm
from policies.models import Policy, PolicyTransaction, TransactionKind
from policies.selectors.audit import history_of_policy
from policies.selectors.coinsurance import agreements_of
from policies.selectors.contents import (
    contacts_of,
    locations_of,
    prior_policies_of,
    sections_of,
    summarize,
    towers_of,
)
from policies.views.responses import REFUSED, done
from portal.htmx import render_page
from portal.http import PortalRequest

CHANGE_STARTED = "Policy change {job} started: edit it, then quote and bind it."
RENEWAL_STARTED = "Renewal {job} started for the next term."
CANCELLED_NOW = "Policy {policy} cancelled: cover stopped now."
CANCELLED_FROM = (
    "Policy {policy} cancelled from {day:%b} {day.day}, {day:%Y}: its certificates "
    "stay in force until then."
)
REINSTATED = "Policy {policy} reinstated: cover is back in force."


@dataclass(frozen=True)
class Action:
    """A button the page shows; when ``refusal`` is set it is disabled and says why."""

    label: str
    url: str
    refusal: str | None
    primary: bool = False


def policy_actions(policy: Policy) -> list[Action]:
    return [
        Action(
            "Start policy change",
            reverse("policies:policy_change", args=[policy.public_id]),
            services.policy_action_refusal(
                kind=TransactionKind.POLICY_CHANGE, policy=policy
            ),
            primary=True,
        ),
        Action(
            "Start renewal",
            reverse("policies:policy_renew", args=[policy.public_id]),
            services.policy_action_refusal(kind=TransactionKind.RENEWAL, policy=policy),
        ),
        Action(
            "Reinstate",
            reverse("policies:policy_reinstate", args=[policy.public_id]),
            services.reinstate_refusal(policy=policy),
        ),
    ]


def _page(
    request: PortalRequest,
    policy: Policy,
    *,
    action_error: str = "",
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    contents_id = policy.contents_transaction_id
    priors = prior_policies_of(contents_id)
    context: dict[str, Any] = {
        "policy": policy,
        "actions": policy_actions(policy),
        "action_error": action_error,
        "cancel_form": cancel_form or CancelForm(),
        "cancel_refusal": services.policy_action_refusal(
            kind=TransactionKind.CANCELLATION, policy=policy
        ),
        "locations": locations_of(contents_id),
        "contacts": contacts_of(contents_id),
        "sections": sections_of(contents_id),
        "agreements": agreements_of(contents_id),
        "towers": towers_of(contents_id),
        "priors": priors,
        "prior_summary": summarize(priors),
        "transactions": list(
            PolicyTransaction.objects.filter(policy=policy).order_by("-created_at")
        ),
        "history": history_of_policy(policy),
    }
    return render_page(
        request,
        "policies/policy_detail.html",
        context,
        partial="actions",
        status=status,
    )


@underwriter_required
@require_GET
def policy_detail(request: PortalRequest, policy_id: str) -> HttpResponse:
    return _page(request, get_policy(policy_id))


def _start(
    request: PortalRequest,
    policy_id: str,
    start: Callable[..., PolicyTransaction],
    message: str,
) -> HttpResponse:
    policy = get_policy(policy_id)
    try:
        txn = start(policy=policy, by=request.user)
    except ValidationError as exc:
        policy.refresh_from_db()
        return _page(
            request,
            policy,
            action_error=" ".join(exc.messages),
            status=REFUSED,
        )
    messages.success(request, message.format(job=txn.public_id))
    return done(request, reverse("policies:transaction_detail", args=[txn.public_id]))


@underwriter_required
@require_POST
def policy_change(request: PortalRequest, policy_id: str) -> HttpResponse:
    return _start(request, policy_id, services.start_policy_change, CHANGE_STARTED)


@underwriter_required
@require_POST
def policy_renew(request: PortalRequest, policy_id: str) -> HttpResponse:
    return _start(request, policy_id, services.start_renewal, RENEWAL_STARTED)


@underwriter_required
@require_POST
def policy_cancel(request: PortalRequest, policy_id: str) -> HttpResponse:
    """Cancel now, or from a date in the term; the Cloud API's cancel, same service."""
    policy = get_policy(policy_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        at = form.effective_at()
        try:
            services.cancel_policy(policy=policy, at=at, by=request.user)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            message = (
                CANCELLED_FROM.format(policy=policy.number, day=at)
                if at is not None and at > timezone.now()
                else CANCELLED_NOW.format(policy=policy.number)
            )
            messages.success(request, message)
            return done(
                request, reverse("policies:policy_detail", args=[policy.public_id])
            )
    policy.refresh_from_db()
    return _page(request, policy, cancel_form=form, status=REFUSED)


@underwriter_required
@require_POST
def policy_reinstate(request: PortalRequest, policy_id: str) -> HttpResponse:
    policy = get_policy(policy_id)
    try:
        services.reinstate_policy(policy=policy, by=request.user)
    except ValidationError as exc:
        policy.refresh_from_db()
        return _page(
            request, policy, action_error=" ".join(exc.messages), status=REFUSED
        )
    messages.success(request, REINSTATED.format(policy=policy.number))
    return done(request, reverse("policies:policy_detail", args=[policy.public_id]))

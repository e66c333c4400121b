"""Prior policies (seed 004): editable on a transaction until it is bound, then on the bound
policy itself; read-only elsewhere, with the reason the services give.

The same views serve both owners: a transaction (``transaction_id``) or a policy
(``policy_id``); ``PriorHome`` says which, and where its prior policies live.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from policies import services
from policies.access import get_policy, get_transaction, underwriter_required
from policies.forms import PriorPolicyForm
from policies.models import Policy, PolicyTransaction, PriorPolicy, TransactionStatus
from policies.selectors.contents import prior_policies_of, summarize
from policies.services.drafts import checksum
from policies.services.prior_policies import (
    POLICY_WITHOUT_CONTENTS,
    PRIOR_TRANSACTION_BOUND,
    PRIOR_TRANSACTION_CLOSED,
)
from policies.views.responses import REFUSED
from portal.htmx import render_page
from portal.http import PortalRequest


@dataclass
class PriorHome:
    """Whose prior policies a page shows: a transaction's or a policy's."""

    txn: PolicyTransaction | None = None
    policy: Policy | None = None

    @property
    def contents_id(self) -> int | None:
        if self.txn is not None:
            return self.txn.pk
        assert self.policy is not None
        return self.policy.contents_transaction_id

    @property
    def service_owner(self) -> services.PriorOwner:
        return self.txn if self.txn is not None else self.policy  # type: ignore[return-value]

    @property
    def read_only_reason(self) -> str:
        """Why these prior policies cannot be edited here (seed 004), or ""."""
        if self.txn is not None:
            txn = self.txn
            if txn.status == TransactionStatus.BOUND:
                ref = txn.policy.public_id if txn.policy is not None else ""
                return PRIOR_TRANSACTION_BOUND.format(policy=ref)
            if not txn.is_open:
                return PRIOR_TRANSACTION_CLOSED.format(
                    status=txn.get_status_display().lower()
                )
            return ""
        assert self.policy is not None
        if self.policy.contents_transaction_id is None:
            return POLICY_WITHOUT_CONTENTS
        return ""

    def url(self, name: str, *args: object) -> str:
        if self.txn is not None:
            return reverse(
                f"policies:transaction_prior_{name}", args=[self.txn.public_id, *args]
            )
        assert self.policy is not None
        return reverse(
            f"policies:policy_prior_{name}", args=[self.policy.public_id, *args]
        )


@dataclass(frozen=True)
class PriorRow:
    prior: PriorPolicy
    edit_url: str
    delete_url: str


def _home(transaction_id: str | None, policy_id: str | None) -> PriorHome:
    if transaction_id is not None:
        return PriorHome(txn=get_transaction(transaction_id))
    assert policy_id is not None
    return PriorHome(policy=get_policy(policy_id))


def _prior(home: PriorHome, prior_id: str) -> PriorPolicy:
    prior = PriorPolicy.objects.filter(
        transaction_id=home.contents_id, public_id=prior_id
    ).first()
    if prior is None:
        raise Http404
    return prior


def _initial(prior: PriorPolicy) -> dict[str, Any]:
    return {
        "carrier": prior.carrier,
        "policy_number": prior.policy_number,
        "effective_date": prior.effective_date,
        "expiration_date": prior.expiration_date,
        "annual_premium": prior.annual_premium,
        "annual_premium_currency": prior.annual_premium_currency or "usd",
        "num_losses": prior.num_losses,
        "total_losses": prior.total_losses,
        "total_losses_currency": prior.total_losses_currency or "usd",
        "checksum": checksum(prior),
    }


def _page(
    request: PortalRequest,
    home: PriorHome,
    *,
    add_form: PriorPolicyForm | None = None,
    editing: str = "",
    edit_form: PriorPolicyForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    priors = prior_policies_of(home.contents_id)
    if editing and edit_form is None:
        prior = next((p for p in priors if p.public_id == editing), None)
        if prior is None:
            raise Http404
        edit_form = PriorPolicyForm(initial=_initial(prior))
    rows = [
        PriorRow(
            prior=p,
            edit_url=home.url("edit", p.public_id),
            delete_url=home.url("delete", p.public_id),
        )
        for p in priors
    ]
    context = {
        "home": home,
        "txn": home.txn,
        "policy": home.policy,
        "rows": rows,
        "summary": summarize(priors),
        "read_only": home.read_only_reason,
        "add_form": add_form or PriorPolicyForm(),
        "editing": editing,
        "edit_form": edit_form,
        "error": error,
        "add_url": home.url("add"),
        "page_url": home.url("policies"),
    }
    return render_page(
        request,
        "policies/prior_policies.html",
        context,
        partial="priors",
        status=status,
    )


def _list(request: PortalRequest, home: PriorHome) -> HttpResponse:
    return _page(request, home)


def _add(request: PortalRequest, home: PriorHome) -> HttpResponse:
    form = PriorPolicyForm(request.POST)
    if form.is_valid():
        try:
            services.add_prior_policy(
                owner=home.service_owner, by=request.user, **form.values()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            return _page(request, home)
    return _page(request, home, add_form=form, status=REFUSED)


def _edit(request: PortalRequest, home: PriorHome, prior_id: str) -> HttpResponse:
    prior = _prior(home, prior_id)
    if request.method != "POST":
        return _page(request, home, editing=prior.public_id)
    form = PriorPolicyForm(request.POST, initial=_initial(prior))
    if form.is_valid():
        try:
            services.update_prior_policy(
                owner=home.service_owner,
                prior_policy=prior,
                checksum_supplied=form.cleaned_data["checksum"] or None,
                by=request.user,
                **form.changed_values(),
            )
        except PriorPolicy.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            return _page(request, home)
    return _page(
        request,
        home,
        editing=prior.public_id,
        edit_form=form,
        status=REFUSED,
    )


def _delete(request: PortalRequest, home: PriorHome, prior_id: str) -> HttpResponse:
    prior = _prior(home, prior_id)
    try:
        services.delete_prior_policy(
            owner=home.service_owner, prior_policy=prior, by=request.user
        )
    except PriorPolicy.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        return _page(request, home, error=" ".join(exc.messages), status=REFUSED)
    return _page(request, home)


# One view per action and owner: the URL says which, the helpers above do the work.


@underwriter_required
@require_GET
def transaction_prior_policies(
    request: PortalRequest, transaction_id: str
) -> HttpResponse:
    return _list(request, _home(transaction_id, None))


@underwriter_required
@require_POST
def transaction_prior_add(request: PortalRequest, transaction_id: str) -> HttpResponse:
    return _add(request, _home(transaction_id, None))


@underwriter_required
@require_http_methods(["GET", "POST"])
def transaction_prior_edit(
    request: PortalRequest, transaction_id: str, prior_id: str
) -> HttpResponse:
    return _edit(request, _home(transaction_id, None), prior_id)


@underwriter_required
@require_POST
def transaction_prior_delete(
    request: PortalRequest, transaction_id: str, prior_id: str
) -> HttpResponse:
    return _delete(request, _home(transaction_id, None), prior_id)


@underwriter_required
@require_GET
def policy_prior_policies(request: PortalRequest, policy_id: str) -> HttpResponse:
    return _list(request, _home(None, policy_id))


@underwriter_required
@require_POST
def policy_prior_add(request: PortalRequest, policy_id: str) -> HttpResponse:
    return _add(request, _home(None, policy_id))


@underwriter_required
@require_http_methods(["GET", "POST"])
def policy_prior_edit(
    request: PortalRequest, policy_id: str, prior_id: str
) -> HttpResponse:
    return _edit(request, _home(None, policy_id), prior_id)


@underwriter_required
@require_POST
def policy_prior_delete(
    request: PortalRequest, policy_id: str, prior_id: str
) -> HttpResponse:
    return _delete(request, _home(None, policy_id), prior_id)

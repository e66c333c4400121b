"""Prior policies (seed 004): editable on a job until it is bound, then on the policy
itself; readable on both."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field, StrictInt

from policies import services
from policies.api import include
from policies.api.base import job_api, policy_api, router
from policies.api.listing import (
    check_query,
    collection,
    date_field,
    int_field,
    text_field,
)
from policies.api.wire import (
    DateText,
    Envelope,
    In,
    MoneyIn,
    MoneyOut,
    Owner,
    Text,
    actor,
    element,
    envelope,
    envelopes,
    given,
    iso_date,
    link,
    money,
    one,
    policy_owner,
    supplied_checksum,
    transaction_owner,
)
from policies.models import (
    PriorPolicy,
)
from policies.services.drafts import checksum

job_contents = router("Prior policies")
policy_contents = router("Prior policies")


class PriorPolicyAttributesIn(In):
    effectiveDate: DateText = Field(description="The one required field.")
    carrier: Text = ""
    policyNumber: Text = ""
    expirationDate: DateText | None = None
    annualPremium: MoneyIn | None = None
    numLosses: StrictInt | None = None
    totalLosses: MoneyIn | None = None


class PriorPolicyPatchIn(In):
    effectiveDate: DateText | None = None
    carrier: Text | None = None
    policyNumber: Text | None = None
    expirationDate: DateText | None = None
    annualPremium: MoneyIn | None = None
    numLosses: StrictInt | None = None
    totalLosses: MoneyIn | None = None


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    PriorPolicyRequest = Envelope[PriorPolicyAttributesIn]
    PriorPolicyPatchRequest = Envelope[PriorPolicyPatchIn]
else:
    PriorPolicyRequest = envelope("PriorPolicy", PriorPolicyAttributesIn)
    PriorPolicyPatchRequest = envelope("PriorPolicyPatch", PriorPolicyPatchIn)


class PriorPolicyAttributes(Schema):
    id: str
    carrier: str | None = None
    policyNumber: str | None = None
    effectiveDate: str
    expirationDate: str | None = None
    annualPremium: MoneyOut | None = None
    numLosses: int | None = None
    totalLosses: MoneyOut | None = None


PriorPolicyOne, PriorPolicyList = envelopes("PriorPolicy", PriorPolicyAttributes)


# ---------------------------------------------------------------------------
# Prior policies (seed 004)


def _prior_editable(owner: Owner) -> bool:
    """Seed 004: on a job until it is bound; on a bound policy, on the policy itself."""
    if owner.txn is not None:
        return owner.txn.is_open
    return True


def prior_policy_resource(owner: Owner, prior: PriorPolicy) -> dict[str, Any]:
    attributes = {
        "id": prior.public_id,
        "carrier": prior.carrier or None,
        "policyNumber": prior.policy_number or None,
        "effectiveDate": iso_date(prior.effective_date),
        "expirationDate": iso_date(prior.expiration_date),
        "annualPremium": money(prior.annual_premium, prior.annual_premium_currency),
        "numLosses": prior.num_losses,
        "totalLosses": money(prior.total_losses, prior.total_losses_currency),
    }
    methods = ("delete", "get", "patch") if _prior_editable(owner) else ("get",)
    href = f"{owner.base}/prior-policies/{prior.public_id}"
    return element(attributes, checksum(prior), {"self": link(href, *methods)})


PRIOR_POLICY_FILTERS = {
    "carrier": text_field("carrier"),
    "policyNumber": text_field("policy_number"),
    "effectiveDate": date_field("effective_date"),
    "expirationDate": date_field("expiration_date"),
    "numLosses": int_field("num_losses"),
}


def _prior_policies(owner: Owner) -> QuerySet[PriorPolicy]:
    return PriorPolicy.objects.filter(transaction_id=owner.contents_id)


def list_prior_policies(request: HttpRequest, owner: Owner) -> dict[str, Any]:
    actions = (
        {"create": link(f"{owner.base}/prior-policies", "post")}
        if _prior_editable(owner)
        else None
    )
    return collection(
        request,
        _prior_policies(owner).order_by("effective_date", "pk"),
        lambda p: prior_policy_resource(owner, p),
        fields=PRIOR_POLICY_FILTERS,
        actions=actions,
    )


def get_prior_policy(
    request: HttpRequest, owner: Owner, prior_id: str
) -> dict[str, Any]:
    check_query(request)
    return one(
        prior_policy_resource(owner, _prior_policies(owner).get(public_id=prior_id))
    )


def _service_owner(owner: Owner) -> services.PriorOwner:
    if owner.txn is not None:
        return owner.txn
    assert owner.policy is not None
    return owner.policy


def create_prior_policy(request: HttpRequest, owner: Owner, payload: Any) -> Status:
    attrs: PriorPolicyAttributesIn = payload.data.attributes
    prior = services.add_prior_policy(
        by=actor(request),
        owner=_service_owner(owner),
        effective_date=attrs.effectiveDate,
        carrier=attrs.carrier,
        policy_number=attrs.policyNumber,
        expiration_date=attrs.expirationDate,
        annual_premium=attrs.annualPremium.money() if attrs.annualPremium else None,
        num_losses=attrs.numLosses,
        total_losses=attrs.totalLosses.money() if attrs.totalLosses else None,
    )
    return Status(201, one(prior_policy_resource(owner, prior)))


_PRIOR_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "effectiveDate": ("effective_date", lambda v: v),
    "carrier": ("carrier", lambda v: v or ""),
    "policyNumber": ("policy_number", lambda v: v or ""),
    "expirationDate": ("expiration_date", lambda v: v),
    "annualPremium": ("annual_premium", lambda v: v.money() if v else None),
    "numLosses": ("num_losses", lambda v: v),
    "totalLosses": ("total_losses", lambda v: v.money() if v else None),
}


def patch_prior_policy(
    request: HttpRequest, owner: Owner, prior_id: str, payload: Any
) -> dict[str, Any]:
    prior = _prior_policies(owner).get(public_id=prior_id)
    attrs = payload.data.attributes
    changes = {
        name: convert(getattr(attrs, wire))
        for wire, (name, convert) in _PRIOR_FIELDS.items()
        if wire in given(payload)
    }
    updated = services.update_prior_policy(
        by=actor(request),
        owner=_service_owner(owner),
        prior_policy=prior,
        checksum_supplied=supplied_checksum(request, payload),
        **changes,
    )
    return one(prior_policy_resource(owner, updated))


def remove_prior_policy(request: HttpRequest, owner: Owner, prior_id: str) -> Status:
    prior = _prior_policies(owner).get(public_id=prior_id)
    services.delete_prior_policy(
        by=actor(request),
        owner=_service_owner(owner),
        prior_policy=prior,
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


PRIOR = "/prior-policies"
PRIOR_ONE = "/prior-policies/{priorPolicyId}"


@job_contents.get(
    "/jobs/{jobId}" + PRIOR, response=PriorPolicyList, summary="Prior policies"
)
def job_prior_policies(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return list_prior_policies(request, transaction_owner(jobId))


@policy_contents.get(
    "/policies/{policyId}" + PRIOR, response=PriorPolicyList, summary="Prior policies"
)
def policy_prior_policies(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_prior_policies(request, policy_owner(policyId))


@job_contents.get("/jobs/{jobId}" + PRIOR_ONE, response=PriorPolicyOne)
def job_prior_policy(
    request: HttpRequest, jobId: str, priorPolicyId: str
) -> dict[str, Any]:
    return get_prior_policy(request, transaction_owner(jobId), priorPolicyId)


@policy_contents.get("/policies/{policyId}" + PRIOR_ONE, response=PriorPolicyOne)
def policy_prior_policy(
    request: HttpRequest, policyId: str, priorPolicyId: str
) -> dict[str, Any]:
    return get_prior_policy(request, policy_owner(policyId), priorPolicyId)


@job_contents.post(
    "/jobs/{jobId}" + PRIOR,
    response={201: PriorPolicyOne},
    summary="Record a prior policy (until the job is bound)",
)
def job_create_prior_policy(
    request: HttpRequest,
    jobId: str,
    payload: PriorPolicyRequest,
) -> Status:
    return create_prior_policy(request, transaction_owner(jobId), payload)


@policy_contents.post(
    "/policies/{policyId}" + PRIOR,
    response={201: PriorPolicyOne},
    summary="Record a prior policy on a bound policy",
)
def policy_create_prior_policy(
    request: HttpRequest,
    policyId: str,
    payload: PriorPolicyRequest,
) -> Status:
    return create_prior_policy(request, policy_owner(policyId), payload)


@job_contents.patch("/jobs/{jobId}" + PRIOR_ONE, response=PriorPolicyOne)
def job_patch_prior_policy(
    request: HttpRequest,
    jobId: str,
    priorPolicyId: str,
    payload: PriorPolicyPatchRequest,
) -> dict[str, Any]:
    return patch_prior_policy(request, transaction_owner(jobId), priorPolicyId, payload)


@policy_contents.patch("/policies/{policyId}" + PRIOR_ONE, response=PriorPolicyOne)
def policy_patch_prior_policy(
    request: HttpRequest,
    policyId: str,
    priorPolicyId: str,
    payload: PriorPolicyPatchRequest,
) -> dict[str, Any]:
    return patch_prior_policy(request, policy_owner(policyId), priorPolicyId, payload)


@job_contents.delete("/jobs/{jobId}" + PRIOR_ONE, response={204: None})
def job_delete_prior_policy(
    request: HttpRequest, jobId: str, priorPolicyId: str
) -> Status:
    return remove_prior_policy(request, transaction_owner(jobId), priorPolicyId)


@policy_contents.delete("/policies/{policyId}" + PRIOR_ONE, response={204: None})
def policy_delete_prior_policy(
    request: HttpRequest, policyId: str, priorPolicyId: str
) -> Status:
    return remove_prior_policy(request, policy_owner(policyId), priorPolicyId)


job_api.add_router("", job_contents)
policy_api.add_router("", policy_contents)


include.register(
    "prior-policies",
    "PriorPolicy",
    lambda owner: [
        prior_policy_resource(owner, p)
        for p in _prior_policies(owner).order_by("effective_date", "pk")
    ],
)

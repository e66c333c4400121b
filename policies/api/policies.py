"""Policies on the Policy API: list and read bound policies, and start the transactions
that begin from one (a policy change, a renewal, a cancellation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from policies import services
from policies.api.as_of import attributes_as_of, parse_as_of
from policies.api.base import policy_api, router
from policies.api.jobs import (
    CONTENT_COLLECTIONS,
    JOB_FILTERS,
    JobList,
    JobOne,
    account_ref,
    category_ref,
    fresh_transaction,
    line_typekeys,
    product_ref,
    start_of_day,
    state_typekey,
    transaction_resource,
    transaction_rows,
)
from policies.api.listing import (
    check_query,
    code_field,
    collection,
    text_field,
)
from policies.api.wire import (
    POLICY_ROOT,
    DateText,
    Envelope,
    In,
    Ref,
    TypeKey,
    actor,
    body_schema,
    element,
    envelope,
    envelopes,
    iso_datetime,
    link,
    one,
    optional_body,
    policy_owner,
    typekey,
)
from policies.models import (
    Policy,
    PolicyStatus,
)
from policies.services.drafts import checksum

policies = router("Policies")


class EmptyAttributes(In):
    pass


class CancelAttributes(In):
    jobEffectiveDate: DateText | None = Field(
        None, description="When cover stops; defaults to now."
    )


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    ChangeRequest = Envelope[EmptyAttributes]
    CancelRequest = Envelope[CancelAttributes]
else:
    ChangeRequest = envelope("PolicyChange", EmptyAttributes)
    CancelRequest = envelope("Cancel", CancelAttributes)


class PolicyAttributes(Schema):
    id: str
    policyNumber: str
    account: Ref
    product: Ref
    periodStart: str
    periodEnd: str
    status: TypeKey
    lines: list[TypeKey]
    wcState: TypeKey | None = None
    glState: TypeKey | None = None
    categoryCode: Ref | None = None
    autoRenew: bool
    termNumber: int
    cancellationDate: str | None = None


PolicyOne, PolicyList = envelopes("Policy", PolicyAttributes)


def policy_resource(policy: Policy) -> dict[str, Any]:
    base = f"{POLICY_ROOT}/policies/{policy.public_id}"
    attributes = {
        "id": policy.public_id,
        "policyNumber": policy.number,
        "account": account_ref(policy.contractor),
        "product": product_ref(policy.product),
        "periodStart": iso_datetime(policy.effective_at),
        "periodEnd": iso_datetime(policy.expires_at),
        "status": typekey(policy.status, policy.get_status_display()),
        "lines": line_typekeys(policy.lines),
        "wcState": state_typekey(policy.wc_state),
        "glState": state_typekey(policy.gl_state),
        "categoryCode": category_ref(policy.category_code),
        "autoRenew": policy.auto_renew,
        "termNumber": policy.term_number,
        "cancellationDate": iso_datetime(policy.cancelled_at),
    }
    links: dict[str, Any] = {"self": link(base, "get")}
    if policy.status == PolicyStatus.ACTIVE:
        links["change"] = link(f"{base}/change", "post")
        links["cancel"] = link(f"{base}/cancel", "post")
    if policy.status != PolicyStatus.CANCELLED:
        links["renew"] = link(f"{base}/renew", "post")
    for name in CONTENT_COLLECTIONS:
        methods = ["get", "post"] if name == "prior-policies" else ["get"]
        links[name] = link(f"{base}/{name}", *methods)
    return element(attributes, checksum(policy), links)


def _policies() -> QuerySet[Policy]:
    return Policy.objects.select_related("contractor", "product", "category_code")


def _policy_by_id(policy_id: str) -> Policy:
    policy = policy_owner(policy_id).policy
    assert policy is not None
    return _policies().get(pk=policy.pk)


POLICY_FILTERS = {
    "status": code_field("status", {v: v for v in PolicyStatus.values}),
    "policyNumber": text_field("number"),
    "product": text_field("product__code"),
    "account": text_field("contractor__public_id"),
}


@policies.get("/policies", response=PolicyList, summary="List policies")
def list_policies(request: HttpRequest) -> dict[str, Any]:
    return collection(
        request, _policies().order_by("-pk"), policy_resource, fields=POLICY_FILTERS
    )


@policies.get("/policies/{policyId}", response=PolicyOne, summary="Get a policy")
def get_policy(request: HttpRequest, policyId: str) -> dict[str, Any]:
    """The policy now, or with ``asOfDate=YYYY-MM-DD`` as it stood at the start of that day."""
    check_query(request, {"asOfDate"})
    policy = _policy_by_id(policyId)
    resource = policy_resource(policy)
    raw = request.GET.get("asOfDate")
    if raw is not None:
        resource["attributes"].update(attributes_as_of(policy, parse_as_of(raw)))
    return one(resource)


@policies.get("/policies/{policyId}/jobs", response=JobList, summary="Jobs of a policy")
def policy_jobs(request: HttpRequest, policyId: str) -> dict[str, Any]:
    policy = policy_owner(policyId).policy
    return collection(
        request,
        transaction_rows().filter(policy=policy).order_by("-pk"),
        transaction_resource,
        fields=JOB_FILTERS,
    )


@policies.post(
    "/policies/{policyId}/change",
    response=JobOne,
    summary="Start a policy change",
    openapi_extra=body_schema(ChangeRequest),
)
def change(request: HttpRequest, policyId: str) -> dict[str, Any]:
    optional_body(request, ChangeRequest)
    txn = services.start_policy_change(
        by=actor(request), policy=_policy_by_id(policyId)
    )
    return fresh_transaction(txn)


@policies.post(
    "/policies/{policyId}/renew",
    response=JobOne,
    summary="Start a renewal",
    openapi_extra=body_schema(ChangeRequest),
)
def renew(request: HttpRequest, policyId: str) -> dict[str, Any]:
    optional_body(request, ChangeRequest)
    txn = services.start_renewal(by=actor(request), policy=_policy_by_id(policyId))
    return fresh_transaction(txn)


@policies.post(
    "/policies/{policyId}/cancel", response=PolicyOne, summary="Cancel a policy"
)
def cancel(
    request: HttpRequest,
    policyId: str,
    payload: CancelRequest | None = None,
) -> dict[str, Any]:
    at = None
    if payload is not None:
        day = payload.data.attributes.jobEffectiveDate
        at = start_of_day(day) if day else None
    policy = services.cancel_policy(
        by=actor(request), policy=_policy_by_id(policyId), at=at
    )
    return one(policy_resource(_policies().get(pk=policy.pk)))


policy_api.add_router("", policies)

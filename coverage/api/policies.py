"""/api/v1/policies: bound coverage; created from a quote, switched with is_active."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Status

from coverage import services
from coverage.api.inputs import WireIn, get_or_404, required, timestamp
from coverage.api.quotes import quote_or_404
from coverage.api.serializers import PolicyJSON, policy_json
from coverage.api.site import api
from coverage.api.wire import DeletedJSON, deleted
from coverage.certificates import policy_prefetch
from policies.models import Policy
from portal.api import ApiError, api_key_of, cursor_page, platform_of

CREATED_ACTIVE = (
    "A policy is created active; switch it off afterwards with is_active=false."
)
QUOTE_IS_FIXED = "A policy's quote cannot be changed; create a new quote and policy."


class PolicyUpdate(WireIn):
    is_active: bool | None = None
    effective_date: int | None = None
    expiration_date: int | None = None
    quote: str | None = None


class PolicyCreate(PolicyUpdate):
    quote_id: str | None = None  # alias of quote, as the Python SDK sends it


def policy_or_404(request: HttpRequest, policy_id: str | None) -> Policy:
    return get_or_404(
        Policy.objects.for_platform(platform_of(request)).select_related(
            "contractor", "quote"
        ),
        policy_id,
        what="policy",
        code="invalid_policy_id",
    )


@api.post("/policies", response={201: PolicyJSON}, tags=["policies"])
def create_policy(request: HttpRequest, payload: PolicyCreate) -> Status:
    """Bind a quote directly (the exception path; usually an application session binds)."""
    if payload.is_active is False:
        raise ApiError({"is_active": CREATED_ACTIVE}, code="invalid_input")
    quote = quote_or_404(request, required(payload.quote or payload.quote_id, "quote"))
    policy = services.bind_policy_from_quote(
        quote=quote,
        effective_at=timestamp(
            payload.effective_date, "effective_date", "effective_date_invalid"
        ),
        expires_at=timestamp(
            payload.expiration_date, "expiration_date", "end_date_invalid"
        ),
        now=timezone.now(),
        by=api_key_of(request),  # the platform's key: the policy's history names it
    )
    return Status(201, policy_json(policy))


@api.get("/policies", response=list[PolicyJSON], tags=["policies"])
def list_policies(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
    quote: str | None = None,
) -> list[PolicyJSON]:
    policies = Policy.objects.for_platform(platform_of(request))
    if quote is not None:
        policies = policies.filter(quote__public_id=quote)
    page = cursor_page(
        policies.select_related("contractor", "quote").prefetch_related(
            policy_prefetch()
        ),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [policy_json(p) for p in page]


@api.get("/policies/{policy_id}", response=PolicyJSON, tags=["policies"])
def get_policy(request: HttpRequest, policy_id: str) -> PolicyJSON:
    return policy_json(policy_or_404(request, policy_id))


@api.put("/policies/{policy_id}", response=PolicyJSON, tags=["policies"])
def update_policy(
    request: HttpRequest, policy_id: str, payload: PolicyUpdate
) -> PolicyJSON:
    """``is_active`` switches coverage off (cancelling later assignments) and on again."""
    policy = policy_or_404(request, policy_id)
    current_quote = getattr(policy, "quote", None)
    if payload.quote is not None and payload.quote != (
        current_quote.public_id if current_quote else None
    ):
        raise ApiError({"quote": QUOTE_IS_FIXED}, code="invalid_input")
    policy = services.update_policy(
        policy=policy,
        is_active=payload.is_active,
        effective_at=timestamp(
            payload.effective_date, "effective_date", "effective_date_invalid"
        ),
        expires_at=timestamp(
            payload.expiration_date, "expiration_date", "end_date_invalid"
        ),
        now=timezone.now(),
        by=api_key_of(request),
    )
    return policy_json(policy)


@api.delete("/policies/{policy_id}", response=DeletedJSON, tags=["policies"])
def delete_policy(request: HttpRequest, policy_id: str) -> dict[str, Any]:
    """Coverage ends now; assignments starting later are cancelled."""
    now = timezone.now()
    policy = services.delete_policy(
        policy=policy_or_404(request, policy_id), now=now, by=api_key_of(request)
    )
    return deleted(policy.public_id, "policy", now)

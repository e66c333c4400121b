"""/api/v1/contractors (+ /contractors/{id}/policies): the platform's 1099 techs."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Status

from coverage import services
from coverage.api.inputs import AddressIn, WireIn, address_dict, get_or_404
from coverage.api.serializers import (
    ContractorJSON,
    PolicyJSON,
    contractor_json,
    policy_json,
)
from coverage.api.site import api
from coverage.api.wire import DeletedJSON, deleted
from coverage.certificates import policy_prefetch
from coverage.models import Contractor
from policies.models import Policy
from portal.api import api_key_of, cursor_page, platform_of


class ContractorUpdate(WireIn):
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    company_name: str | None = None
    # Write-only: never returned.
    tax_identification: str | None = None
    address: AddressIn | None = None
    custom_metadata: dict[str, Any] | None = None
    withhold_premium: bool | None = None


class ContractorCreate(ContractorUpdate):
    first_name: str
    last_name: str
    email: str


def _data(payload: ContractorUpdate) -> services.ContractorData:
    data = {name: getattr(payload, name) for name in payload.model_fields_set}
    if "address" in data:
        data["address"] = address_dict(payload.address)
    # The keys are the payload's sent field names, which ContractorData mirrors one for one;
    # a comprehension over model_fields_set can't be checked key by key.
    return cast(services.ContractorData, data)


def contractor_or_404(request: HttpRequest, contractor_id: str | None) -> Contractor:
    return get_or_404(
        Contractor.objects.for_platform(platform_of(request)).live(),
        contractor_id,
        what="contractor",
        code="invalid_contractor_id",
    )


@api.post("/contractors", response={201: ContractorJSON}, tags=["contractors"])
def create_contractor(request: HttpRequest, payload: ContractorCreate) -> Status:
    contractor = services.create_contractor(
        platform=platform_of(request), data=_data(payload), by=api_key_of(request)
    )
    return Status(201, contractor_json(contractor))


@api.get("/contractors", response=list[ContractorJSON], tags=["contractors"])
def list_contractors(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
    email: str | None = None,
) -> list[ContractorJSON]:
    contractors = Contractor.objects.for_platform(platform_of(request)).live()
    if email is not None:
        # The documented filter is an exact, case-sensitive match.
        contractors = contractors.filter(email=email)
    page = cursor_page(
        contractors,
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [contractor_json(c) for c in page]


@api.get("/contractors/{contractor_id}", response=ContractorJSON, tags=["contractors"])
def get_contractor(request: HttpRequest, contractor_id: str) -> ContractorJSON:
    return contractor_json(contractor_or_404(request, contractor_id))


@api.put("/contractors/{contractor_id}", response=ContractorJSON, tags=["contractors"])
def update_contractor(
    request: HttpRequest, contractor_id: str, payload: ContractorUpdate
) -> ContractorJSON:
    contractor = services.update_contractor(
        contractor=contractor_or_404(request, contractor_id),
        data=_data(payload),
        now=timezone.now(),
        by=api_key_of(request),
    )
    return contractor_json(contractor)


@api.delete("/contractors/{contractor_id}", response=DeletedJSON, tags=["contractors"])
def delete_contractor(request: HttpRequest, contractor_id: str) -> dict[str, Any]:
    """Deleting a contractor cancels their active policies at once."""
    contractor = services.delete_contractor(
        contractor=contractor_or_404(request, contractor_id),
        now=timezone.now(),
        by=api_key_of(request),
    )
    return deleted(contractor.public_id, "contractor", contractor.deleted_at)


@api.get(
    "/contractors/{contractor_id}/policies",
    response=list[PolicyJSON],
    tags=["contractors", "policies"],
)
def list_contractor_policies(
    request: HttpRequest,
    contractor_id: str,
    quote: str | None = None,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[PolicyJSON]:
    contractor = contractor_or_404(request, contractor_id)
    policies = Policy.objects.for_platform(platform_of(request)).filter(
        contractor=contractor
    )
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

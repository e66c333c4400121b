"""Towers and the policy sections they apply to (seed 003); their layers, with the
layers' coinsurance agreements and parties, are in ``layers``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from policies import services
from policies.api.agreement_sections import (
    get_linked_section,
    linked_section_resource,
    list_linked_sections,
)
from policies.api.agreements import (
    LinkedSectionList,
    LinkedSectionOne,
    SectionLinkRequest,
)
from policies.api.base import job_api, policy_api, router
from policies.api.listing import (
    check_query,
    collection,
    int_field,
)
from policies.api.wire import (
    Envelope,
    In,
    Owner,
    SectionRefIn,
    TypeKey,
    actor,
    body_schema,
    choice,
    element,
    envelope,
    envelopes,
    link,
    one,
    optional_body,
    policy_owner,
    short_number,
    supplied_checksum,
    transaction_owner,
)
from policies.models import (
    PolicySection,
    SectionType,
    Tower,
)
from policies.services.drafts import checksum

job_tower_routes = router("Towers and layers")
policy_tower_routes = router("Towers and layers")


class TowerIn(In):
    initialPolicySections: list[SectionRefIn] = Field(
        default_factory=list,
        description="Sections the tower applies to; none = the policy.",
    )


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    TowerRequest = Envelope[TowerIn]
else:
    TowerRequest = envelope("Tower", TowerIn)


class TowerAttributes(Schema):
    id: str
    displayName: str
    policySections: list[TypeKey]


TowerOne, TowerList = envelopes("Tower", TowerAttributes)


# ---------------------------------------------------------------------------
# Towers


def tower_resource(owner: Owner, tower: Tower) -> dict[str, Any]:
    href = f"{owner.base}/towers/{tower.short_id}"
    sections = sorted(s.section_type for s in tower.sections.all())
    attributes = {
        "id": tower.short_id,
        "displayName": str(tower),
        "policySections": [choice(SectionType, c) for c in sections],
    }
    writable = ("post",) if owner.editable else ()
    links = {
        "self": link(href, "get", *(("delete",) if owner.editable else ())),
        "layers": link(f"{href}/layers", "get", *writable),
        "policy-sections": link(f"{href}/policy-sections", "get", *writable),
    }
    return element(attributes, checksum(tower), links)


def _towers(owner: Owner) -> QuerySet[Tower]:
    return Tower.objects.filter(transaction_id=owner.contents_id).prefetch_related(
        "sections"
    )


def tower_of(owner: Owner, tower_id: str) -> Tower:
    return _towers(owner).get(number=short_number(tower_id))


def list_towers(request: HttpRequest, owner: Owner) -> dict[str, Any]:
    actions = (
        {"create": link(f"{owner.base}/towers", "post")} if owner.editable else None
    )
    return collection(
        request,
        _towers(owner).order_by("number"),
        lambda t: tower_resource(owner, t),
        fields={"id": int_field("number")},
        actions=actions,
    )


TOWERS = "/towers"
TOWER = "/towers/{towerId}"


@job_tower_routes.get("/jobs/{jobId}" + TOWERS, response=TowerList, summary="Towers")
def job_towers(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return list_towers(request, transaction_owner(jobId))


@policy_tower_routes.get(
    "/policies/{policyId}" + TOWERS, response=TowerList, summary="Towers"
)
def policy_towers(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_towers(request, policy_owner(policyId))


@job_tower_routes.get("/jobs/{jobId}" + TOWER, response=TowerOne)
def job_tower(request: HttpRequest, jobId: str, towerId: str) -> dict[str, Any]:
    check_query(request)
    owner = transaction_owner(jobId)
    return one(tower_resource(owner, tower_of(owner, towerId)))


@policy_tower_routes.get("/policies/{policyId}" + TOWER, response=TowerOne)
def policy_tower(request: HttpRequest, policyId: str, towerId: str) -> dict[str, Any]:
    check_query(request)
    owner = policy_owner(policyId)
    return one(tower_resource(owner, tower_of(owner, towerId)))


@job_tower_routes.post(
    "/jobs/{jobId}" + TOWERS,
    response={201: TowerOne},
    summary="Create a tower",
    openapi_extra=body_schema(TowerRequest),
)
def create_tower(request: HttpRequest, jobId: str) -> Status:
    owner = transaction_owner(jobId)
    payload = optional_body(request, TowerRequest)
    sections = payload.data.attributes.initialPolicySections if payload else []
    codes = [s.sectionType.code for s in sections]
    tower = services.create_tower(
        by=actor(request), txn=owner.contents_owner, section_types=codes
    )
    return Status(201, one(tower_resource(owner, _towers(owner).get(pk=tower.pk))))


@job_tower_routes.delete(
    "/jobs/{jobId}" + TOWER, response={204: None}, summary="Delete a tower"
)
def delete_tower(request: HttpRequest, jobId: str, towerId: str) -> Status:
    owner = transaction_owner(jobId)
    services.delete_tower(
        by=actor(request),
        tower=tower_of(owner, towerId),
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


T_SECTIONS = TOWER + "/policy-sections"
T_SECTION = T_SECTIONS + "/{sectionId}"


def tower_base(owner: Owner, tower_id: str) -> tuple[Tower, str]:
    tower = tower_of(owner, tower_id)
    return tower, f"{owner.base}/towers/{tower.short_id}"


@job_tower_routes.get(
    "/jobs/{jobId}" + T_SECTIONS,
    response=LinkedSectionList,
    summary="Sections of a tower",
)
def job_tower_sections(
    request: HttpRequest, jobId: str, towerId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    tower, base = tower_base(owner, towerId)
    return list_linked_sections(request, owner, f"{base}/policy-sections", tower=tower)


@policy_tower_routes.get(
    "/policies/{policyId}" + T_SECTIONS,
    response=LinkedSectionList,
    summary="Sections of a tower",
)
def policy_tower_sections(
    request: HttpRequest, policyId: str, towerId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    tower, base = tower_base(owner, towerId)
    return list_linked_sections(request, owner, f"{base}/policy-sections", tower=tower)


@job_tower_routes.get("/jobs/{jobId}" + T_SECTION, response=LinkedSectionOne)
def job_tower_section(
    request: HttpRequest, jobId: str, towerId: str, sectionId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    tower, base = tower_base(owner, towerId)
    return get_linked_section(
        request, owner, f"{base}/policy-sections", sectionId, tower=tower
    )


@policy_tower_routes.get("/policies/{policyId}" + T_SECTION, response=LinkedSectionOne)
def policy_tower_section(
    request: HttpRequest, policyId: str, towerId: str, sectionId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    tower, base = tower_base(owner, towerId)
    return get_linked_section(
        request, owner, f"{base}/policy-sections", sectionId, tower=tower
    )


@job_tower_routes.post(
    "/jobs/{jobId}" + T_SECTIONS,
    response={201: LinkedSectionOne},
    summary="Associate a section with a tower",
)
def add_tower_section(
    request: HttpRequest,
    jobId: str,
    towerId: str,
    payload: SectionLinkRequest,
) -> Status:
    owner = transaction_owner(jobId)
    tower, base = tower_base(owner, towerId)
    code = payload.data.attributes.sectionType.code
    section = services.add_tower_section(
        by=actor(request), tower=tower, section_type=code
    )
    return Status(
        201, one(linked_section_resource(owner, f"{base}/policy-sections", section))
    )


@job_tower_routes.delete(
    "/jobs/{jobId}" + T_SECTION,
    response={204: None},
    summary="Remove a section from a tower",
)
def remove_tower_section(
    request: HttpRequest, jobId: str, towerId: str, sectionId: str
) -> Status:
    owner = transaction_owner(jobId)
    tower, _ = tower_base(owner, towerId)
    PolicySection.objects.get(tower=tower, section_type=sectionId)
    services.remove_tower_section(
        by=actor(request),
        tower=tower,
        section_type=sectionId,
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


job_api.add_router("", job_tower_routes)
policy_api.add_router("", policy_tower_routes)

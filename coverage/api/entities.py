"""/api/v1/entities: the platform's customers-of-record."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Status

from coverage import services
from coverage.api.inputs import AddressIn, DigitsInt, WireIn, address_dict, get_or_404
from coverage.api.serializers import EntityJSON, entity_json
from coverage.api.site import api
from coverage.api.wire import DeletedJSON, deleted
from coverage.models import Entity
from portal.api import api_key_of, cursor_page, platform_of


class CoverageLimitIn(WireIn):
    aggregate_limit: DigitsInt | None = None
    occurrence_limit: DigitsInt | None = None


class CoverageTypesIn(WireIn):
    """The older documented form of ``required_coverage``: ``{"coverage_type": [...]}``."""

    coverage_type: list[str] = []


class PartyIn(WireIn):
    name: str | None = None
    address: AddressIn | None = None


class EntityUpdate(WireIn):
    name: str | None = None
    address: AddressIn | None = None
    coverage_limit: CoverageLimitIn | None = None
    required_coverage: list[str] | CoverageTypesIn | None = None
    # Contract requirements (coverage.services.contract): per line, limit → cents.
    minimum_limits: dict[str, dict[str, int | None] | None] | None = None
    additional_insureds: list[PartyIn] | None = None
    waiver_of_subrogation: bool | None = None
    primary_non_contributory: bool | None = None
    certificate_holder: PartyIn | None = None


def _party(party: PartyIn | None) -> dict[str, Any] | None:
    if party is None:
        return None
    return {"name": party.name, "address": address_dict(party.address)}


class EntityCreate(EntityUpdate):
    name: str


def _data(payload: EntityUpdate) -> services.EntityData:
    sent = payload.model_fields_set
    data: services.EntityData = {}
    if "name" in sent:
        data["name"] = payload.name
    if "address" in sent:
        data["address"] = address_dict(payload.address)
    if "coverage_limit" in sent:
        limits = payload.coverage_limit or CoverageLimitIn()
        data["aggregate_limit"] = limits.aggregate_limit
        data["occurrence_limit"] = limits.occurrence_limit
    if "required_coverage" in sent:
        coverage = payload.required_coverage
        if isinstance(coverage, CoverageTypesIn):
            coverage = coverage.coverage_type
        data["required_coverage"] = coverage or []
    if "minimum_limits" in sent:
        data["minimum_limits"] = payload.minimum_limits
    if "additional_insureds" in sent:
        data["additional_insureds"] = [
            _party(p) for p in payload.additional_insureds or []
        ]
    for flag in ("waiver_of_subrogation", "primary_non_contributory"):
        if flag in sent:
            # An explicit null turns the requirement off, like an omitted boolean.
            data[flag] = bool(getattr(payload, flag))
    if "certificate_holder" in sent:
        data["certificate_holder"] = _party(payload.certificate_holder)
    return data


def _entity(request: HttpRequest, entity_id: str) -> Entity:
    return get_or_404(
        Entity.objects.for_platform(platform_of(request)).live(),
        entity_id,
        what="entity",
        code="invalid_entity_id",
    )


@api.post("/entities", response={201: EntityJSON}, tags=["entities"])
def create_entity(request: HttpRequest, payload: EntityCreate) -> Status:
    entity = services.create_entity(
        platform=platform_of(request), data=_data(payload), by=api_key_of(request)
    )
    return Status(201, entity_json(entity))


@api.get("/entities", response=list[EntityJSON], tags=["entities"])
def list_entities(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[EntityJSON]:
    page = cursor_page(
        Entity.objects.for_platform(platform_of(request)).live(),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [entity_json(e) for e in page]


@api.get("/entities/{entity_id}", response=EntityJSON, tags=["entities"])
def get_entity(request: HttpRequest, entity_id: str) -> EntityJSON:
    return entity_json(_entity(request, entity_id))


@api.put("/entities/{entity_id}", response=EntityJSON, tags=["entities"])
def update_entity(
    request: HttpRequest, entity_id: str, payload: EntityUpdate
) -> EntityJSON:
    entity = services.update_entity(
        entity=_entity(request, entity_id),
        data=_data(payload),
        now=timezone.now(),
        by=api_key_of(request),
    )
    return entity_json(entity)


@api.delete("/entities/{entity_id}", response=DeletedJSON, tags=["entities"])
def delete_entity(request: HttpRequest, entity_id: str) -> dict[str, Any]:
    entity = services.delete_entity(
        entity=_entity(request, entity_id), now=timezone.now(), by=api_key_of(request)
    )
    return deleted(entity.public_id, "entity", entity.deleted_at)

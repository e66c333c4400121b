"""Writes for entities (customers-of-record): create, change, delete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from typing_extensions import TypedDict

from coverage.audit import Actor, AuditAction, audited
from coverage.audit import before as audit_before
from coverage.models import Entity
from coverage.services import contract
from coverage.services.inputs import (
    REQUIRED,
    apply_address,
    clean_lines,
    invalid,
    validate_fields,
)
from coverage.services.redecide import redecide_entity
from portal.models import Platform

LIMIT_TOO_LOW = "Coverage limits are in cents and at least 1000."
MIN_LIMIT = 1000


class EntityData(TypedDict, total=False):
    # None when the API sends an explicit null: answered as a missing name.
    name: str | None
    address: dict[str, Any] | None
    aggregate_limit: int | None
    occurrence_limit: int | None
    required_coverage: Sequence[str]
    # Contract requirements (coverage.services.contract), as the API sends them.
    minimum_limits: Any
    additional_insureds: Any
    waiver_of_subrogation: bool
    primary_non_contributory: bool
    certificate_holder: Any


def _apply_entity(entity: Entity, data: EntityData) -> None:
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise invalid("name", REQUIRED)
        entity.name = name
    if "address" in data:
        apply_address(entity, data["address"], region_required=False)
    for field in ("aggregate_limit", "occurrence_limit"):
        if field in data:
            value = data[field]
            if value is not None and value < MIN_LIMIT:
                raise invalid(field, LIMIT_TOO_LOW)
            setattr(entity, field, value)
    if "required_coverage" in data:
        lines = data["required_coverage"]
        entity.required_coverage = (
            clean_lines(lines, field="required_coverage") if lines else []
        )
    _apply_contract(entity, data)


def _apply_contract(entity: Entity, data: EntityData) -> None:
    if "minimum_limits" in data:
        entity.minimum_limits = contract.clean_minimum_limits(data["minimum_limits"])
    if "additional_insureds" in data:
        entity.additional_insureds = contract.clean_parties(
            data["additional_insureds"], field="additional_insureds"
        )
    for flag in ("waiver_of_subrogation", "primary_non_contributory"):
        if flag in data:
            setattr(entity, flag, bool(data[flag]))
    if "certificate_holder" in data:
        holder = data["certificate_holder"]
        entity.certificate_holder = (
            None
            if holder is None
            else contract.clean_party(holder, field="certificate_holder")
        )


@transaction.atomic
def create_entity(
    *, platform: Platform, data: EntityData, by: Actor = None, via: str | None = None
) -> Entity:
    entity = Entity(platform=platform)
    if "name" not in data:
        raise invalid("name", REQUIRED)
    _apply_entity(entity, data)
    validate_fields(entity, exclude=["platform"])
    entity.save()
    audited(by=by, via=via, row=entity, action=AuditAction.CREATED)
    return entity


def _decided_on(entity: Entity) -> tuple[Any, ...]:
    """What its dispatches are decided (requirements) or certified (holder) on."""
    return (
        entity.name,
        tuple(entity.address.values()),
        tuple(entity.required_coverage),
        entity.aggregate_limit,
        entity.occurrence_limit,
        entity.minimum_limits,
        entity.additional_insureds,
        entity.waiver_of_subrogation,
        entity.primary_non_contributory,
        entity.certificate_holder,
    )


@transaction.atomic
def update_entity(
    *,
    entity: Entity,
    data: EntityData,
    now: datetime,
    by: Actor = None,
    via: str | None = None,
) -> Entity:
    """Edit an entity; new requirements or holder details re-decide its live dispatches."""
    entity = Entity.objects.select_for_update(of=("self",)).get(pk=entity.pk)
    before = _decided_on(entity)
    was = audit_before(entity)
    _apply_entity(entity, data)
    validate_fields(entity, exclude=["platform"])
    entity.save()
    audited(by=by, via=via, row=entity, before=was)
    if _decided_on(entity) != before:
        redecide_entity(entity=entity, now=now)
    return entity


@transaction.atomic
def delete_entity(
    *, entity: Entity, now: datetime, by: Actor = None, via: str | None = None
) -> Entity:
    # The row stays for the jobs and ledger entries that name it; the API forgets it.
    was = audit_before(entity)
    entity.deleted_at = now
    entity.save(update_fields=["deleted_at"])
    audited(by=by, via=via, row=entity, action=AuditAction.DELETED, before=was)
    return entity

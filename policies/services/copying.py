"""Copying a transaction's contents: how a policy change or renewal starts from the policy.

Copies keep their short ids ("101") and prior policies keep their ``pc:`` ids, so a
resource has the same id on a policy and on every transaction that changes it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Exists, OuterRef

from policies.models import (
    CoinsuranceAgreement,
    CoinsuranceParty,
    Layer,
    LocationNamedInsured,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PolicyTransaction,
    PriorPolicy,
    Tower,
)

M = TypeVar("M", bound=models.Model)


def _clone(
    rows: list[M], target: PolicyTransaction, **remaps: dict[int, int]
) -> list[M]:
    """New rows like ``rows`` owned by ``target``, with foreign keys remapped.

    ``remaps`` maps a foreign key's attname (``tower_id``) to {old pk: new pk}.
    Returns the saved copies in the same order, so old[i] became new[i].
    """
    copies: list[M] = []
    for row in rows:
        values: dict[str, Any] = {
            f.attname: getattr(row, f.attname)
            for f in row._meta.concrete_fields
            if not f.primary_key
        }
        values["transaction_id"] = target.pk
        for attname, mapping in remaps.items():
            if values[attname] is not None:
                values[attname] = mapping[values[attname]]
        copies.append(type(row)(**values))
    if copies:
        type(copies[0])._default_manager.bulk_create(copies)
    return copies


def _pk_map(old: list[M], new: list[M]) -> dict[int, int]:
    return {o.pk: n.pk for o, n in zip(old, new, strict=True)}


# Every kind of content, parents before the children that point at them.
KINDS: tuple[type[models.Model], ...] = (
    PolicyLocation,
    Tower,
    Layer,
    CoinsuranceAgreement,
    CoinsuranceParty,
    PolicySection,
    PolicyContactRole,
    LocationNamedInsured,
    PriorPolicy,
)


def copy_contents(*, source_id: int, target: PolicyTransaction) -> None:
    """Give ``target`` a copy of the contents of transaction ``source_id``.

    One query learns which kinds of content the source has (a contractor's policy
    has little more than its named insured); then one read and one insert per kind
    present, whatever the number of rows.
    """
    present = {
        model.__name__: Exists(
            model._default_manager.filter(transaction_id=OuterRef("pk"))
        )
        for model in KINDS
    }
    source = (
        PolicyTransaction.objects.filter(pk=source_id)
        .annotate(**present)
        .values("last_child_number", *present)
        .get()
    )
    if source["last_child_number"] != target.last_child_number:
        target.last_child_number = source["last_child_number"]
        PolicyTransaction.objects.filter(pk=target.pk).update(
            last_child_number=target.last_child_number
        )

    def rows(model: type[M]) -> list[M]:
        if not source[model.__name__]:
            return []
        return list(
            model._default_manager.filter(transaction_id=source_id).order_by("pk")
        )

    locations = rows(PolicyLocation)
    location_map = _pk_map(locations, _clone(locations, target))
    towers = rows(Tower)
    tower_map = _pk_map(towers, _clone(towers, target))
    layers = rows(Layer)
    layer_map = _pk_map(layers, _clone(layers, target, tower_id=tower_map))
    agreements = rows(CoinsuranceAgreement)
    agreement_map = _pk_map(agreements, _clone(agreements, target, layer_id=layer_map))
    _clone(rows(CoinsuranceParty), target, agreement_id=agreement_map)
    _clone(
        rows(PolicySection),
        target,
        coinsurance_agreement_id=agreement_map,
        tower_id=tower_map,
    )
    _clone(rows(PolicyContactRole), target)
    _clone(rows(LocationNamedInsured), target, location_id=location_map)
    _clone(rows(PriorPolicy), target)

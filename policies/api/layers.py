"""Layers of a tower and their layer-level coinsurance agreements and parties (seed 003:
"Add a layer-level coinsurance agreement: POST
/job/v1/jobs/{jobId}/towers/{towerId}/layers")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from policies import services
from policies.api.agreements import (
    NOT_NULLABLE,
    AgreementAttributes,
    AgreementIn,
    AgreementPatchIn,
    PartyTotal,
    agreement_attributes,
    agreement_terms,
    term_changes,
)
from policies.api.base import job_api, policy_api, router
from policies.api.coinsurance_parties import (
    PartyList,
    PartyOne,
    PartyPatchRequest,
    PartyRequest,
    add_party,
    get_party,
    list_parties,
    patch_party,
    remove_party,
)
from policies.api.listing import (
    check_query,
    collection,
    decimal_field,
)
from policies.api.towers import TOWER, tower_base, tower_of
from policies.api.wire import (
    Envelope,
    In,
    MoneyIn,
    MoneyOut,
    Owner,
    actor,
    element,
    envelope,
    envelopes,
    given,
    link,
    money,
    one,
    policy_owner,
    short_number,
    supplied_checksum,
    transaction_owner,
)
from policies.models import (
    CoinsuranceAgreement,
    Layer,
    Tower,
)
from policies.services.towers import LAYER_HAS_NO_AGREEMENT, layer_checksum
from portal.api import ApiError

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    LayerWithTotal = WithAnnotations[Layer, PartyTotal]

job_layer_routes = router("Towers and layers")
policy_layer_routes = router("Towers and layers")


class LayerIn(In):
    attachment: MoneyIn = Field(description="Where the layer starts.")
    limit: MoneyIn = Field(
        description="How much the layer covers above its attachment."
    )
    coinsuranceAgreement: AgreementIn | None = Field(
        None, description="Terms of a layer-level coinsurance agreement."
    )


class LayerPatchIn(In):
    attachment: MoneyIn | None = None
    limit: MoneyIn | None = None
    coinsuranceAgreement: AgreementPatchIn | None = None


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    LayerRequest = Envelope[LayerIn]
    LayerPatchRequest = Envelope[LayerPatchIn]
else:
    LayerRequest = envelope("Layer", LayerIn)
    LayerPatchRequest = envelope("LayerPatch", LayerPatchIn)


class LayerAttributes(Schema):
    id: str
    attachment: MoneyOut
    limit: MoneyOut
    coinsuranceAgreement: AgreementAttributes | None = None


LayerOne, LayerList = envelopes("Layer", LayerAttributes)


# ---------------------------------------------------------------------------
# Layers (and layer-level agreements)


def _layer_agreement(layer: Layer) -> CoinsuranceAgreement | None:
    try:
        return layer.coinsurance_agreement
    except CoinsuranceAgreement.DoesNotExist:
        return None


def layer_resource(owner: Owner, layer: LayerWithTotal) -> dict[str, Any]:
    href = f"{owner.base}/towers/{layer.tower.short_id}/layers/{layer.short_id}"
    agreement = _layer_agreement(layer)
    attributes = {
        "id": layer.short_id,
        "attachment": money(layer.attachment, layer.currency),
        "limit": money(layer.limit, layer.currency),
        "coinsuranceAgreement": agreement_attributes(agreement, [], layer.party_total)
        if agreement
        else None,
    }
    links = {
        "self": link(href, "get", *(("delete", "patch") if owner.editable else ()))
    }
    if agreement is not None:
        links["parties"] = link(
            f"{href}/parties", "get", *(("post",) if owner.editable else ())
        )
    return element(attributes, layer_checksum(layer, agreement), links)


def _layers(tower: Tower) -> QuerySet[LayerWithTotal]:
    # The sum of its agreement's party shares, which the agreement shows.
    return (
        Layer.objects.filter(tower=tower)
        .select_related("tower", "coinsurance_agreement")
        .annotate(party_total=Sum("coinsurance_agreement__parties__share"))
    )


def _layer(tower: Tower, layer_id: str) -> LayerWithTotal:
    return _layers(tower).get(number=short_number(layer_id))


LAYERS = TOWER + "/layers"
LAYER = LAYERS + "/{layerId}"


def list_layers(request: HttpRequest, owner: Owner, tower_id: str) -> dict[str, Any]:
    tower, base = tower_base(owner, tower_id)
    actions = {"create": link(f"{base}/layers", "post")} if owner.editable else None
    return collection(
        request,
        _layers(tower).order_by("attachment", "number"),
        lambda layer: layer_resource(owner, layer),
        fields={
            "attachment": decimal_field("attachment"),
            "limit": decimal_field("limit"),
        },
        actions=actions,
    )


@job_layer_routes.get(
    "/jobs/{jobId}" + LAYERS, response=LayerList, summary="Layers of a tower"
)
def job_layers(request: HttpRequest, jobId: str, towerId: str) -> dict[str, Any]:
    return list_layers(request, transaction_owner(jobId), towerId)


@policy_layer_routes.get(
    "/policies/{policyId}" + LAYERS, response=LayerList, summary="Layers of a tower"
)
def policy_layers(request: HttpRequest, policyId: str, towerId: str) -> dict[str, Any]:
    return list_layers(request, policy_owner(policyId), towerId)


@job_layer_routes.get("/jobs/{jobId}" + LAYER, response=LayerOne)
def job_layer(
    request: HttpRequest, jobId: str, towerId: str, layerId: str
) -> dict[str, Any]:
    check_query(request)
    owner = transaction_owner(jobId)
    return one(layer_resource(owner, _layer(tower_of(owner, towerId), layerId)))


@policy_layer_routes.get("/policies/{policyId}" + LAYER, response=LayerOne)
def policy_layer(
    request: HttpRequest, policyId: str, towerId: str, layerId: str
) -> dict[str, Any]:
    check_query(request)
    owner = policy_owner(policyId)
    return one(layer_resource(owner, _layer(tower_of(owner, towerId), layerId)))


@job_layer_routes.post(
    "/jobs/{jobId}" + LAYERS,
    response={201: LayerOne},
    summary="Add a layer (with a layer-level coinsurance agreement)",
)
def create_layer(
    request: HttpRequest,
    jobId: str,
    towerId: str,
    payload: LayerRequest,
) -> Status:
    owner = transaction_owner(jobId)
    tower = tower_of(owner, towerId)
    attrs: LayerIn = payload.data.attributes
    terms = (
        services.AgreementTerms(**agreement_terms(attrs.coinsuranceAgreement))
        if attrs.coinsuranceAgreement
        else None
    )
    layer = services.create_layer(
        by=actor(request),
        tower=tower,
        attachment=attrs.attachment.money(),
        limit=attrs.limit.money(),
        coinsurance=terms,
    )
    return Status(201, one(layer_resource(owner, _layers(tower).get(pk=layer.pk))))


@job_layer_routes.patch(
    "/jobs/{jobId}" + LAYER,
    response=LayerOne,
    summary="Change a layer or its agreement",
)
def patch_layer(
    request: HttpRequest,
    jobId: str,
    towerId: str,
    layerId: str,
    payload: LayerPatchRequest,
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    tower = tower_of(owner, towerId)
    layer = _layer(tower, layerId)
    attrs: LayerPatchIn = payload.data.attributes
    sent = given(payload)
    changes: dict[str, Any] = {}
    for wire in ("attachment", "limit"):
        if wire in sent:
            value = getattr(attrs, wire)
            if value is None:
                raise ApiError(NOT_NULLABLE.format(field=wire))
            changes[wire] = value.money()
    if "coinsuranceAgreement" in sent:
        if attrs.coinsuranceAgreement is None:
            raise ApiError(NOT_NULLABLE.format(field="coinsuranceAgreement"))
        changes["coinsurance"] = term_changes(attrs.coinsuranceAgreement)
    services.update_layer(
        by=actor(request),
        layer=layer,
        checksum_supplied=supplied_checksum(request, payload),
        **changes,
    )
    return one(layer_resource(owner, _layers(tower).get(pk=layer.pk)))


@job_layer_routes.delete(
    "/jobs/{jobId}" + LAYER, response={204: None}, summary="Delete a layer"
)
def delete_layer(
    request: HttpRequest, jobId: str, towerId: str, layerId: str
) -> Status:
    owner = transaction_owner(jobId)
    layer = _layer(tower_of(owner, towerId), layerId)
    services.delete_layer(layer=layer, checksum_supplied=supplied_checksum(request))
    return Status(204, None)


L_PARTIES = LAYER + "/parties"
L_PARTY = L_PARTIES + "/{partyId}"


def _layer_base(
    owner: Owner, tower_id: str, layer_id: str
) -> tuple[Layer, CoinsuranceAgreement | None, str]:
    tower = tower_of(owner, tower_id)
    layer = _layer(tower, layer_id)
    return (
        layer,
        _layer_agreement(layer),
        f"{owner.base}/towers/{tower.short_id}/layers/{layer.short_id}",
    )


@job_layer_routes.get(
    "/jobs/{jobId}" + L_PARTIES,
    response=PartyList,
    summary="Parties of a layer's agreement",
)
def job_layer_parties(
    request: HttpRequest, jobId: str, towerId: str, layerId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return list_parties(request, owner, base, agreement)


@policy_layer_routes.get(
    "/policies/{policyId}" + L_PARTIES,
    response=PartyList,
    summary="Parties of a layer's agreement",
)
def policy_layer_parties(
    request: HttpRequest, policyId: str, towerId: str, layerId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return list_parties(request, owner, base, agreement)


@job_layer_routes.get("/jobs/{jobId}" + L_PARTY, response=PartyOne)
def job_layer_party(
    request: HttpRequest, jobId: str, towerId: str, layerId: str, partyId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return get_party(request, owner, base, agreement, partyId)


@policy_layer_routes.get("/policies/{policyId}" + L_PARTY, response=PartyOne)
def policy_layer_party(
    request: HttpRequest, policyId: str, towerId: str, layerId: str, partyId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return get_party(request, owner, base, agreement, partyId)


@job_layer_routes.post(
    "/jobs/{jobId}" + L_PARTIES,
    response={201: PartyOne},
    summary="Add a party to a layer's agreement",
)
def create_layer_party(
    request: HttpRequest,
    jobId: str,
    towerId: str,
    layerId: str,
    payload: PartyRequest,
) -> Status:
    owner = transaction_owner(jobId)
    layer, agreement, base = _layer_base(owner, towerId, layerId)
    if agreement is None:
        raise ApiError(LAYER_HAS_NO_AGREEMENT.format(number=layer.number))
    return add_party(request, owner, base, agreement, payload)


@job_layer_routes.patch(
    "/jobs/{jobId}" + L_PARTY, response=PartyOne, summary="Change a layer party"
)
def update_layer_party(
    request: HttpRequest,
    jobId: str,
    towerId: str,
    layerId: str,
    partyId: str,
    payload: PartyPatchRequest,
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return patch_party(request, owner, base, agreement, partyId, payload)


@job_layer_routes.delete(
    "/jobs/{jobId}" + L_PARTY, response={204: None}, summary="Remove a layer party"
)
def delete_layer_party(
    request: HttpRequest, jobId: str, towerId: str, layerId: str, partyId: str
) -> Status:
    owner = transaction_owner(jobId)
    _, agreement, _ = _layer_base(owner, towerId, layerId)
    return remove_party(request, agreement, partyId)


job_api.add_router("", job_layer_routes)
policy_api.add_router("", policy_layer_routes)

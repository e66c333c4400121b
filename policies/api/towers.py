"""Towers, their sections and layers, and the layers' coinsurance agreements and
parties (seed 003: "Add a layer-level coinsurance agreement: POST
/job/v1/jobs/{jobId}/towers/{towerId}/layers")."""

from __future__ import annotations

from typing import Any

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
    LinkedSectionList,
    LinkedSectionOne,
    SectionLinkRequest,
    agreement_attributes,
    agreement_terms,
    get_linked_section,
    linked_section_resource,
    list_linked_sections,
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
from policies.api.wire import (
    In,
    MoneyIn,
    MoneyOut,
    Owner,
    SectionRefIn,
    TypeKey,
    actor,
    body_schema,
    check_query,
    choice,
    collection,
    decimal_field,
    element,
    envelope,
    envelopes,
    given,
    int_field,
    link,
    money,
    one,
    optional_body,
    policy_owner,
    short_number,
    supplied_checksum,
    transaction_owner,
)
from policies.models import (
    CoinsuranceAgreement,
    Layer,
    PolicySection,
    SectionType,
    Tower,
)
from policies.services.drafts import checksum
from policies.services.towers import LAYER_HAS_NO_AGREEMENT, layer_checksum
from portal.api import ApiError

job_tower_routes = router("Towers and layers")
policy_tower_routes = router("Towers and layers")


class TowerIn(In):
    initialPolicySections: list[SectionRefIn] = Field(
        default_factory=list,
        description="Sections the tower applies to; none = the policy.",
    )


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


TowerRequest = envelope("Tower", TowerIn)
LayerRequest = envelope("Layer", LayerIn)
LayerPatchRequest = envelope("LayerPatch", LayerPatchIn)


class TowerAttributes(Schema):
    id: str
    displayName: str
    policySections: list[TypeKey]


class LayerAttributes(Schema):
    id: str
    attachment: MoneyOut
    limit: MoneyOut
    coinsuranceAgreement: AgreementAttributes | None = None


TowerOne, TowerList = envelopes("Tower", TowerAttributes)
LayerOne, LayerList = envelopes("Layer", LayerAttributes)


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


def _tower(owner: Owner, tower_id: str) -> Tower:
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
    return one(tower_resource(owner, _tower(owner, towerId)))


@policy_tower_routes.get("/policies/{policyId}" + TOWER, response=TowerOne)
def policy_tower(request: HttpRequest, policyId: str, towerId: str) -> dict[str, Any]:
    check_query(request)
    owner = policy_owner(policyId)
    return one(tower_resource(owner, _tower(owner, towerId)))


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
        tower=_tower(owner, towerId),
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


T_SECTIONS = TOWER + "/policy-sections"
T_SECTION = T_SECTIONS + "/{sectionId}"


def _tower_base(owner: Owner, tower_id: str) -> tuple[Tower, str]:
    tower = _tower(owner, tower_id)
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
    tower, base = _tower_base(owner, towerId)
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
    tower, base = _tower_base(owner, towerId)
    return list_linked_sections(request, owner, f"{base}/policy-sections", tower=tower)


@job_tower_routes.get("/jobs/{jobId}" + T_SECTION, response=LinkedSectionOne)
def job_tower_section(
    request: HttpRequest, jobId: str, towerId: str, sectionId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    tower, base = _tower_base(owner, towerId)
    return get_linked_section(
        request, owner, f"{base}/policy-sections", sectionId, tower=tower
    )


@policy_tower_routes.get("/policies/{policyId}" + T_SECTION, response=LinkedSectionOne)
def policy_tower_section(
    request: HttpRequest, policyId: str, towerId: str, sectionId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    tower, base = _tower_base(owner, towerId)
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
    tower, base = _tower_base(owner, towerId)
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
    tower, _ = _tower_base(owner, towerId)
    PolicySection.objects.get(tower=tower, section_type=sectionId)
    services.remove_tower_section(
        by=actor(request),
        tower=tower,
        section_type=sectionId,
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


# ---------------------------------------------------------------------------
# Layers (and layer-level agreements)


def _layer_agreement(layer: Layer) -> CoinsuranceAgreement | None:
    try:
        return layer.coinsurance_agreement
    except CoinsuranceAgreement.DoesNotExist:
        return None


def layer_resource(owner: Owner, layer: Layer) -> dict[str, Any]:
    href = f"{owner.base}/towers/{layer.tower.short_id}/layers/{layer.short_id}"
    agreement = _layer_agreement(layer)
    attributes = {
        "id": layer.short_id,
        "attachment": money(layer.attachment, layer.currency),
        "limit": money(layer.limit, layer.currency),
        "coinsuranceAgreement": agreement_attributes(agreement, [])
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


def _layers(tower: Tower) -> QuerySet[Layer]:
    return (
        Layer.objects.filter(tower=tower)
        .select_related("tower", "coinsurance_agreement")
        .annotate(party_total=Sum("coinsurance_agreement__parties__share"))
    )


def _layer(tower: Tower, layer_id: str) -> Layer:
    return _layers(tower).get(number=short_number(layer_id))


def _render_layer(owner: Owner, layer: Layer) -> dict[str, Any]:
    # The layer query summed the agreement's party shares; its agreement shows them.
    agreement = _layer_agreement(layer)
    if agreement is not None:
        agreement.party_total = layer.party_total
    return layer_resource(owner, layer)


LAYERS = TOWER + "/layers"
LAYER = LAYERS + "/{layerId}"


def list_layers(request: HttpRequest, owner: Owner, tower_id: str) -> dict[str, Any]:
    tower, base = _tower_base(owner, tower_id)
    actions = {"create": link(f"{base}/layers", "post")} if owner.editable else None
    return collection(
        request,
        _layers(tower).order_by("attachment", "number"),
        lambda layer: _render_layer(owner, layer),
        fields={
            "attachment": decimal_field("attachment"),
            "limit": decimal_field("limit"),
        },
        actions=actions,
    )


@job_tower_routes.get(
    "/jobs/{jobId}" + LAYERS, response=LayerList, summary="Layers of a tower"
)
def job_layers(request: HttpRequest, jobId: str, towerId: str) -> dict[str, Any]:
    return list_layers(request, transaction_owner(jobId), towerId)


@policy_tower_routes.get(
    "/policies/{policyId}" + LAYERS, response=LayerList, summary="Layers of a tower"
)
def policy_layers(request: HttpRequest, policyId: str, towerId: str) -> dict[str, Any]:
    return list_layers(request, policy_owner(policyId), towerId)


@job_tower_routes.get("/jobs/{jobId}" + LAYER, response=LayerOne)
def job_layer(
    request: HttpRequest, jobId: str, towerId: str, layerId: str
) -> dict[str, Any]:
    check_query(request)
    owner = transaction_owner(jobId)
    return one(_render_layer(owner, _layer(_tower(owner, towerId), layerId)))


@policy_tower_routes.get("/policies/{policyId}" + LAYER, response=LayerOne)
def policy_layer(
    request: HttpRequest, policyId: str, towerId: str, layerId: str
) -> dict[str, Any]:
    check_query(request)
    owner = policy_owner(policyId)
    return one(_render_layer(owner, _layer(_tower(owner, towerId), layerId)))


@job_tower_routes.post(
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
    tower = _tower(owner, towerId)
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
    return Status(201, one(_render_layer(owner, _layers(tower).get(pk=layer.pk))))


@job_tower_routes.patch(
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
    tower = _tower(owner, towerId)
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
    return one(_render_layer(owner, _layers(tower).get(pk=layer.pk)))


@job_tower_routes.delete(
    "/jobs/{jobId}" + LAYER, response={204: None}, summary="Delete a layer"
)
def delete_layer(
    request: HttpRequest, jobId: str, towerId: str, layerId: str
) -> Status:
    owner = transaction_owner(jobId)
    layer = _layer(_tower(owner, towerId), layerId)
    services.delete_layer(layer=layer, checksum_supplied=supplied_checksum(request))
    return Status(204, None)


L_PARTIES = LAYER + "/parties"
L_PARTY = L_PARTIES + "/{partyId}"


def _layer_base(
    owner: Owner, tower_id: str, layer_id: str
) -> tuple[Layer, CoinsuranceAgreement | None, str]:
    tower = _tower(owner, tower_id)
    layer = _layer(tower, layer_id)
    return (
        layer,
        _layer_agreement(layer),
        f"{owner.base}/towers/{tower.short_id}/layers/{layer.short_id}",
    )


@job_tower_routes.get(
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


@policy_tower_routes.get(
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


@job_tower_routes.get("/jobs/{jobId}" + L_PARTY, response=PartyOne)
def job_layer_party(
    request: HttpRequest, jobId: str, towerId: str, layerId: str, partyId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return get_party(request, owner, base, agreement, partyId)


@policy_tower_routes.get("/policies/{policyId}" + L_PARTY, response=PartyOne)
def policy_layer_party(
    request: HttpRequest, policyId: str, towerId: str, layerId: str, partyId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return get_party(request, owner, base, agreement, partyId)


@job_tower_routes.post(
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


@job_tower_routes.patch(
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


@job_tower_routes.delete(
    "/jobs/{jobId}" + L_PARTY, response={204: None}, summary="Remove a layer party"
)
def delete_layer_party(
    request: HttpRequest, jobId: str, towerId: str, layerId: str, partyId: str
) -> Status:
    owner = transaction_owner(jobId)
    _, agreement, _ = _layer_base(owner, towerId, layerId)
    return remove_party(request, agreement, partyId)


job_api.add_router("", job_tower_routes)
policy_api.add_router("", policy_tower_routes)

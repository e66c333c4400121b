"""Coinsurance agreements, their parties and sections; towers, their layers and the
layers' agreements and parties (seed 003).

``/jobs/{jobId}/coinsurance-agreements…`` lists policy- and section-level
agreements; a layer's agreement is reached through its layer
(``/towers/{towerId}/layers/{layerId}``), whose parties live under the layer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from policies import services
from policies.api.base import job_api, policy_api, router
from policies.api.wire import (
    DecimalText,
    In,
    MoneyIn,
    MoneyOut,
    Owner,
    Ref,
    RefIn,
    SectionRefIn,
    Text,
    TypeKey,
    TypeKeyIn,
    body_schema,
    check_query,
    choice,
    code_field,
    collection,
    decimal_field,
    element,
    envelope,
    envelopes,
    given,
    job_owner,
    link,
    money,
    one,
    optional_body,
    percent,
    policy_owner,
    short_number,
    supplied_checksum,
    text_field,
)
from policies.models import (
    CoinsuranceAgreement,
    CoinsuranceLevel,
    CoinsuranceModel,
    CoinsuranceParty,
    CoinsuranceRole,
    Layer,
    PolicySection,
    ProducerCode,
    SectionType,
    Tower,
)
from policies.services import checksum
from portal.api import ApiError

job_coinsurance = router("Coinsurance")
policy_coinsurance = router("Coinsurance")


# ---------------------------------------------------------------------------
# Schemas


class AgreementIn(In):
    model: TypeKeyIn = Field(
        description="administer, administerNoClaim, brokerClaim or brokerNoClaim."
    )
    ourRole: TypeKeyIn = Field(description="lead or follow.")
    ourShare: DecimalText = Field(description='Percent, e.g. "50".')
    leadersFee: DecimalText | None = Field(None, description="Percent.")
    policyNumberSuffix: Text = Field("", description="At most 8 characters.")


class AgreementCreateIn(AgreementIn):
    initialPolicySections: list[SectionRefIn] = Field(
        default_factory=list,
        description="Sections of a section-level agreement; none for a policy-level one.",
    )


class AgreementPatchIn(In):
    model: TypeKeyIn | None = None
    ourRole: TypeKeyIn | None = None
    ourShare: DecimalText | None = None
    leadersFee: DecimalText | None = None
    policyNumberSuffix: Text | None = None


class PartyIn(In):
    producerCode: RefIn = Field(
        description="The coinsurer's producer code, by its pc: id."
    )
    coinsuranceRole: TypeKeyIn = Field(description="lead or follow.")
    coinsuranceShare: DecimalText = Field(description='Percent, e.g. "5".')


class PartyPatchIn(In):
    coinsuranceRole: TypeKeyIn | None = None
    coinsuranceShare: DecimalText | None = None


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


AgreementRequest = envelope("CoinsuranceAgreement", AgreementCreateIn)
AgreementPatchRequest = envelope("CoinsuranceAgreementPatch", AgreementPatchIn)
PartyRequest = envelope("CoinsuranceParty", PartyIn)
PartyPatchRequest = envelope("CoinsurancePartyPatch", PartyPatchIn)
SectionLinkRequest = envelope("PolicySectionLink", SectionRefIn)
TowerRequest = envelope("Tower", TowerIn)
LayerRequest = envelope("Layer", LayerIn)
LayerPatchRequest = envelope("LayerPatch", LayerPatchIn)


class AgreementAttributes(Schema):
    id: str
    level: TypeKey
    model: TypeKey
    ourRole: TypeKey
    ourShare: str
    leadersFee: str | None = None
    policyNumberSuffix: str | None = None
    totalShare: str = Field(description="Our share plus every party's share.")


class PartyAttributes(Schema):
    id: str
    coinsuranceRole: TypeKey
    coinsuranceShare: str
    organization: Ref
    producerCode: Ref


class LinkedSectionAttributes(Schema):
    id: str
    sectionType: TypeKey


class TowerAttributes(Schema):
    id: str
    displayName: str
    policySections: list[TypeKey]


class LayerAttributes(Schema):
    id: str
    attachment: MoneyOut
    limit: MoneyOut
    coinsuranceAgreement: AgreementAttributes | None = None


AgreementOne, AgreementList = envelopes("CoinsuranceAgreement", AgreementAttributes)
PartyOne, PartyList = envelopes("CoinsuranceParty", PartyAttributes)
LinkedSectionOne, LinkedSectionList = envelopes(
    "CoinsuranceAgreementPolicySection", LinkedSectionAttributes
)
TowerOne, TowerList = envelopes("Tower", TowerAttributes)
LayerOne, LayerList = envelopes("Layer", LayerAttributes)


# ---------------------------------------------------------------------------
# Agreements


def _agreement_attributes(
    agreement: CoinsuranceAgreement, sections: list[PolicySection]
) -> dict[str, Any]:
    party_total = getattr(agreement, "party_total", None) or Decimal(0)
    return {
        "id": agreement.short_id,
        "level": choice(
            CoinsuranceLevel, services.agreement_level(agreement, sections)
        ),
        "model": choice(CoinsuranceModel, agreement.model),
        "ourRole": choice(CoinsuranceRole, agreement.our_role),
        "ourShare": percent(agreement.our_share),
        "leadersFee": percent(agreement.leaders_fee),
        "policyNumberSuffix": agreement.policy_number_suffix or None,
        "totalShare": percent(agreement.our_share + party_total),
    }


def agreement_resource(owner: Owner, agreement: CoinsuranceAgreement) -> dict[str, Any]:
    href = f"{owner.base}/coinsurance-agreements/{agreement.short_id}"
    sections = list(agreement.sections.all())
    writable = ("post",) if owner.editable else ()
    links = {
        "self": link(href, "get", *(("delete", "patch") if owner.editable else ())),
        "parties": link(f"{href}/parties", "get", *writable),
        "policy-sections": link(f"{href}/policy-sections", "get", *writable),
    }
    return element(
        _agreement_attributes(agreement, sections), checksum(agreement), links
    )


AGREEMENT_FILTERS = {
    "model": code_field("model", {v: v for v in CoinsuranceModel.values}),
    "ourRole": code_field("our_role", {v: v for v in CoinsuranceRole.values}),
    "ourShare": decimal_field("our_share"),
    "policyNumberSuffix": text_field("policy_number_suffix"),
}


def _agreements(owner: Owner) -> QuerySet[CoinsuranceAgreement]:
    # Layer-level agreements made through a layer are reached through it (seed 003:
    # these queries do not return them).
    return (
        CoinsuranceAgreement.objects.filter(
            transaction_id=owner.contents_id, layer__isnull=True
        )
        .annotate(party_total=Sum("parties__share"))
        .prefetch_related("sections")
    )


def _agreement(owner: Owner, agreement_id: str) -> CoinsuranceAgreement:
    return _agreements(owner).get(number=short_number(agreement_id))


def list_agreements(request: HttpRequest, owner: Owner) -> dict[str, Any]:
    actions = (
        {"create": link(f"{owner.base}/coinsurance-agreements", "post")}
        if owner.editable
        else None
    )
    return collection(
        request,
        _agreements(owner).order_by("number"),
        lambda a: agreement_resource(owner, a),
        fields=AGREEMENT_FILTERS,
        actions=actions,
    )


def get_agreement(
    request: HttpRequest, owner: Owner, agreement_id: str
) -> dict[str, Any]:
    check_query(request)
    return one(agreement_resource(owner, _agreement(owner, agreement_id)))


AGREEMENTS = "/coinsurance-agreements"
AGREEMENT = "/coinsurance-agreements/{coinsuranceAgreementId}"


@job_coinsurance.get(
    "/jobs/{jobId}" + AGREEMENTS,
    response=AgreementList,
    summary="Coinsurance agreements",
)
def job_agreements(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return list_agreements(request, job_owner(jobId))


@policy_coinsurance.get(
    "/policies/{policyId}" + AGREEMENTS,
    response=AgreementList,
    summary="Coinsurance agreements",
)
def policy_agreements(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_agreements(request, policy_owner(policyId))


@job_coinsurance.get("/jobs/{jobId}" + AGREEMENT, response=AgreementOne)
def job_agreement(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    return get_agreement(request, job_owner(jobId), coinsuranceAgreementId)


@policy_coinsurance.get("/policies/{policyId}" + AGREEMENT, response=AgreementOne)
def policy_agreement(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    return get_agreement(request, policy_owner(policyId), coinsuranceAgreementId)


def _terms(attrs: AgreementIn) -> dict[str, Any]:
    return {
        "model": attrs.model.code,
        "our_role": attrs.ourRole.code,
        "our_share": attrs.ourShare,
        "leaders_fee": attrs.leadersFee,
        "policy_number_suffix": attrs.policyNumberSuffix,
    }


def _term_changes(attrs: AgreementPatchIn) -> dict[str, Any]:
    """The terms a PATCH names, by service argument name."""
    sent = attrs.model_fields_set
    changes: dict[str, Any] = {}
    for wire, name, value in (
        ("model", "model", attrs.model.code if attrs.model else None),
        ("ourRole", "our_role", attrs.ourRole.code if attrs.ourRole else None),
        ("ourShare", "our_share", attrs.ourShare),
        ("leadersFee", "leaders_fee", attrs.leadersFee),
        ("policyNumberSuffix", "policy_number_suffix", attrs.policyNumberSuffix),
    ):
        if wire in sent:
            if value is None and name != "leaders_fee":
                raise ApiError(NOT_NULLABLE.format(field=wire))
            changes[name] = value
    return changes


NOT_NULLABLE = "data.attributes.{field} cannot be null."


@job_coinsurance.post(
    "/jobs/{jobId}" + AGREEMENTS,
    response={201: AgreementOne},
    summary="Add a section-level or policy-level coinsurance agreement",
)
def create_agreement(
    request: HttpRequest, jobId: str, payload: AgreementRequest
) -> Status:  # type: ignore[valid-type]
    owner = job_owner(jobId)
    attrs: AgreementCreateIn = payload.data.attributes  # type: ignore[attr-defined]
    agreement = services.create_coinsurance_agreement(
        txn=owner.contents_owner,
        section_types=[s.sectionType.code for s in attrs.initialPolicySections],
        **_terms(attrs),
    )
    return Status(
        201, one(agreement_resource(owner, _agreements(owner).get(pk=agreement.pk)))
    )


@job_coinsurance.patch(
    "/jobs/{jobId}" + AGREEMENT, response=AgreementOne, summary="Change an agreement"
)
def patch_agreement(
    request: HttpRequest,
    jobId: str,
    coinsuranceAgreementId: str,
    payload: AgreementPatchRequest,  # type: ignore[valid-type]
) -> dict[str, Any]:
    owner = job_owner(jobId)
    agreement = _agreement(owner, coinsuranceAgreementId)
    services.update_coinsurance_agreement(
        agreement=agreement,
        checksum_supplied=supplied_checksum(request, payload),
        **_term_changes(payload.data.attributes),  # type: ignore[attr-defined]
    )
    return one(agreement_resource(owner, _agreements(owner).get(pk=agreement.pk)))


@job_coinsurance.delete(
    "/jobs/{jobId}" + AGREEMENT, response={204: None}, summary="Delete an agreement"
)
def delete_agreement(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str
) -> Status:
    owner = job_owner(jobId)
    services.delete_coinsurance_agreement(
        agreement=_agreement(owner, coinsuranceAgreementId),
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


# ---------------------------------------------------------------------------
# Parties (of an agreement, or of a layer's agreement)


def party_resource(owner: Owner, base: str, party: CoinsuranceParty) -> dict[str, Any]:
    code = party.producer_code
    attributes = {
        "id": party.short_id,
        "coinsuranceRole": choice(CoinsuranceRole, party.role),
        "coinsuranceShare": percent(party.share),
        "organization": {
            "id": code.organization.public_id,
            "displayName": code.organization.name,
            "type": "Organization",
        },
        "producerCode": {
            "id": code.public_id,
            "displayName": code.code,
            "type": "ProducerCode",
        },
    }
    methods = ("delete", "get", "patch") if owner.editable else ("get",)
    return element(
        attributes,
        checksum(party),
        {"self": link(f"{base}/parties/{party.short_id}", *methods)},
    )


PARTY_FILTERS = {
    "coinsuranceRole": code_field("role", {v: v for v in CoinsuranceRole.values}),
    "coinsuranceShare": decimal_field("share"),
    "producerCode": text_field("producer_code__code"),
}


def _parties(agreement: CoinsuranceAgreement | None) -> QuerySet[CoinsuranceParty]:
    if agreement is None:
        return CoinsuranceParty.objects.none()
    return CoinsuranceParty.objects.filter(agreement=agreement).select_related(
        "producer_code__organization"
    )


def list_parties(
    request: HttpRequest,
    owner: Owner,
    base: str,
    agreement: CoinsuranceAgreement | None,
) -> dict[str, Any]:
    actions = (
        {"create": link(f"{base}/parties", "post")}
        if owner.editable and agreement is not None
        else None
    )
    return collection(
        request,
        _parties(agreement).order_by("number"),
        lambda p: party_resource(owner, base, p),
        fields=PARTY_FILTERS,
        actions=actions,
    )


def _party(agreement: CoinsuranceAgreement | None, party_id: str) -> CoinsuranceParty:
    return _parties(agreement).get(number=short_number(party_id))


def get_party(
    request: HttpRequest,
    owner: Owner,
    base: str,
    agreement: CoinsuranceAgreement | None,
    party_id: str,
) -> dict[str, Any]:
    check_query(request)
    return one(party_resource(owner, base, _party(agreement, party_id)))


def add_party(
    owner: Owner, base: str, agreement: CoinsuranceAgreement, payload: Any
) -> Status:
    attrs: PartyIn = payload.data.attributes
    producer_code = ProducerCode.objects.filter(public_id=attrs.producerCode.id).first()
    party = services.add_coinsurance_party(
        agreement=agreement,
        producer_code=producer_code,
        producer_code_id=attrs.producerCode.id,
        role=attrs.coinsuranceRole.code,
        share=attrs.coinsuranceShare,
    )
    return Status(
        201, one(party_resource(owner, base, _parties(agreement).get(pk=party.pk)))
    )


def patch_party(
    request: HttpRequest,
    owner: Owner,
    base: str,
    agreement: CoinsuranceAgreement | None,
    party_id: str,
    payload: Any,
) -> dict[str, Any]:
    party = _party(agreement, party_id)
    attrs: PartyPatchIn = payload.data.attributes
    sent = given(payload)
    changes: dict[str, Any] = {}
    if "coinsuranceRole" in sent:
        if attrs.coinsuranceRole is None:
            raise ApiError(NOT_NULLABLE.format(field="coinsuranceRole"))
        changes["role"] = attrs.coinsuranceRole.code
    if "coinsuranceShare" in sent:
        if attrs.coinsuranceShare is None:
            raise ApiError(NOT_NULLABLE.format(field="coinsuranceShare"))
        changes["share"] = attrs.coinsuranceShare
    services.update_coinsurance_party(
        party=party, checksum_supplied=supplied_checksum(request, payload), **changes
    )
    return one(party_resource(owner, base, _parties(agreement).get(pk=party.pk)))


def remove_party(
    request: HttpRequest, agreement: CoinsuranceAgreement | None, party_id: str
) -> Status:
    services.delete_coinsurance_party(
        party=_party(agreement, party_id), checksum_supplied=supplied_checksum(request)
    )
    return Status(204, None)


def _agreement_base(
    owner: Owner, agreement_id: str
) -> tuple[CoinsuranceAgreement, str]:
    agreement = _agreement(owner, agreement_id)
    return agreement, f"{owner.base}/coinsurance-agreements/{agreement.short_id}"


PARTIES = AGREEMENT + "/parties"
PARTY = AGREEMENT + "/parties/{partyId}"


@job_coinsurance.get(
    "/jobs/{jobId}" + PARTIES, response=PartyList, summary="Parties of an agreement"
)
def job_parties(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    owner = job_owner(jobId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return list_parties(request, owner, base, agreement)


@policy_coinsurance.get(
    "/policies/{policyId}" + PARTIES,
    response=PartyList,
    summary="Parties of an agreement",
)
def policy_parties(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return list_parties(request, owner, base, agreement)


@job_coinsurance.get("/jobs/{jobId}" + PARTY, response=PartyOne)
def job_party(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str, partyId: str
) -> dict[str, Any]:
    owner = job_owner(jobId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return get_party(request, owner, base, agreement, partyId)


@policy_coinsurance.get("/policies/{policyId}" + PARTY, response=PartyOne)
def policy_party(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str, partyId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return get_party(request, owner, base, agreement, partyId)


@job_coinsurance.post(
    "/jobs/{jobId}" + PARTIES, response={201: PartyOne}, summary="Add a party"
)
def create_party(
    request: HttpRequest,
    jobId: str,
    coinsuranceAgreementId: str,
    payload: PartyRequest,  # type: ignore[valid-type]
) -> Status:
    owner = job_owner(jobId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return add_party(owner, base, agreement, payload)


@job_coinsurance.patch(
    "/jobs/{jobId}" + PARTY, response=PartyOne, summary="Change a party"
)
def update_party(
    request: HttpRequest,
    jobId: str,
    coinsuranceAgreementId: str,
    partyId: str,
    payload: PartyPatchRequest,  # type: ignore[valid-type]
) -> dict[str, Any]:
    owner = job_owner(jobId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return patch_party(request, owner, base, agreement, partyId, payload)


@job_coinsurance.delete(
    "/jobs/{jobId}" + PARTY, response={204: None}, summary="Remove a party"
)
def delete_party(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str, partyId: str
) -> Status:
    owner = job_owner(jobId)
    agreement, _ = _agreement_base(owner, coinsuranceAgreementId)
    return remove_party(request, agreement, partyId)


# ---------------------------------------------------------------------------
# Sections of an agreement, and of a tower


def linked_section_resource(
    owner: Owner, href: str, section: PolicySection
) -> dict[str, Any]:
    attributes = {
        "id": section.short_id,
        "sectionType": choice(SectionType, section.section_type),
    }
    methods = ("delete", "get") if owner.editable else ("get",)
    return element(
        attributes,
        checksum(section),
        {"self": link(f"{href}/{section.short_id}", *methods)},
    )


def list_linked_sections(
    request: HttpRequest, owner: Owner, href: str, **where: Any
) -> dict[str, Any]:
    actions = {"create": link(href, "post")} if owner.editable else None
    return collection(
        request,
        PolicySection.objects.filter(**where).order_by("section_type"),
        lambda s: linked_section_resource(owner, href, s),
        fields={"sectionType": text_field("section_type")},
        actions=actions,
    )


def get_linked_section(
    request: HttpRequest, owner: Owner, href: str, section_id: str, **where: Any
) -> dict[str, Any]:
    check_query(request)
    section = PolicySection.objects.get(section_type=section_id, **where)
    return one(linked_section_resource(owner, href, section))


A_SECTIONS = AGREEMENT + "/policy-sections"
A_SECTION = A_SECTIONS + "/{sectionId}"


@job_coinsurance.get(
    "/jobs/{jobId}" + A_SECTIONS,
    response=LinkedSectionList,
    summary="Sections of an agreement",
)
def job_agreement_sections(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    owner = job_owner(jobId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return list_linked_sections(
        request, owner, f"{base}/policy-sections", coinsurance_agreement=agreement
    )


@policy_coinsurance.get(
    "/policies/{policyId}" + A_SECTIONS,
    response=LinkedSectionList,
    summary="Sections of an agreement",
)
def policy_agreement_sections(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return list_linked_sections(
        request, owner, f"{base}/policy-sections", coinsurance_agreement=agreement
    )


@job_coinsurance.get("/jobs/{jobId}" + A_SECTION, response=LinkedSectionOne)
def job_agreement_section(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str, sectionId: str
) -> dict[str, Any]:
    owner = job_owner(jobId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return get_linked_section(
        request,
        owner,
        f"{base}/policy-sections",
        sectionId,
        coinsurance_agreement=agreement,
    )


@policy_coinsurance.get("/policies/{policyId}" + A_SECTION, response=LinkedSectionOne)
def policy_agreement_section(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str, sectionId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    return get_linked_section(
        request,
        owner,
        f"{base}/policy-sections",
        sectionId,
        coinsurance_agreement=agreement,
    )


@job_coinsurance.post(
    "/jobs/{jobId}" + A_SECTIONS,
    response={201: LinkedSectionOne},
    summary="Associate a section with an agreement",
)
def add_agreement_section(
    request: HttpRequest,
    jobId: str,
    coinsuranceAgreementId: str,
    payload: SectionLinkRequest,  # type: ignore[valid-type]
) -> Status:
    owner = job_owner(jobId)
    agreement, base = _agreement_base(owner, coinsuranceAgreementId)
    code = payload.data.attributes.sectionType.code  # type: ignore[attr-defined]
    section = services.add_agreement_section(agreement=agreement, section_type=code)
    return Status(
        201, one(linked_section_resource(owner, f"{base}/policy-sections", section))
    )


@job_coinsurance.delete(
    "/jobs/{jobId}" + A_SECTION,
    response={204: None},
    summary="Remove a section from an agreement",
)
def remove_agreement_section(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str, sectionId: str
) -> Status:
    owner = job_owner(jobId)
    agreement, _ = _agreement_base(owner, coinsuranceAgreementId)
    PolicySection.objects.get(coinsurance_agreement=agreement, section_type=sectionId)
    services.remove_agreement_section(
        agreement=agreement,
        section_type=sectionId,
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


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
        fields={"id": text_field("number")},
        actions=actions,
    )


TOWERS = "/towers"
TOWER = "/towers/{towerId}"


@job_coinsurance.get("/jobs/{jobId}" + TOWERS, response=TowerList, summary="Towers")
def job_towers(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return list_towers(request, job_owner(jobId))


@policy_coinsurance.get(
    "/policies/{policyId}" + TOWERS, response=TowerList, summary="Towers"
)
def policy_towers(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_towers(request, policy_owner(policyId))


@job_coinsurance.get("/jobs/{jobId}" + TOWER, response=TowerOne)
def job_tower(request: HttpRequest, jobId: str, towerId: str) -> dict[str, Any]:
    check_query(request)
    owner = job_owner(jobId)
    return one(tower_resource(owner, _tower(owner, towerId)))


@policy_coinsurance.get("/policies/{policyId}" + TOWER, response=TowerOne)
def policy_tower(request: HttpRequest, policyId: str, towerId: str) -> dict[str, Any]:
    check_query(request)
    owner = policy_owner(policyId)
    return one(tower_resource(owner, _tower(owner, towerId)))


@job_coinsurance.post(
    "/jobs/{jobId}" + TOWERS,
    response={201: TowerOne},
    summary="Create a tower",
    openapi_extra=body_schema(TowerRequest),
)
def create_tower(request: HttpRequest, jobId: str) -> Status:
    owner = job_owner(jobId)
    payload = optional_body(request, TowerRequest)
    sections = payload.data.attributes.initialPolicySections if payload else []
    codes = [s.sectionType.code for s in sections]
    tower = services.create_tower(txn=owner.contents_owner, section_types=codes)
    return Status(201, one(tower_resource(owner, _towers(owner).get(pk=tower.pk))))


@job_coinsurance.delete(
    "/jobs/{jobId}" + TOWER, response={204: None}, summary="Delete a tower"
)
def delete_tower(request: HttpRequest, jobId: str, towerId: str) -> Status:
    owner = job_owner(jobId)
    services.delete_tower(
        tower=_tower(owner, towerId), checksum_supplied=supplied_checksum(request)
    )
    return Status(204, None)


T_SECTIONS = TOWER + "/policy-sections"
T_SECTION = T_SECTIONS + "/{sectionId}"


def _tower_base(owner: Owner, tower_id: str) -> tuple[Tower, str]:
    tower = _tower(owner, tower_id)
    return tower, f"{owner.base}/towers/{tower.short_id}"


@job_coinsurance.get(
    "/jobs/{jobId}" + T_SECTIONS,
    response=LinkedSectionList,
    summary="Sections of a tower",
)
def job_tower_sections(
    request: HttpRequest, jobId: str, towerId: str
) -> dict[str, Any]:
    owner = job_owner(jobId)
    tower, base = _tower_base(owner, towerId)
    return list_linked_sections(request, owner, f"{base}/policy-sections", tower=tower)


@policy_coinsurance.get(
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


@job_coinsurance.get("/jobs/{jobId}" + T_SECTION, response=LinkedSectionOne)
def job_tower_section(
    request: HttpRequest, jobId: str, towerId: str, sectionId: str
) -> dict[str, Any]:
    owner = job_owner(jobId)
    tower, base = _tower_base(owner, towerId)
    return get_linked_section(
        request, owner, f"{base}/policy-sections", sectionId, tower=tower
    )


@policy_coinsurance.get("/policies/{policyId}" + T_SECTION, response=LinkedSectionOne)
def policy_tower_section(
    request: HttpRequest, policyId: str, towerId: str, sectionId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    tower, base = _tower_base(owner, towerId)
    return get_linked_section(
        request, owner, f"{base}/policy-sections", sectionId, tower=tower
    )


@job_coinsurance.post(
    "/jobs/{jobId}" + T_SECTIONS,
    response={201: LinkedSectionOne},
    summary="Associate a section with a tower",
)
def add_tower_section(
    request: HttpRequest,
    jobId: str,
    towerId: str,
    payload: SectionLinkRequest,  # type: ignore[valid-type]
) -> Status:
    owner = job_owner(jobId)
    tower, base = _tower_base(owner, towerId)
    code = payload.data.attributes.sectionType.code  # type: ignore[attr-defined]
    section = services.add_tower_section(tower=tower, section_type=code)
    return Status(
        201, one(linked_section_resource(owner, f"{base}/policy-sections", section))
    )


@job_coinsurance.delete(
    "/jobs/{jobId}" + T_SECTION,
    response={204: None},
    summary="Remove a section from a tower",
)
def remove_tower_section(
    request: HttpRequest, jobId: str, towerId: str, sectionId: str
) -> Status:
    owner = job_owner(jobId)
    tower, _ = _tower_base(owner, towerId)
    PolicySection.objects.get(tower=tower, section_type=sectionId)
    services.remove_tower_section(
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
        "coinsuranceAgreement": _agreement_attributes(agreement, [])
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
    return element(attributes, services.layer_checksum(layer, agreement), links)


def _layers(tower: Tower) -> QuerySet[Layer]:
    return (
        Layer.objects.filter(tower=tower)
        .select_related("tower", "coinsurance_agreement")
        .annotate(party_total=Sum("coinsurance_agreement__parties__share"))
    )


def _layer(tower: Tower, layer_id: str) -> Layer:
    layer = _layers(tower).get(number=short_number(layer_id))
    agreement = _layer_agreement(layer)
    if agreement is not None:
        agreement.party_total = layer.party_total  # type: ignore[attr-defined]
    return layer


def _render_layer(owner: Owner, layer: Layer) -> dict[str, Any]:
    agreement = _layer_agreement(layer)
    if agreement is not None:
        agreement.party_total = layer.party_total  # type: ignore[attr-defined]
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


@job_coinsurance.get(
    "/jobs/{jobId}" + LAYERS, response=LayerList, summary="Layers of a tower"
)
def job_layers(request: HttpRequest, jobId: str, towerId: str) -> dict[str, Any]:
    return list_layers(request, job_owner(jobId), towerId)


@policy_coinsurance.get(
    "/policies/{policyId}" + LAYERS, response=LayerList, summary="Layers of a tower"
)
def policy_layers(request: HttpRequest, policyId: str, towerId: str) -> dict[str, Any]:
    return list_layers(request, policy_owner(policyId), towerId)


@job_coinsurance.get("/jobs/{jobId}" + LAYER, response=LayerOne)
def job_layer(
    request: HttpRequest, jobId: str, towerId: str, layerId: str
) -> dict[str, Any]:
    check_query(request)
    owner = job_owner(jobId)
    return one(_render_layer(owner, _layer(_tower(owner, towerId), layerId)))


@policy_coinsurance.get("/policies/{policyId}" + LAYER, response=LayerOne)
def policy_layer(
    request: HttpRequest, policyId: str, towerId: str, layerId: str
) -> dict[str, Any]:
    check_query(request)
    owner = policy_owner(policyId)
    return one(_render_layer(owner, _layer(_tower(owner, towerId), layerId)))


@job_coinsurance.post(
    "/jobs/{jobId}" + LAYERS,
    response={201: LayerOne},
    summary="Add a layer (with a layer-level coinsurance agreement)",
)
def create_layer(
    request: HttpRequest, jobId: str, towerId: str, payload: LayerRequest
) -> Status:  # type: ignore[valid-type]
    owner = job_owner(jobId)
    tower = _tower(owner, towerId)
    attrs: LayerIn = payload.data.attributes  # type: ignore[attr-defined]
    terms = (
        services.AgreementTerms(**_terms(attrs.coinsuranceAgreement))
        if attrs.coinsuranceAgreement
        else None
    )
    layer = services.create_layer(
        tower=tower,
        attachment=attrs.attachment.money(),
        limit=attrs.limit.money(),
        coinsurance=terms,
    )
    return Status(201, one(_render_layer(owner, _layers(tower).get(pk=layer.pk))))


@job_coinsurance.patch(
    "/jobs/{jobId}" + LAYER,
    response=LayerOne,
    summary="Change a layer or its agreement",
)
def patch_layer(
    request: HttpRequest,
    jobId: str,
    towerId: str,
    layerId: str,
    payload: LayerPatchRequest,  # type: ignore[valid-type]
) -> dict[str, Any]:
    owner = job_owner(jobId)
    tower = _tower(owner, towerId)
    layer = _layer(tower, layerId)
    attrs: LayerPatchIn = payload.data.attributes  # type: ignore[attr-defined]
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
        changes["coinsurance"] = _term_changes(attrs.coinsuranceAgreement)
    services.update_layer(
        layer=layer, checksum_supplied=supplied_checksum(request, payload), **changes
    )
    return one(_render_layer(owner, _layers(tower).get(pk=layer.pk)))


@job_coinsurance.delete(
    "/jobs/{jobId}" + LAYER, response={204: None}, summary="Delete a layer"
)
def delete_layer(
    request: HttpRequest, jobId: str, towerId: str, layerId: str
) -> Status:
    owner = job_owner(jobId)
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


@job_coinsurance.get(
    "/jobs/{jobId}" + L_PARTIES,
    response=PartyList,
    summary="Parties of a layer's agreement",
)
def job_layer_parties(
    request: HttpRequest, jobId: str, towerId: str, layerId: str
) -> dict[str, Any]:
    owner = job_owner(jobId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return list_parties(request, owner, base, agreement)


@policy_coinsurance.get(
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


@job_coinsurance.get("/jobs/{jobId}" + L_PARTY, response=PartyOne)
def job_layer_party(
    request: HttpRequest, jobId: str, towerId: str, layerId: str, partyId: str
) -> dict[str, Any]:
    owner = job_owner(jobId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return get_party(request, owner, base, agreement, partyId)


@policy_coinsurance.get("/policies/{policyId}" + L_PARTY, response=PartyOne)
def policy_layer_party(
    request: HttpRequest, policyId: str, towerId: str, layerId: str, partyId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return get_party(request, owner, base, agreement, partyId)


@job_coinsurance.post(
    "/jobs/{jobId}" + L_PARTIES,
    response={201: PartyOne},
    summary="Add a party to a layer's agreement",
)
def create_layer_party(
    request: HttpRequest,
    jobId: str,
    towerId: str,
    layerId: str,
    payload: PartyRequest,  # type: ignore[valid-type]
) -> Status:
    owner = job_owner(jobId)
    layer, agreement, base = _layer_base(owner, towerId, layerId)
    if agreement is None:
        raise ApiError(services.LAYER_HAS_NO_AGREEMENT.format(number=layer.number))
    return add_party(owner, base, agreement, payload)


@job_coinsurance.patch(
    "/jobs/{jobId}" + L_PARTY, response=PartyOne, summary="Change a layer party"
)
def update_layer_party(
    request: HttpRequest,
    jobId: str,
    towerId: str,
    layerId: str,
    partyId: str,
    payload: PartyPatchRequest,  # type: ignore[valid-type]
) -> dict[str, Any]:
    owner = job_owner(jobId)
    _, agreement, base = _layer_base(owner, towerId, layerId)
    return patch_party(request, owner, base, agreement, partyId, payload)


@job_coinsurance.delete(
    "/jobs/{jobId}" + L_PARTY, response={204: None}, summary="Remove a layer party"
)
def delete_layer_party(
    request: HttpRequest, jobId: str, towerId: str, layerId: str, partyId: str
) -> Status:
    owner = job_owner(jobId)
    _, agreement, _ = _layer_base(owner, towerId, layerId)
    return remove_party(request, agreement, partyId)


job_api.add_router("", job_coinsurance)
policy_api.add_router("", policy_coinsurance)

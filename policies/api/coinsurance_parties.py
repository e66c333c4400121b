"""Parties of a coinsurance agreement: the coinsurers, by producer code, with their
role and share. The same operations serve an agreement's parties and a layer's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from policies import services
from policies.api.agreements import AGREEMENT, NOT_NULLABLE, agreement_base
from policies.api.base import job_api, policy_api, router
from policies.api.listing import (
    check_query,
    code_field,
    collection,
    decimal_field,
    text_field,
)
from policies.api.wire import (
    DecimalText,
    Envelope,
    In,
    Owner,
    Ref,
    RefIn,
    TypeKey,
    TypeKeyIn,
    actor,
    choice,
    element,
    envelope,
    envelopes,
    given,
    link,
    one,
    percent,
    policy_owner,
    short_number,
    supplied_checksum,
    transaction_owner,
)
from policies.models import (
    CoinsuranceAgreement,
    CoinsuranceParty,
    CoinsuranceRole,
    ProducerCode,
)
from policies.services.drafts import checksum
from portal.api import ApiError

job_parties_routes = router("Coinsurance")
policy_parties_routes = router("Coinsurance")


class PartyIn(In):
    producerCode: RefIn = Field(
        description="The coinsurer's producer code, by its pc: id."
    )
    coinsuranceRole: TypeKeyIn = Field(description="lead or follow.")
    coinsuranceShare: DecimalText = Field(description='Percent, e.g. "5".')


class PartyPatchIn(In):
    coinsuranceRole: TypeKeyIn | None = None
    coinsuranceShare: DecimalText | None = None


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    PartyRequest = Envelope[PartyIn]
    PartyPatchRequest = Envelope[PartyPatchIn]
else:
    PartyRequest = envelope("CoinsuranceParty", PartyIn)
    PartyPatchRequest = envelope("CoinsurancePartyPatch", PartyPatchIn)


class PartyAttributes(Schema):
    id: str
    coinsuranceRole: TypeKey
    coinsuranceShare: str
    organization: Ref
    producerCode: Ref


PartyOne, PartyList = envelopes("CoinsuranceParty", PartyAttributes)
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
    request: HttpRequest,
    owner: Owner,
    base: str,
    agreement: CoinsuranceAgreement,
    payload: Any,
) -> Status:
    attrs: PartyIn = payload.data.attributes
    producer_code = ProducerCode.objects.filter(public_id=attrs.producerCode.id).first()
    party = services.add_coinsurance_party(
        by=actor(request),
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
        by=actor(request),
        party=party,
        checksum_supplied=supplied_checksum(request, payload),
        **changes,
    )
    return one(party_resource(owner, base, _parties(agreement).get(pk=party.pk)))


def remove_party(
    request: HttpRequest, agreement: CoinsuranceAgreement | None, party_id: str
) -> Status:
    services.delete_coinsurance_party(
        by=actor(request),
        party=_party(agreement, party_id),
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


PARTIES = AGREEMENT + "/parties"
PARTY = AGREEMENT + "/parties/{partyId}"


@job_parties_routes.get(
    "/jobs/{jobId}" + PARTIES, response=PartyList, summary="Parties of an agreement"
)
def job_parties(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return list_parties(request, owner, base, agreement)


@policy_parties_routes.get(
    "/policies/{policyId}" + PARTIES,
    response=PartyList,
    summary="Parties of an agreement",
)
def policy_parties(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return list_parties(request, owner, base, agreement)


@job_parties_routes.get("/jobs/{jobId}" + PARTY, response=PartyOne)
def job_party(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str, partyId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return get_party(request, owner, base, agreement, partyId)


@policy_parties_routes.get("/policies/{policyId}" + PARTY, response=PartyOne)
def policy_party(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str, partyId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return get_party(request, owner, base, agreement, partyId)


@job_parties_routes.post(
    "/jobs/{jobId}" + PARTIES, response={201: PartyOne}, summary="Add a party"
)
def create_party(
    request: HttpRequest,
    jobId: str,
    coinsuranceAgreementId: str,
    payload: PartyRequest,
) -> Status:
    owner = transaction_owner(jobId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return add_party(request, owner, base, agreement, payload)


@job_parties_routes.patch(
    "/jobs/{jobId}" + PARTY, response=PartyOne, summary="Change a party"
)
def update_party(
    request: HttpRequest,
    jobId: str,
    coinsuranceAgreementId: str,
    partyId: str,
    payload: PartyPatchRequest,
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return patch_party(request, owner, base, agreement, partyId, payload)


@job_parties_routes.delete(
    "/jobs/{jobId}" + PARTY, response={204: None}, summary="Remove a party"
)
def delete_party(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str, partyId: str
) -> Status:
    owner = transaction_owner(jobId)
    agreement, _ = agreement_base(owner, coinsuranceAgreementId)
    return remove_party(request, agreement, partyId)


job_api.add_router("", job_parties_routes)
policy_api.add_router("", policy_parties_routes)

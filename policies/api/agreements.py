"""Coinsurance agreements, their parties and their sections (seed 003).

``/jobs/{jobId}/coinsurance-agreements…`` lists policy- and section-level
agreements; a layer's agreement is reached through its layer (see ``towers``).
Parties are in ``coinsurance_parties``; the sections linked to an agreement (and a tower)
in ``agreement_sections``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from policies import services
from policies.api import include
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
    SectionRefIn,
    Text,
    TypeKey,
    TypeKeyIn,
    actor,
    choice,
    element,
    envelope,
    envelopes,
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
    CoinsuranceLevel,
    CoinsuranceModel,
    CoinsuranceRole,
    PolicySection,
)
from policies.services.coinsurance import agreement_level
from policies.services.drafts import checksum
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


class PartyTotal(TypedDict):
    """What agreement and layer queries annotate: the agreement's party shares summed
    (None when it has no parties)."""

    party_total: Decimal | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    AgreementWithTotal = WithAnnotations[CoinsuranceAgreement, PartyTotal]


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    AgreementRequest = Envelope[AgreementCreateIn]
    AgreementPatchRequest = Envelope[AgreementPatchIn]
    SectionLinkRequest = Envelope[SectionRefIn]
else:
    AgreementRequest = envelope("CoinsuranceAgreement", AgreementCreateIn)
    AgreementPatchRequest = envelope("CoinsuranceAgreementPatch", AgreementPatchIn)
    SectionLinkRequest = envelope("PolicySectionLink", SectionRefIn)


class AgreementAttributes(Schema):
    id: str
    level: TypeKey
    model: TypeKey
    ourRole: TypeKey
    ourShare: str
    leadersFee: str | None = None
    policyNumberSuffix: str | None = None
    totalShare: str = Field(description="Our share plus every party's share.")


class LinkedSectionAttributes(Schema):
    id: str
    sectionType: TypeKey


AgreementOne, AgreementList = envelopes("CoinsuranceAgreement", AgreementAttributes)
LinkedSectionOne, LinkedSectionList = envelopes(
    "CoinsuranceAgreementPolicySection", LinkedSectionAttributes
)
# ---------------------------------------------------------------------------
# Agreements


def agreement_attributes(
    agreement: CoinsuranceAgreement,
    sections: list[PolicySection],
    party_total: Decimal | None,
) -> dict[str, Any]:
    """``party_total`` is the query's PartyTotal annotation."""
    party_total = party_total or Decimal(0)
    return {
        "id": agreement.short_id,
        "level": choice(CoinsuranceLevel, agreement_level(agreement, sections)),
        "model": choice(CoinsuranceModel, agreement.model),
        "ourRole": choice(CoinsuranceRole, agreement.our_role),
        "ourShare": percent(agreement.our_share),
        "leadersFee": percent(agreement.leaders_fee),
        "policyNumberSuffix": agreement.policy_number_suffix or None,
        "totalShare": percent(agreement.our_share + party_total),
    }


def agreement_resource(owner: Owner, agreement: AgreementWithTotal) -> dict[str, Any]:
    href = f"{owner.base}/coinsurance-agreements/{agreement.short_id}"
    sections = list(agreement.sections.all())
    writable = ("post",) if owner.editable else ()
    links = {
        "self": link(href, "get", *(("delete", "patch") if owner.editable else ())),
        "parties": link(f"{href}/parties", "get", *writable),
        "policy-sections": link(f"{href}/policy-sections", "get", *writable),
    }
    return element(
        agreement_attributes(agreement, sections, agreement.party_total),
        checksum(agreement),
        links,
    )


AGREEMENT_FILTERS = {
    "model": code_field("model", {v: v for v in CoinsuranceModel.values}),
    "ourRole": code_field("our_role", {v: v for v in CoinsuranceRole.values}),
    "ourShare": decimal_field("our_share"),
    "policyNumberSuffix": text_field("policy_number_suffix"),
}


def _agreements(owner: Owner) -> QuerySet[AgreementWithTotal]:
    # Layer-level agreements made through a layer are reached through it (seed 003:
    # these queries do not return them).
    return (
        CoinsuranceAgreement.objects.filter(
            transaction_id=owner.contents_id, layer__isnull=True
        )
        .annotate(party_total=Sum("parties__share"))
        .prefetch_related("sections")
    )


def _agreement(owner: Owner, agreement_id: str) -> AgreementWithTotal:
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
    return list_agreements(request, transaction_owner(jobId))


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
    return get_agreement(request, transaction_owner(jobId), coinsuranceAgreementId)


@policy_coinsurance.get("/policies/{policyId}" + AGREEMENT, response=AgreementOne)
def policy_agreement(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    return get_agreement(request, policy_owner(policyId), coinsuranceAgreementId)


NOT_NULLABLE = "data.attributes.{field} cannot be null."


def agreement_terms(attrs: AgreementIn) -> dict[str, Any]:
    return {
        "model": attrs.model.code,
        "our_role": attrs.ourRole.code,
        "our_share": attrs.ourShare,
        "leaders_fee": attrs.leadersFee,
        "policy_number_suffix": attrs.policyNumberSuffix,
    }


def term_changes(attrs: AgreementPatchIn) -> dict[str, Any]:
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


@job_coinsurance.post(
    "/jobs/{jobId}" + AGREEMENTS,
    response={201: AgreementOne},
    summary="Add a section-level or policy-level coinsurance agreement",
)
def create_agreement(
    request: HttpRequest, jobId: str, payload: AgreementRequest
) -> Status:
    owner = transaction_owner(jobId)
    attrs: AgreementCreateIn = payload.data.attributes
    agreement = services.create_coinsurance_agreement(
        by=actor(request),
        txn=owner.contents_owner,
        section_types=[s.sectionType.code for s in attrs.initialPolicySections],
        **agreement_terms(attrs),
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
    payload: AgreementPatchRequest,
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    agreement = _agreement(owner, coinsuranceAgreementId)
    services.update_coinsurance_agreement(
        by=actor(request),
        agreement=agreement,
        checksum_supplied=supplied_checksum(request, payload),
        **term_changes(payload.data.attributes),
    )
    return one(agreement_resource(owner, _agreements(owner).get(pk=agreement.pk)))


@job_coinsurance.delete(
    "/jobs/{jobId}" + AGREEMENT, response={204: None}, summary="Delete an agreement"
)
def delete_agreement(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str
) -> Status:
    owner = transaction_owner(jobId)
    services.delete_coinsurance_agreement(
        by=actor(request),
        agreement=_agreement(owner, coinsuranceAgreementId),
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


def agreement_base(owner: Owner, agreement_id: str) -> tuple[CoinsuranceAgreement, str]:
    agreement = _agreement(owner, agreement_id)
    return agreement, f"{owner.base}/coinsurance-agreements/{agreement.short_id}"


job_api.add_router("", job_coinsurance)
policy_api.add_router("", policy_coinsurance)


include.register(
    "coinsurance-agreements",
    "CoinsuranceAgreement",
    lambda owner: [
        agreement_resource(owner, a) for a in _agreements(owner).order_by("number")
    ],
)

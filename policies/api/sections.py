"""Policy sections of a job or policy, and which coinsurance agreement covers each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from policies import services
from policies.api.base import job_api, policy_api, router
from policies.api.listing import (
    check_query,
    collection,
    text_field,
)
from policies.api.wire import (
    Envelope,
    In,
    Owner,
    Ref,
    TypeKey,
    TypeKeyIn,
    actor,
    choice,
    element,
    envelope,
    envelopes,
    link,
    one,
    policy_owner,
    supplied_checksum,
    transaction_owner,
)
from policies.models import (
    CoinsuranceAgreement,
    PolicySection,
    SectionType,
    Tower,
)
from policies.services.coinsurance import policy_level_agreements
from policies.services.drafts import checksum

job_contents = router("Policy sections")
policy_contents = router("Policy sections")


class SectionAttributesIn(In):
    sectionType: TypeKeyIn


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    SectionRequest = Envelope[SectionAttributesIn]
else:
    SectionRequest = envelope("PolicySection", SectionAttributesIn)


class SectionAttributes(Schema):
    id: str
    sectionType: TypeKey
    coinsuranceAgreement: Ref | None = None
    tower: Ref | None = None
    coveredBy: list[Ref] = Field(
        description="The coinsurance agreements that cover this section: the one that "
        "lists it, else its tower's layer agreements, else the policy-level agreement."
    )


SectionOne, SectionList = envelopes("PolicySection", SectionAttributes)
# ---------------------------------------------------------------------------
# Policy sections


def agreement_ref(owner: Owner, agreement: CoinsuranceAgreement) -> dict[str, Any]:
    layer = agreement.layer  # None, without a query, when layer_id is None
    if layer is not None:
        uri = f"{owner.base}/towers/{layer.tower.short_id}/layers/{layer.short_id}"
    else:
        uri = f"{owner.base}/coinsurance-agreements/{agreement.short_id}"
    return {
        "id": agreement.short_id,
        "displayName": agreement.policy_number_suffix
        or f"Agreement {agreement.number}",
        "type": "CoinsuranceAgreement",
        "uri": uri,
    }


def tower_ref(owner: Owner, tower: Tower) -> dict[str, Any]:
    return {
        "id": tower.short_id,
        "displayName": str(tower),
        "type": "Tower",
        "uri": f"{owner.base}/towers/{tower.short_id}",
    }


class Coverage:
    """Which agreements cover each section of one transaction, in three queries
    whatever the number of sections (see covering_agreements)."""

    def __init__(self, txn_id: int | None) -> None:
        self.layered: dict[int, list[CoinsuranceAgreement]] = {}
        for agreement in (
            CoinsuranceAgreement.objects.filter(
                transaction_id=txn_id, layer__isnull=False
            )
            .select_related("layer__tower")
            .order_by("layer__attachment")
        ):
            layer = agreement.layer
            assert layer is not None  # the query asked for layer__isnull=False
            self.layered.setdefault(layer.tower_id, []).append(agreement)
        self.policy_level = policy_level_agreements(txn_id) if txn_id else []

    def of(self, section: PolicySection) -> list[CoinsuranceAgreement]:
        if section.coinsurance_agreement is not None:
            return [section.coinsurance_agreement]
        if section.tower_id is not None and self.layered.get(section.tower_id):
            return self.layered[section.tower_id]
        return self.policy_level


def section_resource(
    owner: Owner,
    section: PolicySection,
    coverage: Coverage,
    *,
    href: str | None = None,
    methods: tuple[str, ...] = (),
) -> dict[str, Any]:
    href = href or f"{owner.base}/policy-sections/{section.short_id}"
    agreement = section.coinsurance_agreement
    attributes = {
        "id": section.short_id,
        "sectionType": choice(SectionType, section.section_type),
        "coinsuranceAgreement": agreement_ref(owner, agreement) if agreement else None,
        "tower": tower_ref(owner, section.tower) if section.tower else None,
        "coveredBy": [agreement_ref(owner, a) for a in coverage.of(section)],
    }
    if not methods:
        methods = ("delete", "get") if owner.editable else ("get",)
    return element(attributes, checksum(section), {"self": link(href, *methods)})


SECTION_FILTERS = {
    "sectionType": text_field("section_type"),
}


def sections_of(owner: Owner) -> QuerySet[PolicySection]:
    return PolicySection.objects.filter(
        transaction_id=owner.contents_id
    ).select_related("coinsurance_agreement__layer__tower", "tower")


def list_sections(request: HttpRequest, owner: Owner) -> dict[str, Any]:
    coverage = Coverage(owner.contents_id)
    actions = (
        {"create": link(f"{owner.base}/policy-sections", "post")}
        if owner.editable
        else None
    )
    return collection(
        request,
        sections_of(owner).order_by("section_type"),
        lambda s: section_resource(owner, s, coverage),
        fields=SECTION_FILTERS,
        actions=actions,
    )


def get_section(request: HttpRequest, owner: Owner, section_id: str) -> dict[str, Any]:
    check_query(request)
    section = sections_of(owner).get(section_type=section_id)
    return one(section_resource(owner, section, Coverage(owner.contents_id)))


@job_contents.get(
    "/jobs/{jobId}/policy-sections",
    response=SectionList,
    summary="Policy sections of a job",
)
def job_sections(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return list_sections(request, transaction_owner(jobId))


@policy_contents.get(
    "/policies/{policyId}/policy-sections",
    response=SectionList,
    summary="Policy sections of a policy",
)
def policy_sections(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_sections(request, policy_owner(policyId))


@job_contents.get("/jobs/{jobId}/policy-sections/{sectionId}", response=SectionOne)
def job_section(request: HttpRequest, jobId: str, sectionId: str) -> dict[str, Any]:
    return get_section(request, transaction_owner(jobId), sectionId)


@policy_contents.get(
    "/policies/{policyId}/policy-sections/{sectionId}", response=SectionOne
)
def policy_section(
    request: HttpRequest, policyId: str, sectionId: str
) -> dict[str, Any]:
    return get_section(request, policy_owner(policyId), sectionId)


@job_contents.post(
    "/jobs/{jobId}/policy-sections", response={201: SectionOne}, summary="Add a section"
)
def create_section(request: HttpRequest, jobId: str, payload: SectionRequest) -> Status:
    owner = transaction_owner(jobId)
    code = payload.data.attributes.sectionType.code
    section = services.add_section(
        by=actor(request), txn=owner.contents_owner, section_type=code
    )
    return Status(
        201,
        one(
            section_resource(
                owner,
                sections_of(owner).get(pk=section.pk),
                Coverage(owner.contents_id),
            )
        ),
    )


@job_contents.delete(
    "/jobs/{jobId}/policy-sections/{sectionId}",
    response={204: None},
    summary="Remove a section",
)
def delete_section(request: HttpRequest, jobId: str, sectionId: str) -> Status:
    owner = transaction_owner(jobId)
    section = sections_of(owner).get(section_type=sectionId)
    services.delete_section(
        by=actor(request), section=section, checksum_supplied=supplied_checksum(request)
    )
    return Status(204, None)


job_api.add_router("", job_contents)
policy_api.add_router("", policy_contents)

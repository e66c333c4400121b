"""The policy sections linked to a coinsurance agreement (and, through the same helpers,
to a tower): ``…/coinsurance-agreements/{id}/policy-sections``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Status

from policies import services
from policies.api.agreements import (
    AGREEMENT,
    LinkedSectionList,
    LinkedSectionOne,
    SectionLinkRequest,
    agreement_base,
)
from policies.api.base import job_api, policy_api, router
from policies.api.listing import (
    check_query,
    collection,
    text_field,
)
from policies.api.wire import (
    Owner,
    actor,
    choice,
    element,
    link,
    one,
    policy_owner,
    supplied_checksum,
    transaction_owner,
)
from policies.models import (
    PolicySection,
    SectionType,
)
from policies.services.drafts import checksum

job_sections = router("Coinsurance")
policy_sections = router("Coinsurance")


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


@job_sections.get(
    "/jobs/{jobId}" + A_SECTIONS,
    response=LinkedSectionList,
    summary="Sections of an agreement",
)
def job_agreement_sections(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return list_linked_sections(
        request, owner, f"{base}/policy-sections", coinsurance_agreement=agreement
    )


@policy_sections.get(
    "/policies/{policyId}" + A_SECTIONS,
    response=LinkedSectionList,
    summary="Sections of an agreement",
)
def policy_agreement_sections(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return list_linked_sections(
        request, owner, f"{base}/policy-sections", coinsurance_agreement=agreement
    )


@job_sections.get("/jobs/{jobId}" + A_SECTION, response=LinkedSectionOne)
def job_agreement_section(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str, sectionId: str
) -> dict[str, Any]:
    owner = transaction_owner(jobId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return get_linked_section(
        request,
        owner,
        f"{base}/policy-sections",
        sectionId,
        coinsurance_agreement=agreement,
    )


@policy_sections.get("/policies/{policyId}" + A_SECTION, response=LinkedSectionOne)
def policy_agreement_section(
    request: HttpRequest, policyId: str, coinsuranceAgreementId: str, sectionId: str
) -> dict[str, Any]:
    owner = policy_owner(policyId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    return get_linked_section(
        request,
        owner,
        f"{base}/policy-sections",
        sectionId,
        coinsurance_agreement=agreement,
    )


@job_sections.post(
    "/jobs/{jobId}" + A_SECTIONS,
    response={201: LinkedSectionOne},
    summary="Associate a section with an agreement",
)
def add_agreement_section(
    request: HttpRequest,
    jobId: str,
    coinsuranceAgreementId: str,
    payload: SectionLinkRequest,
) -> Status:
    owner = transaction_owner(jobId)
    agreement, base = agreement_base(owner, coinsuranceAgreementId)
    code = payload.data.attributes.sectionType.code
    section = services.add_agreement_section(
        by=actor(request), agreement=agreement, section_type=code
    )
    return Status(
        201, one(linked_section_resource(owner, f"{base}/policy-sections", section))
    )


@job_sections.delete(
    "/jobs/{jobId}" + A_SECTION,
    response={204: None},
    summary="Remove a section from an agreement",
)
def remove_agreement_section(
    request: HttpRequest, jobId: str, coinsuranceAgreementId: str, sectionId: str
) -> Status:
    owner = transaction_owner(jobId)
    agreement, _ = agreement_base(owner, coinsuranceAgreementId)
    PolicySection.objects.get(coinsurance_agreement=agreement, section_type=sectionId)
    services.remove_agreement_section(
        by=actor(request),
        agreement=agreement,
        section_type=sectionId,
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


job_api.add_router("", job_sections)
policy_api.add_router("", policy_sections)

"""A job's or policy's contents: locations, contacts and their roles, location named
insureds (seed 002), policy sections and prior policies (seed 004).

Every read exists on both ``/job/v1/jobs/{jobId}/…`` and ``/policy/v1/policies/
{policyId}/…``; writes exist on the job (a draft one), and for prior policies on
the policy as well. Each operation resolves its owner and calls one shared
function, so the two forms cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field, StrictInt

from policies import services
from policies.api.base import job_api, policy_api, router
from policies.api.wire import (
    DateText,
    In,
    MoneyIn,
    MoneyOut,
    Owner,
    Ref,
    RefIn,
    Text,
    TypeKey,
    TypeKeyIn,
    check_query,
    choice,
    collection,
    date_field,
    element,
    envelope,
    envelopes,
    given,
    int_field,
    iso_date,
    job_owner,
    link,
    money,
    one,
    policy_owner,
    short_number,
    supplied_checksum,
    text_field,
    typekey,
)
from policies.models import (
    CoinsuranceAgreement,
    Contact,
    ContactRole,
    LocationNamedInsured,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PriorPolicy,
    SectionType,
    Tower,
)
from policies.services import checksum
from portal.api import ApiError
from portal.jurisdictions import US_STATES

CONTACT_EITHER_OR = (
    "Give either accountContact (a contact already on the account) or the new "
    "contact's details, not both."
)

job_contents = router("Job contents")
policy_contents = router("Policy contents")


# ---------------------------------------------------------------------------
# Schemas


class LocationAttributesIn(In):
    addressLine1: Text
    addressLine2: Text = ""
    city: Text
    state: TypeKeyIn = Field(description="US state code, e.g. {'code': 'CA'}.")
    postalCode: Text
    country: TypeKeyIn | None = Field(None, description="Only US.")


class ContactAttributesIn(In):
    accountContact: RefIn | None = Field(
        None, description="A contact already on the insured's account, by its pc: id."
    )
    contactSubtype: Text = Field("Person", description="Person or Company.")
    firstName: Text = ""
    lastName: Text = ""
    companyName: Text = ""
    emailAddress1: Text = ""
    workPhone: Text = ""
    roles: list[TypeKeyIn] = Field(
        default_factory=list,
        description="secondaryNamedInsured, additionalNamedInsured, additionalInsured, "
        "policyInvolvedParty (the default).",
    )


class NamedInsuredAttributesIn(In):
    contact: RefIn = Field(description="A contact on the job, by its pc: id.")


class SectionAttributesIn(In):
    sectionType: TypeKeyIn


class PriorPolicyAttributesIn(In):
    effectiveDate: DateText = Field(description="The one required field.")
    carrier: Text = ""
    policyNumber: Text = ""
    expirationDate: DateText | None = None
    annualPremium: MoneyIn | None = None
    numLosses: StrictInt | None = None
    totalLosses: MoneyIn | None = None


class PriorPolicyPatchIn(In):
    effectiveDate: DateText | None = None
    carrier: Text | None = None
    policyNumber: Text | None = None
    expirationDate: DateText | None = None
    annualPremium: MoneyIn | None = None
    numLosses: StrictInt | None = None
    totalLosses: MoneyIn | None = None


LocationRequest = envelope("Location", LocationAttributesIn)
ContactRequest = envelope("Contact", ContactAttributesIn)
NamedInsuredRequest = envelope("LocationNamedInsured", NamedInsuredAttributesIn)
SectionRequest = envelope("PolicySection", SectionAttributesIn)
PriorPolicyRequest = envelope("PriorPolicy", PriorPolicyAttributesIn)
PriorPolicyPatchRequest = envelope("PriorPolicyPatch", PriorPolicyPatchIn)


class LocationAttributes(Schema):
    id: str
    displayName: str
    addressLine1: str
    addressLine2: str | None = None
    city: str
    state: TypeKey
    postalCode: str
    country: TypeKey


class ContactAttributes(Schema):
    id: str
    displayName: str
    contactSubtype: str
    firstName: str | None = None
    lastName: str | None = None
    companyName: str | None = None
    emailAddress1: str | None = None
    workPhone: str | None = None
    roles: list[TypeKey]


class NamedInsuredAttributes(Schema):
    id: str
    contact: Ref
    location: Ref


class SectionAttributes(Schema):
    id: str
    sectionType: TypeKey
    coinsuranceAgreement: Ref | None = None
    tower: Ref | None = None
    coveredBy: list[Ref] = Field(
        description="The coinsurance agreements that cover this section: the one that "
        "lists it, else its tower's layer agreements, else the policy-level agreement."
    )


class PriorPolicyAttributes(Schema):
    id: str
    carrier: str | None = None
    policyNumber: str | None = None
    effectiveDate: str
    expirationDate: str | None = None
    annualPremium: MoneyOut | None = None
    numLosses: int | None = None
    totalLosses: MoneyOut | None = None


LocationOne, LocationList = envelopes("Location", LocationAttributes)
ContactOne, ContactList = envelopes("Contact", ContactAttributes)
NamedInsuredOne, NamedInsuredList = envelopes(
    "LocationNamedInsured", NamedInsuredAttributes
)
SectionOne, SectionList = envelopes("PolicySection", SectionAttributes)
PriorPolicyOne, PriorPolicyList = envelopes("PriorPolicy", PriorPolicyAttributes)


# ---------------------------------------------------------------------------
# Locations


def location_ref(owner: Owner, location: PolicyLocation) -> dict[str, Any]:
    return {
        "id": location.short_id,
        "displayName": location.display_name,
        "type": "PolicyLocation",
        "uri": f"{owner.base}/locations/{location.short_id}",
    }


def location_resource(owner: Owner, location: PolicyLocation) -> dict[str, Any]:
    href = f"{owner.base}/locations/{location.short_id}"
    attributes = {
        "id": location.short_id,
        "displayName": location.display_name,
        "addressLine1": location.address_line1,
        "addressLine2": location.address_line2 or None,
        "city": location.city,
        "state": typekey(location.state, US_STATES.get(location.state, location.state)),
        "postalCode": location.postal_code,
        "country": typekey(location.country, "United States"),
    }
    named = ["get", "post"] if owner.editable else ["get"]
    links = {
        "self": link(href, "get"),
        "named-insureds": link(f"{href}/named-insureds", *named),
    }
    return element(attributes, checksum(location), links)


LOCATION_FILTERS = {
    "city": text_field("city"),
    "state": text_field("state"),
    "postalCode": text_field("postal_code"),
}


def _locations(owner: Owner) -> QuerySet[PolicyLocation]:
    return PolicyLocation.objects.filter(transaction_id=owner.contents_id)


def _location(owner: Owner, location_id: str) -> PolicyLocation:
    return _locations(owner).get(number=short_number(location_id))


def list_locations(request: HttpRequest, owner: Owner) -> dict[str, Any]:
    actions = (
        {"create": link(f"{owner.base}/locations", "post")} if owner.editable else None
    )
    return collection(
        request,
        _locations(owner).order_by("number"),
        lambda loc: location_resource(owner, loc),
        fields=LOCATION_FILTERS,
        actions=actions,
    )


def get_location(
    request: HttpRequest, owner: Owner, location_id: str
) -> dict[str, Any]:
    check_query(request)
    return one(location_resource(owner, _location(owner, location_id)))


@job_contents.get(
    "/jobs/{jobId}/locations", response=LocationList, summary="Locations of a job"
)
def job_locations(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return list_locations(request, job_owner(jobId))


@policy_contents.get(
    "/policies/{policyId}/locations",
    response=LocationList,
    summary="Locations of a policy",
)
def policy_locations(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_locations(request, policy_owner(policyId))


@job_contents.get("/jobs/{jobId}/locations/{locationId}", response=LocationOne)
def job_location(request: HttpRequest, jobId: str, locationId: str) -> dict[str, Any]:
    return get_location(request, job_owner(jobId), locationId)


@policy_contents.get(
    "/policies/{policyId}/locations/{locationId}", response=LocationOne
)
def policy_location(
    request: HttpRequest, policyId: str, locationId: str
) -> dict[str, Any]:
    return get_location(request, policy_owner(policyId), locationId)


@job_contents.post(
    "/jobs/{jobId}/locations", response={201: LocationOne}, summary="Add a location"
)
def create_location(
    request: HttpRequest, jobId: str, payload: LocationRequest
) -> Status:  # type: ignore[valid-type]
    owner = job_owner(jobId)
    attrs: LocationAttributesIn = payload.data.attributes  # type: ignore[attr-defined]
    location = services.add_location(
        txn=owner.contents_owner,
        address_line1=attrs.addressLine1,
        address_line2=attrs.addressLine2,
        city=attrs.city,
        state=attrs.state.code.upper(),
        postal_code=attrs.postalCode,
        country=attrs.country.code.upper() if attrs.country else "US",
    )
    return Status(201, one(location_resource(owner, location)))


# ---------------------------------------------------------------------------
# Contacts


def contact_ref(owner: Owner, contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.public_id,
        "displayName": contact.display_name,
        "type": "PolicyContact",
        "uri": f"{owner.base}/contacts/{contact.public_id}",
    }


def contact_resource(owner: Owner, contact: Contact) -> dict[str, Any]:
    roles = sorted(r.role for r in contact.job_roles)  # type: ignore[attr-defined]
    attributes = {
        "id": contact.public_id,
        "displayName": contact.display_name,
        "contactSubtype": contact.kind,
        "firstName": contact.first_name or None,
        "lastName": contact.last_name or None,
        "companyName": contact.company_name or None,
        "emailAddress1": contact.email or None,
        "workPhone": contact.phone or None,
        "roles": [choice(ContactRole, r) for r in roles],
    }
    links = {"self": link(f"{owner.base}/contacts/{contact.public_id}", "get")}
    return element(attributes, services.contact_checksum(contact, roles), links)


CONTACT_FILTERS = {
    "firstName": text_field("first_name"),
    "lastName": text_field("last_name"),
    "companyName": text_field("company_name"),
    "emailAddress1": text_field("email"),
}


def _contacts(owner: Owner) -> QuerySet[Contact]:
    # A contact is on a job when it has a role there; its roles there come along.
    roles = PolicyContactRole.objects.filter(transaction_id=owner.contents_id)
    return (
        Contact.objects.filter(roles__transaction_id=owner.contents_id)
        .distinct()
        .prefetch_related(Prefetch("roles", queryset=roles, to_attr="job_roles"))
    )


def list_contacts(request: HttpRequest, owner: Owner) -> dict[str, Any]:
    actions = (
        {"create": link(f"{owner.base}/contacts", "post")} if owner.editable else None
    )
    return collection(
        request,
        _contacts(owner).order_by("pk"),
        lambda c: contact_resource(owner, c),
        fields=CONTACT_FILTERS,
        actions=actions,
    )


def get_contact(request: HttpRequest, owner: Owner, contact_id: str) -> dict[str, Any]:
    check_query(request)
    return one(contact_resource(owner, _contacts(owner).get(public_id=contact_id)))


@job_contents.get(
    "/jobs/{jobId}/contacts", response=ContactList, summary="Contacts of a job"
)
def job_contacts(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return list_contacts(request, job_owner(jobId))


@policy_contents.get(
    "/policies/{policyId}/contacts",
    response=ContactList,
    summary="Contacts of a policy",
)
def policy_contacts(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_contacts(request, policy_owner(policyId))


@job_contents.get("/jobs/{jobId}/contacts/{contactId}", response=ContactOne)
def job_contact(request: HttpRequest, jobId: str, contactId: str) -> dict[str, Any]:
    return get_contact(request, job_owner(jobId), contactId)


@policy_contents.get("/policies/{policyId}/contacts/{contactId}", response=ContactOne)
def policy_contact(
    request: HttpRequest, policyId: str, contactId: str
) -> dict[str, Any]:
    return get_contact(request, policy_owner(policyId), contactId)


@job_contents.post(
    "/jobs/{jobId}/contacts",
    response={201: ContactOne},
    summary="Add a contact with roles",
)
def create_contact(request: HttpRequest, jobId: str, payload: ContactRequest) -> Status:  # type: ignore[valid-type]
    owner = job_owner(jobId)
    attrs: ContactAttributesIn = payload.data.attributes  # type: ignore[attr-defined]
    roles = [r.code for r in attrs.roles]
    if attrs.accountContact is not None:
        if given(payload) - {"accountContact", "roles"}:
            raise ApiError(CONTACT_EITHER_OR)
        existing = Contact.objects.filter(public_id=attrs.accountContact.id).first()
        if existing is None:
            raise ApiError(services.CONTACT_NOT_ON_ACCOUNT)
        contact = services.add_account_contact(
            txn=owner.contents_owner, contact=existing, roles=roles
        )
    else:
        contact = services.add_contact(
            txn=owner.contents_owner,
            kind=attrs.contactSubtype,
            first_name=attrs.firstName,
            last_name=attrs.lastName,
            company_name=attrs.companyName,
            email=attrs.emailAddress1,
            phone=attrs.workPhone,
            roles=roles,
        )
    return Status(
        201, one(contact_resource(owner, _contacts(owner).get(pk=contact.pk)))
    )


# ---------------------------------------------------------------------------
# Location named insureds (seed 002)


def named_insured_resource(owner: Owner, lni: LocationNamedInsured) -> dict[str, Any]:
    location = lni.location
    href = f"{owner.base}/locations/{location.short_id}/named-insureds/{lni.short_id}"
    attributes = {
        "id": lni.short_id,
        "contact": contact_ref(owner, lni.contact),
        "location": location_ref(owner, location),
    }
    methods = ["delete", "get"] if owner.editable else ["get"]
    return element(attributes, checksum(lni), {"self": link(href, *methods)})


def _named_insureds(
    owner: Owner, location: PolicyLocation
) -> QuerySet[LocationNamedInsured]:
    return LocationNamedInsured.objects.filter(location=location).select_related(
        "contact", "location"
    )


def list_named_insureds(
    request: HttpRequest, owner: Owner, location_id: str
) -> dict[str, Any]:
    location = _location(owner, location_id)
    href = f"{owner.base}/locations/{location.short_id}/named-insureds"
    actions = {"create": link(href, "post")} if owner.editable else None
    return collection(
        request,
        _named_insureds(owner, location).order_by("number"),
        lambda lni: named_insured_resource(owner, lni),
        fields={"contact": text_field("contact__public_id")},
        actions=actions,
    )


def get_named_insured(
    request: HttpRequest, owner: Owner, location_id: str, lni_id: str
) -> dict[str, Any]:
    check_query(request)
    location = _location(owner, location_id)
    lni = _named_insureds(owner, location).get(number=short_number(lni_id))
    return one(named_insured_resource(owner, lni))


LNI_PATH = "/locations/{locationId}/named-insureds"


@job_contents.get(
    "/jobs/{jobId}" + LNI_PATH,
    response=NamedInsuredList,
    summary="Location named insureds",
)
def job_named_insureds(
    request: HttpRequest, jobId: str, locationId: str
) -> dict[str, Any]:
    return list_named_insureds(request, job_owner(jobId), locationId)


@policy_contents.get(
    "/policies/{policyId}" + LNI_PATH,
    response=NamedInsuredList,
    summary="Location named insureds",
)
def policy_named_insureds(
    request: HttpRequest, policyId: str, locationId: str
) -> dict[str, Any]:
    return list_named_insureds(request, policy_owner(policyId), locationId)


@job_contents.get(
    "/jobs/{jobId}" + LNI_PATH + "/{locationNamedInsuredId}", response=NamedInsuredOne
)
def job_named_insured(
    request: HttpRequest, jobId: str, locationId: str, locationNamedInsuredId: str
) -> dict[str, Any]:
    return get_named_insured(
        request, job_owner(jobId), locationId, locationNamedInsuredId
    )


@policy_contents.get(
    "/policies/{policyId}" + LNI_PATH + "/{locationNamedInsuredId}",
    response=NamedInsuredOne,
)
def policy_named_insured(
    request: HttpRequest, policyId: str, locationId: str, locationNamedInsuredId: str
) -> dict[str, Any]:
    return get_named_insured(
        request, policy_owner(policyId), locationId, locationNamedInsuredId
    )


@job_contents.post(
    "/jobs/{jobId}" + LNI_PATH,
    response={201: NamedInsuredOne},
    summary="Associate a contact with a location as a named insured",
)
def create_named_insured(
    request: HttpRequest,
    jobId: str,
    locationId: str,
    payload: NamedInsuredRequest,  # type: ignore[valid-type]
) -> Status:
    owner = job_owner(jobId)
    location = _location(owner, locationId)
    contact_id = payload.data.attributes.contact.id  # type: ignore[attr-defined]
    lni = services.associate_location_named_insured(
        txn=owner.contents_owner,
        location=location,
        contact=Contact.objects.filter(public_id=contact_id).first(),
    )
    return Status(
        201,
        one(
            named_insured_resource(
                owner, _named_insureds(owner, location).get(pk=lni.pk)
            )
        ),
    )


@job_contents.patch(
    "/jobs/{jobId}" + LNI_PATH + "/{locationNamedInsuredId}",
    response={200: NamedInsuredOne},
    summary="Refused: an association can only be deleted",
)
def patch_named_insured(
    request: HttpRequest, jobId: str, locationId: str, locationNamedInsuredId: str
) -> Any:
    owner = job_owner(jobId)
    _named_insureds(owner, _location(owner, locationId)).get(
        number=short_number(locationNamedInsuredId)
    )
    raise ApiError(services.LNI_IMMUTABLE)


@job_contents.delete(
    "/jobs/{jobId}" + LNI_PATH + "/{locationNamedInsuredId}",
    response={204: None},
    summary="Delete the association (the contact and location stay)",
)
def delete_named_insured(
    request: HttpRequest, jobId: str, locationId: str, locationNamedInsuredId: str
) -> Status:
    owner = job_owner(jobId)
    lni = _named_insureds(owner, _location(owner, locationId)).get(
        number=short_number(locationNamedInsuredId)
    )
    services.delete_location_named_insured(
        named_insured=lni, checksum_supplied=supplied_checksum(request)
    )
    return Status(204, None)


# ---------------------------------------------------------------------------
# Policy sections


def agreement_ref(owner: Owner, agreement: CoinsuranceAgreement) -> dict[str, Any]:
    if agreement.layer_id is not None:
        layer = agreement.layer
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
    whatever the number of sections (see services.covering_agreements)."""

    def __init__(self, txn_id: int | None) -> None:
        self.layered: dict[int, list[CoinsuranceAgreement]] = {}
        for agreement in (
            CoinsuranceAgreement.objects.filter(
                transaction_id=txn_id, layer__isnull=False
            )
            .select_related("layer__tower")
            .order_by("layer__attachment")
        ):
            self.layered.setdefault(agreement.layer.tower_id, []).append(agreement)
        self.policy_level = services.policy_level_agreements(txn_id) if txn_id else []

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
    return list_sections(request, job_owner(jobId))


@policy_contents.get(
    "/policies/{policyId}/policy-sections",
    response=SectionList,
    summary="Policy sections of a policy",
)
def policy_sections(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_sections(request, policy_owner(policyId))


@job_contents.get("/jobs/{jobId}/policy-sections/{sectionId}", response=SectionOne)
def job_section(request: HttpRequest, jobId: str, sectionId: str) -> dict[str, Any]:
    return get_section(request, job_owner(jobId), sectionId)


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
def create_section(request: HttpRequest, jobId: str, payload: SectionRequest) -> Status:  # type: ignore[valid-type]
    owner = job_owner(jobId)
    code = payload.data.attributes.sectionType.code  # type: ignore[attr-defined]
    section = services.add_section(txn=owner.contents_owner, section_type=code)
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
    owner = job_owner(jobId)
    section = sections_of(owner).get(section_type=sectionId)
    services.delete_section(
        section=section, checksum_supplied=supplied_checksum(request)
    )
    return Status(204, None)


# ---------------------------------------------------------------------------
# Prior policies (seed 004)


def _prior_editable(owner: Owner) -> bool:
    """Seed 004: on a job until it is bound; on a bound policy, on the policy itself."""
    if owner.txn is not None:
        return owner.txn.is_open
    return True


def prior_policy_resource(owner: Owner, prior: PriorPolicy) -> dict[str, Any]:
    attributes = {
        "id": prior.public_id,
        "carrier": prior.carrier or None,
        "policyNumber": prior.policy_number or None,
        "effectiveDate": iso_date(prior.effective_date),
        "expirationDate": iso_date(prior.expiration_date),
        "annualPremium": money(prior.annual_premium, prior.annual_premium_currency),
        "numLosses": prior.num_losses,
        "totalLosses": money(prior.total_losses, prior.total_losses_currency),
    }
    methods = ("delete", "get", "patch") if _prior_editable(owner) else ("get",)
    href = f"{owner.base}/prior-policies/{prior.public_id}"
    return element(attributes, checksum(prior), {"self": link(href, *methods)})


PRIOR_POLICY_FILTERS = {
    "carrier": text_field("carrier"),
    "policyNumber": text_field("policy_number"),
    "effectiveDate": date_field("effective_date"),
    "expirationDate": date_field("expiration_date"),
    "numLosses": int_field("num_losses"),
}


def _prior_policies(owner: Owner) -> QuerySet[PriorPolicy]:
    return PriorPolicy.objects.filter(transaction_id=owner.contents_id)


def list_prior_policies(request: HttpRequest, owner: Owner) -> dict[str, Any]:
    actions = (
        {"create": link(f"{owner.base}/prior-policies", "post")}
        if _prior_editable(owner)
        else None
    )
    return collection(
        request,
        _prior_policies(owner).order_by("effective_date", "pk"),
        lambda p: prior_policy_resource(owner, p),
        fields=PRIOR_POLICY_FILTERS,
        actions=actions,
    )


def get_prior_policy(
    request: HttpRequest, owner: Owner, prior_id: str
) -> dict[str, Any]:
    check_query(request)
    return one(
        prior_policy_resource(owner, _prior_policies(owner).get(public_id=prior_id))
    )


def _service_owner(owner: Owner) -> services.PriorOwner:
    if owner.txn is not None:
        return owner.txn
    assert owner.policy is not None
    return owner.policy


def create_prior_policy(owner: Owner, payload: Any) -> Status:
    attrs: PriorPolicyAttributesIn = payload.data.attributes
    prior = services.add_prior_policy(
        owner=_service_owner(owner),
        effective_date=attrs.effectiveDate,
        carrier=attrs.carrier,
        policy_number=attrs.policyNumber,
        expiration_date=attrs.expirationDate,
        annual_premium=attrs.annualPremium.money() if attrs.annualPremium else None,
        num_losses=attrs.numLosses,
        total_losses=attrs.totalLosses.money() if attrs.totalLosses else None,
    )
    return Status(201, one(prior_policy_resource(owner, prior)))


_PRIOR_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "effectiveDate": ("effective_date", lambda v: v),
    "carrier": ("carrier", lambda v: v or ""),
    "policyNumber": ("policy_number", lambda v: v or ""),
    "expirationDate": ("expiration_date", lambda v: v),
    "annualPremium": ("annual_premium", lambda v: v.money() if v else None),
    "numLosses": ("num_losses", lambda v: v),
    "totalLosses": ("total_losses", lambda v: v.money() if v else None),
}


def patch_prior_policy(
    request: HttpRequest, owner: Owner, prior_id: str, payload: Any
) -> dict[str, Any]:
    prior = _prior_policies(owner).get(public_id=prior_id)
    attrs = payload.data.attributes
    changes = {
        name: convert(getattr(attrs, wire))
        for wire, (name, convert) in _PRIOR_FIELDS.items()
        if wire in given(payload)
    }
    updated = services.update_prior_policy(
        owner=_service_owner(owner),
        prior_policy=prior,
        checksum_supplied=supplied_checksum(request, payload),
        **changes,
    )
    return one(prior_policy_resource(owner, updated))


def remove_prior_policy(request: HttpRequest, owner: Owner, prior_id: str) -> Status:
    prior = _prior_policies(owner).get(public_id=prior_id)
    services.delete_prior_policy(
        owner=_service_owner(owner),
        prior_policy=prior,
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


PRIOR = "/prior-policies"
PRIOR_ONE = "/prior-policies/{priorPolicyId}"


@job_contents.get(
    "/jobs/{jobId}" + PRIOR, response=PriorPolicyList, summary="Prior policies"
)
def job_prior_policies(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return list_prior_policies(request, job_owner(jobId))


@policy_contents.get(
    "/policies/{policyId}" + PRIOR, response=PriorPolicyList, summary="Prior policies"
)
def policy_prior_policies(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_prior_policies(request, policy_owner(policyId))


@job_contents.get("/jobs/{jobId}" + PRIOR_ONE, response=PriorPolicyOne)
def job_prior_policy(
    request: HttpRequest, jobId: str, priorPolicyId: str
) -> dict[str, Any]:
    return get_prior_policy(request, job_owner(jobId), priorPolicyId)


@policy_contents.get("/policies/{policyId}" + PRIOR_ONE, response=PriorPolicyOne)
def policy_prior_policy(
    request: HttpRequest, policyId: str, priorPolicyId: str
) -> dict[str, Any]:
    return get_prior_policy(request, policy_owner(policyId), priorPolicyId)


@job_contents.post(
    "/jobs/{jobId}" + PRIOR,
    response={201: PriorPolicyOne},
    summary="Record a prior policy (until the job is bound)",
)
def job_create_prior_policy(
    request: HttpRequest,
    jobId: str,
    payload: PriorPolicyRequest,  # type: ignore[valid-type]
) -> Status:
    return create_prior_policy(job_owner(jobId), payload)


@policy_contents.post(
    "/policies/{policyId}" + PRIOR,
    response={201: PriorPolicyOne},
    summary="Record a prior policy on a bound policy",
)
def policy_create_prior_policy(
    request: HttpRequest,
    policyId: str,
    payload: PriorPolicyRequest,  # type: ignore[valid-type]
) -> Status:
    return create_prior_policy(policy_owner(policyId), payload)


@job_contents.patch("/jobs/{jobId}" + PRIOR_ONE, response=PriorPolicyOne)
def job_patch_prior_policy(
    request: HttpRequest,
    jobId: str,
    priorPolicyId: str,
    payload: PriorPolicyPatchRequest,  # type: ignore[valid-type]
) -> dict[str, Any]:
    return patch_prior_policy(request, job_owner(jobId), priorPolicyId, payload)


@policy_contents.patch("/policies/{policyId}" + PRIOR_ONE, response=PriorPolicyOne)
def policy_patch_prior_policy(
    request: HttpRequest,
    policyId: str,
    priorPolicyId: str,
    payload: PriorPolicyPatchRequest,  # type: ignore[valid-type]
) -> dict[str, Any]:
    return patch_prior_policy(request, policy_owner(policyId), priorPolicyId, payload)


@job_contents.delete("/jobs/{jobId}" + PRIOR_ONE, response={204: None})
def job_delete_prior_policy(
    request: HttpRequest, jobId: str, priorPolicyId: str
) -> Status:
    return remove_prior_policy(request, job_owner(jobId), priorPolicyId)


@policy_contents.delete("/policies/{policyId}" + PRIOR_ONE, response={204: None})
def policy_delete_prior_policy(
    request: HttpRequest, policyId: str, priorPolicyId: str
) -> Status:
    return remove_prior_policy(request, policy_owner(policyId), priorPolicyId)


job_api.add_router("", job_contents)
policy_api.add_router("", policy_contents)

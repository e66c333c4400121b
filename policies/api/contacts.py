"""Contacts on a job or policy and the roles they play there: an account contact or a
new one, primary and secondary named insureds, additional insureds and involved parties."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from policies import services
from policies.api import include
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
    RefIn,
    Text,
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
    policy_owner,
    transaction_owner,
)
from policies.models import (
    Contact,
    ContactRole,
    PolicyContactRole,
)
from policies.services.contents import (
    CONTACT_NOT_ON_ACCOUNT,
    contact_checksum,
)
from portal.api import ApiError

CONTACT_EITHER_OR = (
    "Give either accountContact (a contact already on the account) or the new "
    "contact's details, not both."
)

job_contact_routes = router("Locations and contacts")
policy_contact_routes = router("Locations and contacts")


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


class JobRoles(TypedDict):
    """What _contacts prefetches onto each contact: its roles on the job."""

    job_roles: list[PolicyContactRole]


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    ContactOnJob = WithAnnotations[Contact, JobRoles]


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    ContactRequest = Envelope[ContactAttributesIn]
else:
    ContactRequest = envelope("Contact", ContactAttributesIn)


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


ContactOne, ContactList = envelopes("Contact", ContactAttributes)


# ---------------------------------------------------------------------------
# Contacts


def contact_ref(owner: Owner, contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.public_id,
        "displayName": contact.display_name,
        "type": "PolicyContact",
        "uri": f"{owner.base}/contacts/{contact.public_id}",
    }


def contact_resource(owner: Owner, contact: ContactOnJob) -> dict[str, Any]:
    roles = sorted(r.role for r in contact.job_roles)
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
    return element(attributes, contact_checksum(contact, roles), links)


CONTACT_FILTERS = {
    "firstName": text_field("first_name"),
    "lastName": text_field("last_name"),
    "companyName": text_field("company_name"),
    "emailAddress1": text_field("email"),
}


def _contacts(owner: Owner) -> QuerySet[ContactOnJob]:
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


@job_contact_routes.get(
    "/jobs/{jobId}/contacts", response=ContactList, summary="Contacts of a job"
)
def job_contacts(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return list_contacts(request, transaction_owner(jobId))


@policy_contact_routes.get(
    "/policies/{policyId}/contacts",
    response=ContactList,
    summary="Contacts of a policy",
)
def policy_contacts(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_contacts(request, policy_owner(policyId))


@job_contact_routes.get("/jobs/{jobId}/contacts/{contactId}", response=ContactOne)
def job_contact(request: HttpRequest, jobId: str, contactId: str) -> dict[str, Any]:
    return get_contact(request, transaction_owner(jobId), contactId)


@policy_contact_routes.get(
    "/policies/{policyId}/contacts/{contactId}", response=ContactOne
)
def policy_contact(
    request: HttpRequest, policyId: str, contactId: str
) -> dict[str, Any]:
    return get_contact(request, policy_owner(policyId), contactId)


@job_contact_routes.post(
    "/jobs/{jobId}/contacts",
    response={201: ContactOne},
    summary="Add a contact with roles",
)
def create_contact(request: HttpRequest, jobId: str, payload: ContactRequest) -> Status:
    owner = transaction_owner(jobId)
    attrs: ContactAttributesIn = payload.data.attributes
    roles = [r.code for r in attrs.roles]
    if attrs.accountContact is not None:
        if given(payload) - {"accountContact", "roles"}:
            raise ApiError(CONTACT_EITHER_OR)
        existing = Contact.objects.filter(public_id=attrs.accountContact.id).first()
        if existing is None:
            raise ApiError(CONTACT_NOT_ON_ACCOUNT)
        contact = services.add_account_contact(
            by=actor(request), txn=owner.contents_owner, contact=existing, roles=roles
        )
    else:
        contact = services.add_contact(
            by=actor(request),
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


job_api.add_router("", job_contact_routes)
policy_api.add_router("", policy_contact_routes)


include.register(
    "contacts",
    "PolicyContact",
    lambda owner: [contact_resource(owner, c) for c in _contacts(owner).order_by("pk")],
)

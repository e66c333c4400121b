"""Locations and location named insureds (seed 002) of a job or policy (contacts and
their roles are in ``contacts``).

Every read exists on both ``/job/v1/jobs/{jobId}/…`` and ``/policy/v1/policies/
{policyId}/…``; writes exist on the (draft) job. Each operation resolves its owner
and calls one shared function, so the two forms cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from policies import services
from policies.api import include
from policies.api.base import job_api, policy_api, router
from policies.api.contacts import contact_ref
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
    RefIn,
    Text,
    TypeKey,
    TypeKeyIn,
    actor,
    element,
    envelope,
    envelopes,
    link,
    one,
    policy_owner,
    short_number,
    supplied_checksum,
    transaction_owner,
    typekey,
)
from policies.models import (
    Contact,
    LocationNamedInsured,
    PolicyLocation,
)
from policies.services.contents import (
    LNI_IMMUTABLE,
)
from policies.services.drafts import checksum
from portal.api import ApiError
from portal.jurisdictions import US_STATES

job_contents = router("Locations and contacts")
policy_contents = router("Locations and contacts")


# ---------------------------------------------------------------------------
# Schemas


class LocationAttributesIn(In):
    addressLine1: Text
    addressLine2: Text = ""
    city: Text
    state: TypeKeyIn = Field(description="US state code, e.g. {'code': 'CA'}.")
    postalCode: Text
    country: TypeKeyIn | None = Field(None, description="Only US.")


class NamedInsuredAttributesIn(In):
    contact: RefIn = Field(description="A contact on the job, by its pc: id.")


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    LocationRequest = Envelope[LocationAttributesIn]
    NamedInsuredRequest = Envelope[NamedInsuredAttributesIn]
else:
    LocationRequest = envelope("Location", LocationAttributesIn)
    NamedInsuredRequest = envelope("LocationNamedInsured", NamedInsuredAttributesIn)


class LocationAttributes(Schema):
    id: str
    displayName: str
    addressLine1: str
    addressLine2: str | None = None
    city: str
    state: TypeKey
    postalCode: str
    country: TypeKey


class NamedInsuredAttributes(Schema):
    id: str
    contact: Ref
    location: Ref


LocationOne, LocationList = envelopes("Location", LocationAttributes)
NamedInsuredOne, NamedInsuredList = envelopes(
    "LocationNamedInsured", NamedInsuredAttributes
)
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
    return list_locations(request, transaction_owner(jobId))


@policy_contents.get(
    "/policies/{policyId}/locations",
    response=LocationList,
    summary="Locations of a policy",
)
def policy_locations(request: HttpRequest, policyId: str) -> dict[str, Any]:
    return list_locations(request, policy_owner(policyId))


@job_contents.get("/jobs/{jobId}/locations/{locationId}", response=LocationOne)
def job_location(request: HttpRequest, jobId: str, locationId: str) -> dict[str, Any]:
    return get_location(request, transaction_owner(jobId), locationId)


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
) -> Status:
    owner = transaction_owner(jobId)
    attrs: LocationAttributesIn = payload.data.attributes
    location = services.add_location(
        by=actor(request),
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
    return list_named_insureds(request, transaction_owner(jobId), locationId)


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
        request, transaction_owner(jobId), locationId, locationNamedInsuredId
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
    payload: NamedInsuredRequest,
) -> Status:
    owner = transaction_owner(jobId)
    location = _location(owner, locationId)
    contact_id = payload.data.attributes.contact.id
    lni = services.associate_location_named_insured(
        by=actor(request),
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
    owner = transaction_owner(jobId)
    _named_insureds(owner, _location(owner, locationId)).get(
        number=short_number(locationNamedInsuredId)
    )
    raise ApiError(LNI_IMMUTABLE)


@job_contents.delete(
    "/jobs/{jobId}" + LNI_PATH + "/{locationNamedInsuredId}",
    response={204: None},
    summary="Delete the association (the contact and location stay)",
)
def delete_named_insured(
    request: HttpRequest, jobId: str, locationId: str, locationNamedInsuredId: str
) -> Status:
    owner = transaction_owner(jobId)
    lni = _named_insureds(owner, _location(owner, locationId)).get(
        number=short_number(locationNamedInsuredId)
    )
    services.delete_location_named_insured(
        by=actor(request),
        named_insured=lni,
        checksum_supplied=supplied_checksum(request),
    )
    return Status(204, None)


job_api.add_router("", job_contents)
policy_api.add_router("", policy_contents)


include.register(
    "locations",
    "PolicyLocation",
    lambda owner: [
        location_resource(owner, loc) for loc in _locations(owner).order_by("number")
    ],
)

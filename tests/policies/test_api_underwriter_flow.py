"""The issue's "done when", through the API alone, with every seed example as written."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from coverage.models import Contractor
from tests.policies.conftest import Api

pytestmark = pytest.mark.django_db


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()["data"] if response.content else {}


def test_an_underwriter_writes_and_changes_a_commercial_policy(
    api: Api, contractor: Contractor
) -> None:
    call_command(
        "seed_demo", stdout=StringIO()
    )  # products and coinsurers (pc:2 among them)
    products = {
        p["attributes"]["id"] for p in api.get("/job/v1/products").json()["data"]
    }
    assert {"contractor-wc-gl", "commercial-property"} <= products

    job = ok(
        api.post(
            "/job/v1/submissions",
            {
                "account": {"id": contractor.public_id},
                "product": {"id": "commercial-property"},
                "jobEffectiveDate": "2031-01-01",
            },
        ),
        201,
    )["links"]["self"]["href"]

    # Locations, contacts and sections.
    location = ok(
        api.post(
            f"{job}/locations",
            {
                "addressLine1": "1253 Paloma Ave",
                "city": "Arcadia",
                "state": {"code": "CA"},
                "postalCode": "91007",
            },
        ),
        201,
    )["attributes"]["id"]
    mike = ok(
        api.post(f"{job}/contacts", {"firstName": "Mike", "lastName": "Sherman"}), 201
    )["attributes"]["id"]
    for code in ("PP", "MO"):
        ok(api.post(f"{job}/policy-sections", {"sectionType": {"code": code}}), 201)

    # Seed 002: associate the contact with the location.
    ok(
        api.post(
            f"{job}/locations/{location}/named-insureds", {"contact": {"id": mike}}
        ),
        201,
    )
    named = api.get(f"{job}/locations/{location}/named-insureds").json()["data"]
    assert named[0]["attributes"]["contact"]["displayName"] == "Mike Sherman"

    # Seed 003, as written: the agreement, a party (producer code pc:2), a section, a PATCH.
    agreement = ok(
        api.post(
            f"{job}/coinsurance-agreements",
            {
                "initialPolicySections": [{"sectionType": {"code": "MO"}}],
                "leadersFee": "5.5",
                "model": {"code": "administer"},
                "ourRole": {"code": "lead"},
                "ourShare": "50",
                "policyNumberSuffix": "MotorA",
            },
        ),
        201,
    )["links"]["self"]["href"]
    party = ok(
        api.post(
            f"{agreement}/parties",
            {
                "coinsuranceRole": {"code": "follow"},
                "coinsuranceShare": "5",
                "producerCode": {"id": "pc:2"},
            },
        ),
        201,
    )
    assert party["attributes"]["coinsuranceShare"] == "5.00"
    assert (
        party["attributes"]["organization"]["displayName"] == "Enigma Fire & Casualty"
    )
    ok(api.post(f"{agreement}/policy-sections", {"sectionType": {"code": "PP"}}), 201)
    assert api.get(f"{agreement}/policy-sections").json()["count"] == 2
    ok(api.patch(agreement, {"ourShare": "15.00"}))
    ok(api.delete(f"{agreement}/policy-sections/PP"), 204)

    # Seed 004, as written.
    prior = ok(
        api.post(
            f"{job}/prior-policies",
            {
                "carrier": "Interstate Insurance",
                "effectiveDate": "2021-10-13",
                "annualPremium": {"amount": "617.00", "currency": "usd"},
                "policyNumber": "BNL-123312-2",
            },
        ),
        201,
    )["links"]["self"]["href"]
    ok(
        api.patch(
            prior,
            {"numLosses": 0, "totalLosses": {"amount": "0.00", "currency": "usd"}},
        )
    )

    # Quote and bind.
    assert ok(api.post(f"{job}/quote"))["attributes"]["jobStatus"]["code"] == "Quoted"
    policy = ok(api.post(f"{job}/bind-and-issue"))["attributes"]["policy"]["uri"]
    assert api.get(f"{policy}/locations/{location}/named-insureds").json()["count"] == 1
    assert api.get(f"{policy}/coinsurance-agreements").json()["count"] == 1
    assert (
        api.get(f"{policy}/prior-policies").json()["data"][0]["attributes"]["numLosses"]
        == 0
    )

    # Change the bound policy: drop the party and the agreement, add a location.
    change = ok(api.post(f"{policy}/change"))["links"]["self"]["href"]
    change_agreement = agreement.replace(job, change)
    ok(api.delete(f"{change_agreement}/parties/{party['attributes']['id']}"), 204)
    ok(api.delete(change_agreement), 204)
    ok(
        api.post(
            f"{change}/locations",
            {
                "addressLine1": "2 Oak St",
                "city": "Pasadena",
                "state": {"code": "CA"},
                "postalCode": "91101",
            },
        ),
        201,
    )
    ok(api.post(f"{change}/quote"))
    ok(api.post(f"{change}/bind-and-issue"))
    assert api.get(f"{policy}/coinsurance-agreements").json()["count"] == 0
    assert api.get(f"{policy}/locations").json()["count"] == 2
    # Seed 004 on the bound policy: deleted there, not on a job.
    prior_id = prior.rsplit("/", 1)[1]
    ok(api.delete(f"{policy}/prior-policies/{prior_id}"), 204)
    assert api.get(f"{policy}/prior-policies").json()["count"] == 0

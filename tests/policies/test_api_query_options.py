"""Guidewire's query options on /job/v1 and /policy/v1, as the Cloud API guide writes them:
``sort`` (multi-key, ``-`` descending), ``fields`` (``*all``, ``*summary``, explicit lists),
kept across paging links; and the documented exception names in error bodies."""

from __future__ import annotations

import pytest

from policies.api.as_of import BAD_AS_OF, NO_BRANCH
from policies.api.fields import EMPTY_FIELDS, UNKNOWN_FIELD
from policies.api.include import NOT_INCLUDABLE, UNKNOWN_INCLUDE
from policies.api.listing import SORT_FIELD, SORT_SYNTAX
from policies.api.wire import NOT_A_DATE
from tests.policies.conftest import Api

pytestmark = pytest.mark.django_db

BAD_INPUT = "gw.api.rest.exceptions.BadInputException"
PRIORS = [
    ("Interstate Insurance", "BNL-1", "2021-10-13", 2),
    ("Acme Mutual", "AM-7", "2019-10-13", 0),
    ("Interstate Insurance", "BNL-0", "2020-10-13", 1),
]


@pytest.fixture
def priors(api: Api, job: str) -> str:
    for carrier, number, effective, losses in PRIORS:
        response = api.post(
            f"{job}/prior-policies",
            {
                "carrier": carrier,
                "policyNumber": number,
                "effectiveDate": effective,
                "numLosses": losses,
            },
        )
        assert response.status_code == 201, response.content
    return f"{job}/prior-policies"


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["attributes"]["policyNumber"] for r in response.json()["data"]]


def test_sort_ascending_descending_and_by_several_keys(api: Api, priors: str) -> None:
    assert numbers(api.get(f"{priors}?sort=effectiveDate")) == [
        "AM-7",
        "BNL-0",
        "BNL-1",
    ]
    assert numbers(api.get(f"{priors}?sort=-effectiveDate")) == [
        "BNL-1",
        "BNL-0",
        "AM-7",
    ]
    assert numbers(api.get(f"{priors}?sort=carrier,-numLosses")) == [
        "AM-7",
        "BNL-1",
        "BNL-0",
    ]
    # With a filter and paging: the next link keeps both.
    page = api.get(
        f"{priors}?filter=carrier:eq:Interstate%20Insurance&sort=policyNumber&pageSize=1"
    )
    assert numbers(page) == ["BNL-0"]
    following = api.get(page.json()["links"]["next"]["href"])
    assert numbers(following) == ["BNL-1"]


@pytest.mark.parametrize(
    "query, message",
    [
        (
            "sort=annualPremium",
            SORT_FIELD.format(
                field="annualPremium",
                fields="carrier, effectiveDate, expirationDate, numLosses, policyNumber",
            ),
        ),
        ("sort=carrier,,", SORT_SYNTAX.format(expr="carrier,,")),
    ],
)
def test_sort_on_an_unsortable_field_is_bad_input(
    api: Api, priors: str, query: str, message: str
) -> None:
    response = api.get(f"{priors}?{query}")
    assert response.status_code == 400
    assert response.json()["errorCode"] == BAD_INPUT
    assert response.json()["userMessage"] == message


def test_fields_explicit_all_and_summary(api: Api, priors: str) -> None:
    full = api.get(priors).json()["data"][0]
    sparse = api.get(f"{priors}?fields=carrier,numLosses").json()["data"][0]
    assert sparse["attributes"] == {
        "id": full["attributes"]["id"],
        "carrier": full["attributes"]["carrier"],
        "numLosses": full["attributes"]["numLosses"],
    }
    assert (sparse["checksum"], sparse["links"]) == (full["checksum"], full["links"])
    for view in ("*all", "*summary", "*detail"):
        assert api.get(f"{priors}?fields={view}").json()["data"][0] == full
    one = api.get(full["links"]["self"]["href"] + "?fields=policyNumber").json()
    assert one["data"]["attributes"] == {
        "id": full["attributes"]["id"],
        "policyNumber": full["attributes"]["policyNumber"],
    }


def test_fields_naming_an_unknown_attribute_is_bad_input(api: Api, priors: str) -> None:
    response = api.get(f"{priors}?fields=carrier,colour")
    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == BAD_INPUT
    assert body["userMessage"].startswith(
        UNKNOWN_FIELD.split("{fields}")[0].format(field="colour")
    )
    empty = api.get(f"{priors}?fields=,")
    assert empty.json()["userMessage"] == EMPTY_FIELDS


def test_fields_and_sort_on_jobs_and_policies_lists(api: Api, job: str) -> None:
    jobs = api.get("/job/v1/jobs?sort=-jobStatus,product&fields=jobStatus")
    assert jobs.status_code == 200, jobs.content
    assert set(jobs.json()["data"][0]["attributes"]) == {"id", "jobStatus"}
    policies = api.get("/policy/v1/policies?sort=policyNumber&fields=*all")
    assert policies.status_code == 200, policies.content


def test_a_wrong_state_action_names_the_documented_exception(
    api: Api, job: str
) -> None:
    assert api.post(f"{job}/quote").status_code == 200
    assert api.post(f"{job}/bind-and-issue").status_code == 200
    refused = api.post(f"{job}/quote")
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == BAD_INPUT


def test_as_of_date_reads_the_policy_as_it_stood(api: Api, job: str) -> None:
    api.post(f"{job}/quote")
    bound = api.post(f"{job}/bind-and-issue").json()["data"]["attributes"]
    policy = bound["policy"]["uri"]
    renewal = api.post(f"{policy}/renew").json()["data"]["attributes"]["id"]
    assert api.post(f"/job/v1/jobs/{renewal}/quote").status_code == 200
    assert api.post(f"/job/v1/jobs/{renewal}/bind-and-issue").status_code == 200
    cancelled = api.post(f"{policy}/cancel", {"jobEffectiveDate": "2032-06-01"})
    assert cancelled.status_code == 200, cancelled.content

    def as_of(day: str) -> dict:
        response = api.get(f"{policy}?asOfDate={day}")
        assert response.status_code == 200, response.content
        return response.json()["data"]["attributes"]

    first = as_of("2031-03-15")
    assert (first["periodStart"], first["periodEnd"], first["termNumber"]) == (
        "2031-01-01T00:00:00.000Z",
        "2032-01-01T00:00:00.000Z",
        1,
    )
    assert first["status"]["code"] == "active"
    second = as_of("2032-03-01")
    assert (second["periodStart"], second["termNumber"]) == (
        "2032-01-01T00:00:00.000Z",
        2,
    )
    assert second["status"]["code"] == "active"
    assert "cancellationDate" not in second  # null attributes are left out
    after = as_of("2032-07-01")
    assert after["status"]["code"] == "cancelled"
    assert after["cancellationDate"] == "2032-06-01T00:00:00.000Z"
    # Today's answer is the cancelled policy, whatever date the call is made.
    assert api.get(policy).json()["data"]["attributes"]["status"]["code"] == "cancelled"


@pytest.mark.parametrize(
    "day, reason",
    [
        ("2019-01-01", NO_BRANCH.format(date="01/01/2019")),
        ("2019-13-01", NOT_A_DATE),
    ],
)
def test_as_of_date_outside_every_term_is_bad_input(
    api: Api, job: str, day: str, reason: str
) -> None:
    api.post(f"{job}/quote")
    policy = api.post(f"{job}/bind-and-issue").json()["data"]["attributes"]["policy"]
    response = api.get(f"{policy['uri']}?asOfDate={day}")
    assert response.status_code == 400
    assert response.json()["errorCode"] == BAD_INPUT
    assert response.json()["userMessage"] == BAD_AS_OF.format(reason=reason)


def test_include_puts_contents_once_in_included(
    api: Api, job: str, priors: str
) -> None:
    response = api.get(f"{job}?include=prior-policies,locations&fields=jobStatus")
    assert response.status_code == 200, response.content
    body = response.json()
    own = api.get(f"{priors}").json()["data"]
    locations = api.get(f"{job}/locations").json()["data"]
    assert body["data"]["related"] == {
        "prior-policies": {
            "count": 3,
            "data": [{"id": p["attributes"]["id"], "type": "PriorPolicy"} for p in own],
        },
        "locations": {
            "count": len(locations),
            "data": [
                {"id": loc["attributes"]["id"], "type": "PolicyLocation"}
                for loc in locations
            ],
        },
    }
    assert body["included"]["PriorPolicy"] == own
    assert body["included"].get("PolicyLocation", []) == locations
    assert set(body["data"]["attributes"]) == {"id", "jobStatus"}


def test_include_of_an_unknown_resource_or_on_a_list_is_bad_input(
    api: Api, job: str, priors: str
) -> None:
    unknown = api.get(f"{job}?include=claims")
    assert unknown.status_code == 400
    assert unknown.json()["userMessage"] == UNKNOWN_INCLUDE.format(
        name="claims",
        names="coinsurance-agreements, contacts, locations, prior-policies",
    )
    on_a_list = api.get(f"{priors}?include=locations")
    assert on_a_list.status_code == 400
    assert on_a_list.json()["userMessage"] == NOT_INCLUDABLE

"""Prior policies (seed 004): on a job until it is bound, then on the policy itself."""

from __future__ import annotations

import pytest

from policies.models import PriorPolicy
from policies.services.prior_policies import (
    PRIOR_EFFECTIVE_REQUIRED,
    PRIOR_NEGATIVE_LOSSES,
    PRIOR_TERM_BACKWARDS,
    PRIOR_TRANSACTION_BOUND,
    PRIOR_TRANSACTION_CLOSED,
)
from tests.policies.conftest import Api

pytestmark = pytest.mark.django_db

# Seed 004's example bodies, as written.
SEED_POST = {
    "carrier": "Interstate Insurance",
    "effectiveDate": "2021-10-13",
    "annualPremium": {"amount": "617.00", "currency": "usd"},
    "policyNumber": "BNL-123312-2",
}
SEED_PATCH = {"numLosses": 0, "totalLosses": {"amount": "0.00", "currency": "usd"}}
STALE = "0" * 32


def record(api: Api, owner: str, attributes: dict | None = None) -> dict:
    response = api.post(f"{owner}/prior-policies", attributes or SEED_POST)
    assert response.status_code == 201, response.content
    return response.json()["data"]


def error(response, status: int = 400) -> str:
    assert response.status_code == status, response.content
    return response.json()["userMessage"]


def bind(api: Api, job: str) -> str:
    api.post(f"{job}/quote")
    return api.post(f"{job}/bind-and-issue").json()["data"]["attributes"]["policy"][
        "uri"
    ]


def test_the_seed_examples(api: Api, job: str) -> None:
    prior = record(api, job)
    assert prior["attributes"]["id"].startswith("pc:")
    assert prior["attributes"] == {
        "id": prior["attributes"]["id"],
        "carrier": "Interstate Insurance",
        "effectiveDate": "2021-10-13",
        "annualPremium": {"amount": "617.00", "currency": "usd"},
        "policyNumber": "BNL-123312-2",
    }
    url = f"{job}/prior-policies/{prior['attributes']['id']}"
    assert prior["links"]["self"] == {
        "href": url,
        "methods": ["delete", "get", "patch"],
    }
    patched = api.patch(url, SEED_PATCH)
    assert patched.status_code == 200
    assert patched.json()["data"]["attributes"]["numLosses"] == 0
    assert patched.json()["data"]["attributes"]["totalLosses"] == {
        "amount": "0.00",
        "currency": "usd",
    }
    listed = api.get(f"{job}/prior-policies").json()
    assert listed["count"] == 1
    assert listed["data"][0] == patched.json()["data"]
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_effective_date_is_the_only_required_field(api: Api, job: str) -> None:
    prior = record(api, job, {"effectiveDate": "2020-01-01"})
    assert prior["attributes"] == {
        "id": prior["attributes"]["id"],
        "effectiveDate": "2020-01-01",
    }
    missing = api.post(f"{job}/prior-policies", {"carrier": "X"})
    assert error(missing) == "data.attributes.effectiveDate - Field required"
    cleared = api.patch(prior["links"]["self"]["href"], {"effectiveDate": None})
    assert error(cleared) == PRIOR_EFFECTIVE_REQUIRED


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"effectiveDate": "13/10/2021"},
            "data.attributes.effectiveDate - Value error, must be a date written YYYY-MM-DD",
        ),
        (
            {"effectiveDate": "2021-10-13", "expirationDate": "2021-10-13"},
            PRIOR_TERM_BACKWARDS,
        ),
        (
            {"effectiveDate": "2021-10-13", "numLosses": -1},
            PRIOR_NEGATIVE_LOSSES,
        ),
        (
            {"effectiveDate": "2021-10-13", "numLosses": "3"},
            "data.attributes.numLosses - Input should be a valid integer",
        ),
        (
            {"effectiveDate": "2021-10-13", "numLosses": 1.5},
            "data.attributes.numLosses - Input should be a valid integer",
        ),
        (
            {
                "effectiveDate": "2021-10-13",
                "annualPremium": {"amount": "-1", "currency": "usd"},
            },
            "The annual premium cannot be negative.",
        ),
        (
            {
                "effectiveDate": "2021-10-13",
                "annualPremium": {"amount": "1.001", "currency": "usd"},
            },
            "The annual premium has at most two decimal places.",
        ),
        (
            {
                "effectiveDate": "2021-10-13",
                "annualPremium": {"amount": "abc", "currency": "usd"},
            },
            'data.attributes.annualPremium.amount - Value error, must be a decimal number such as "5.00"',
        ),
        (
            {
                "effectiveDate": "2021-10-13",
                "totalLosses": {"amount": "1", "currency": "xyz"},
            },
            "Unknown currency: xyz. Use one of: usd, cad, eur, gbp.",
        ),
        (
            {
                "effectiveDate": "2021-10-13",
                "totalLosses": {"amount": "100000000000000000000", "currency": "usd"},
            },
            "The total losses is too large.",
        ),
        (
            {"effectiveDate": "2021-10-13", "carrier": "C" * 201},
            "The carrier is at most 200 characters.",
        ),
        (
            {"effectiveDate": "2021-10-13", "losses": 1},
            "data.attributes.losses - Extra inputs are not permitted",
        ),
    ],
)
def test_invalid_prior_policies(
    api: Api, job: str, attributes: dict, message: str
) -> None:
    assert error(api.post(f"{job}/prior-policies", attributes)) == message
    assert not PriorPolicy.objects.exists()


def test_editable_on_a_quoted_job(api: Api, job: str) -> None:
    prior = record(api, job)
    api.post(f"{job}/quote")
    assert record(api, job, {"effectiveDate": "2019-01-01"})
    assert (
        api.patch(prior["links"]["self"]["href"], {"carrier": "Other"}).status_code
        == 200
    )
    listed = api.get(f"{job}/prior-policies").json()
    assert listed["links"]["create"]["methods"] == ["post"]


def test_a_bound_job_refuses_and_the_policy_takes_the_edits(api: Api, job: str) -> None:
    prior = record(api, job)["attributes"]
    policy = bind(api, job)
    policy_id = policy.rsplit("/", 1)[1]
    refused = api.post(f"{job}/prior-policies", SEED_POST)
    assert error(refused) == PRIOR_TRANSACTION_BOUND.format(policy=policy_id)
    assert error(
        api.patch(f"{job}/prior-policies/{prior['id']}", SEED_PATCH)
    ) == PRIOR_TRANSACTION_BOUND.format(policy=policy_id)
    assert error(
        api.delete(f"{job}/prior-policies/{prior['id']}")
    ) == PRIOR_TRANSACTION_BOUND.format(policy=policy_id)
    job_view = api.get(f"{job}/prior-policies").json()
    assert job_view["data"][0]["links"]["self"]["methods"] == ["get"]
    assert "create" not in job_view["links"]
    # The same prior policy, with the same id, is the policy's now, and editable there.
    on_policy = api.get(f"{policy}/prior-policies/{prior['id']}").json()["data"]
    assert on_policy["attributes"] == prior
    assert on_policy["links"]["self"]["methods"] == ["delete", "get", "patch"]
    patched = api.patch(f"{policy}/prior-policies/{prior['id']}", SEED_PATCH)
    assert patched.json()["data"]["attributes"]["numLosses"] == 0
    added = record(api, policy, {"effectiveDate": "2018-05-01", "carrier": "Old Co"})
    assert api.get(f"{policy}/prior-policies").json()["count"] == 2
    assert (
        api.get(f"{policy}/prior-policies?filter=carrier:eq:Old%20Co").json()["data"][
            0
        ]["attributes"]
        == added["attributes"]
    )
    assert api.delete(f"{policy}/prior-policies/{prior['id']}").status_code == 204
    assert api.get(f"{policy}/prior-policies").json()["count"] == 1


def test_a_withdrawn_job_refuses(api: Api, job: str) -> None:
    api.post(f"{job}/withdraw")
    message = PRIOR_TRANSACTION_CLOSED.format(status="withdrawn")
    assert error(api.post(f"{job}/prior-policies", SEED_POST)) == message


def test_edits_on_the_policy_reach_a_change_in_progress(api: Api, job: str) -> None:
    prior = record(api, job)["attributes"]
    policy = bind(api, job)
    change = api.post(f"{policy}/change").json()["data"]["links"]["self"]["href"]
    # The change edits its own copy ...
    api.patch(f"{change}/prior-policies/{prior['id']}", {"carrier": "Changed In Job"})
    # ... while the policy is edited directly: only the fields named travel.
    api.patch(f"{policy}/prior-policies/{prior['id']}", {"numLosses": 2})
    added = record(api, policy, {"effectiveDate": "2018-05-01"})["attributes"]
    in_change = {
        p["attributes"]["id"]: p["attributes"]
        for p in api.get(f"{change}/prior-policies").json()["data"]
    }
    assert in_change[prior["id"]]["carrier"] == "Changed In Job"
    assert in_change[prior["id"]]["numLosses"] == 2
    assert added["id"] in in_change
    api.delete(f"{policy}/prior-policies/{added['id']}")
    assert api.get(f"{change}/prior-policies/{added['id']}").status_code == 404
    # Binding the change keeps both kinds of edit.
    api.post(f"{change}/quote")
    api.post(f"{change}/bind-and-issue")
    final = api.get(f"{policy}/prior-policies/{prior['id']}").json()["data"][
        "attributes"
    ]
    assert (final["carrier"], final["numLosses"]) == ("Changed In Job", 2)


class TestChecksums:
    def test_patch_with_a_stale_body_checksum_is_409_and_changes_nothing(
        self, api: Api, job: str
    ) -> None:
        prior = record(api, job)
        url = prior["links"]["self"]["href"]
        fresh = api.patch(url, {"carrier": "A"}, checksum=prior["checksum"])
        assert fresh.status_code == 200
        stale = api.patch(url, {"carrier": "B"}, checksum=prior["checksum"])
        assert stale.status_code == 409
        current = fresh.json()["data"]["checksum"]
        message = (
            f"The supplied checksum '{prior['checksum']}' does not match the current "
            f"checksum '{current}' for the resource with uri '{url}'"
        )
        assert stale.json() == {
            "status": 409,
            "errorCode": "gw.api.rest.exceptions.ChecksumMismatchException",
            "userMessage": message,
            "details": [
                {
                    "message": message,
                    "properties": {
                        "uri": url,
                        "currentChecksum": current,
                        "suppliedChecksum": prior["checksum"],
                    },
                }
            ],
        }
        assert api.get(url).json()["data"]["attributes"]["carrier"] == "A"

    def test_the_header_works_for_patch_and_delete(self, api: Api, job: str) -> None:
        prior = record(api, job)
        url = prior["links"]["self"]["href"]
        assert (
            api.patch(url, {"carrier": "B"}, **{"GW-Checksum": STALE}).status_code
            == 409
        )
        assert api.delete(url, **{"GW-Checksum": STALE}).status_code == 409
        assert PriorPolicy.objects.filter(carrier="Interstate Insurance").exists()
        assert api.delete(url, **{"GW-Checksum": prior["checksum"]}).status_code == 204

    def test_the_checksum_a_post_returns_is_current(self, api: Api, job: str) -> None:
        prior = record(
            api,
            job,
            SEED_POST | {"annualPremium": {"amount": "617.5", "currency": "usd"}},
        )
        assert (
            api.get(prior["links"]["self"]["href"]).json()["data"]["checksum"]
            == prior["checksum"]
        )

    def test_policy_form_checks_too(self, api: Api, job: str) -> None:
        prior = record(api, job)["attributes"]
        policy = bind(api, job)
        url = f"{policy}/prior-policies/{prior['id']}"
        assert api.patch(url, {"carrier": "B"}, checksum=STALE).status_code == 409
        assert api.delete(url, **{"GW-Checksum": STALE}).status_code == 409
        current = api.get(url).json()["data"]["checksum"]
        assert api.delete(url, **{"GW-Checksum": current}).status_code == 204

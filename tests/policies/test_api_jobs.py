"""/job/v1 submissions and job actions, /policy/v1 policies, changes, renewals, cancellations."""

from __future__ import annotations

import pytest
from django.test import Client

from coverage.models import Contractor
from policies.api.jobs import UNKNOWN_ACCOUNT, UNKNOWN_PRODUCT
from policies.models import Policy, PolicyTransaction, Product
from policies.services.transactions import (
    GL_NEEDS_STATE,
    NO_LINES,
    NO_SECTIONS,
    TERM_BACKWARDS,
    WC_NEEDS_STATE,
)
from portal.api import WRONG_KEY_KIND
from tests.conftest import bearer
from tests.policies.conftest import Api, submission_attributes

pytestmark = pytest.mark.django_db


def attributes(response) -> dict:
    assert response.status_code in (200, 201), response.content
    return response.json()["data"]["attributes"]


def test_platform_key_is_refused_on_both_apis(platform_key: str) -> None:
    for url in ("/job/v1/jobs", "/policy/v1/policies"):
        response = Client().get(url, headers=bearer(platform_key))
        assert response.status_code == 403
        assert response.json() == {
            "status": 403,
            "errorCode": "gw.api.rest.exceptions.NotAuthorizedException",
            "userMessage": WRONG_KEY_KIND,
            "details": [],
        }


def test_no_key_is_401(db: None) -> None:
    response = Client().post(
        "/job/v1/submissions", "{}", content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_a_contractor_submission(
    api: Api, contractor: Contractor, wc_gl_product: Product
) -> None:
    response = api.post(
        "/job/v1/submissions",
        submission_attributes(contractor, wc_gl_product, expirationDate="2031-07-01"),
    )
    assert response.status_code == 201
    body = response.json()["data"]
    job = body["attributes"]
    assert job["id"].startswith("pc:")
    assert job["jobType"] == {"code": "Submission", "name": "Submission"}
    assert job["jobStatus"] == {"code": "Draft", "name": "Draft"}
    assert job["account"] == {
        "id": contractor.public_id,
        "displayName": "Terry Tech",
        "type": "Contractor",
    }
    assert job["jobEffectiveDate"] == "2031-01-01"
    assert job["periodStart"] == "2031-01-01T00:00:00.000Z"
    assert job["periodEnd"] == "2031-07-01T00:00:00.000Z"
    assert job["lines"] == [
        {"code": "workers-comp", "name": "Workers' compensation"},
        {"code": "general", "name": "General liability"},
    ]
    assert job["wcState"] == {"code": "NJ", "name": "New Jersey"}
    assert len(body["checksum"]) == 32
    href = f"/job/v1/jobs/{job['id']}"
    assert body["links"]["self"] == {"href": href, "methods": ["get", "patch"]}
    assert body["links"]["quote"] == {"href": f"{href}/quote", "methods": ["post"]}
    assert "bind-and-issue" not in body["links"]
    # The insured contractor is the job's primary named insured.
    contacts = api.get(f"{href}/contacts").json()["data"]
    assert [c["attributes"]["roles"] for c in contacts] == [
        [{"code": "primaryNamedInsured", "name": "Primary named insured"}]
    ]


def test_expiration_defaults_to_a_year(
    api: Api, contractor: Contractor, wc_gl_product: Product
) -> None:
    job = attributes(
        api.post(
            "/job/v1/submissions",
            submission_attributes(
                contractor, wc_gl_product, jobEffectiveDate="2032-02-29"
            ),
        )
    )
    assert job["periodEnd"] == "2033-02-28T00:00:00.000Z"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"account": {"id": "cn_nobody"}}, UNKNOWN_ACCOUNT.format(id="cn_nobody")),
        ({"product": {"id": "nothing"}}, UNKNOWN_PRODUCT.format(id="nothing")),
        ({"lines": []}, NO_LINES),
        ({"wcState": None}, WC_NEEDS_STATE),
        (
            {"lines": [{"code": "cyber"}]},
            "The product Contractor WC + GL does not write Cyber liability.",
        ),
        ({"wcState": {"code": "ZZ"}}, "ZZ is not a US state code."),
        (
            {"jobEffectiveDate": "2031-02-30"},
            "data.attributes.jobEffectiveDate - Value error, must be a date written YYYY-MM-DD",
        ),
        (
            {"jobEffectiveDate": 20310101},
            "data.attributes.jobEffectiveDate - Value error, must be a date written YYYY-MM-DD",
        ),
        ({"expirationDate": "2030-01-01"}, TERM_BACKWARDS),
        (
            {"expirationDate": "9999-12-31"},
            "data.attributes.expirationDate - Value error, must be a date between 1900-01-01 and 2999-12-31",
        ),
        (
            {"autoRenew": "yes"},
            "data.attributes.autoRenew - Input should be a valid boolean",
        ),
        ({"surprise": 1}, "data.attributes.surprise - Extra inputs are not permitted"),
    ],
)
def test_submission_errors(
    api: Api, contractor: Contractor, wc_gl_product: Product, change: dict, message: str
) -> None:
    response = api.post(
        "/job/v1/submissions", submission_attributes(contractor, wc_gl_product) | change
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["errorCode"] == "gw.api.rest.exceptions.BadInputException"
    assert body["userMessage"] == message
    assert not PolicyTransaction.objects.exists()


def test_a_missing_field_names_itself(
    api: Api, contractor: Contractor, wc_gl_product: Product
) -> None:
    attrs = submission_attributes(contractor, wc_gl_product)
    del attrs["product"]
    body = api.post("/job/v1/submissions", attrs).json()
    assert body["userMessage"] == "data.attributes.product - Field required"
    assert body["details"] == [
        {
            "message": "data.attributes.product - Field required",
            "properties": {"field": "data.attributes.product"},
        }
    ]


def test_field_errors_name_the_attribute(
    api: Api, contractor: Contractor, wc_gl_product: Product
) -> None:
    body = api.post(
        "/job/v1/submissions",
        submission_attributes(contractor, wc_gl_product, glState=None),
    ).json()
    assert body["details"] == [
        {
            "message": GL_NEEDS_STATE,
            "properties": {"field": "data.attributes.glState"},
        }
    ]


def test_section_product_needs_a_section_to_quote(
    api: Api, contractor: Contractor, property_product: Product
) -> None:
    job = attributes(
        api.post(
            "/job/v1/submissions",
            submission_attributes(contractor, property_product, policySections=[]),
        )
    )
    response = api.post(f"/job/v1/jobs/{job['id']}/quote")
    assert response.status_code == 400
    assert response.json()["userMessage"] == NO_SECTIONS.format(
        product="Commercial property (commercial-property)"
    )


def test_quote_bind_and_the_policy(api: Api, job: str) -> None:
    quoted = api.post(f"{job}/quote").json()["data"]
    assert quoted["attributes"]["jobStatus"]["code"] == "Quoted"
    assert set(quoted["links"]) >= {"bind-and-issue", "make-draft", "withdraw"}
    assert quoted["links"]["self"]["methods"] == ["get"]
    bound = attributes(api.post(f"{job}/bind-and-issue"))
    assert bound["jobStatus"]["code"] == "Bound"
    policy = Policy.objects.get()
    assert bound["policy"] == {
        "id": policy.public_id,
        "displayName": policy.number,
        "type": "Policy",
        "uri": f"/policy/v1/policies/{policy.public_id}",
    }
    assert bound["policyNumber"] == policy.number
    by_id = api.get(f"/policy/v1/policies/{policy.public_id}").json()["data"]
    by_number = api.get(f"/policy/v1/policies/{policy.number}").json()["data"]
    assert by_id == by_number
    assert by_id["attributes"]["status"] == {"code": "active", "name": "Active"}
    assert set(by_id["links"]) >= {
        "self",
        "change",
        "renew",
        "cancel",
        "prior-policies",
    }


@pytest.mark.parametrize(
    ("steps", "action", "message"),
    [
        (
            [],
            "bind-and-issue",
            "Cannot take action 'bind-and-issue': the job's status is 'Draft' but must be one of: Quoted.",
        ),
        (
            [],
            "make-draft",
            "Cannot take action 'make-draft': the job's status is 'Draft' but must be one of: Quoted.",
        ),
        (
            ["quote"],
            "quote",
            "Cannot take action 'quote': the job's status is 'Quoted' but must be one of: Draft.",
        ),
        (
            ["withdraw"],
            "withdraw",
            "Cannot take action 'withdraw': the job's status is 'Withdrawn' but must be one of: Draft, Quoted.",
        ),
        (
            ["quote", "bind-and-issue"],
            "make-draft",
            "Cannot take action 'make-draft': the job's status is 'Bound' but must be one of: Quoted.",
        ),
    ],
)
def test_actions_in_the_wrong_state_are_400(
    api: Api, job: str, steps: list[str], action: str, message: str
) -> None:
    for step in steps:
        assert api.post(f"{job}/{step}").status_code == 200
    response = api.post(f"{job}/{action}")
    assert response.status_code == 400
    assert response.json()["userMessage"] == message


def test_make_draft_and_withdraw(api: Api, job: str) -> None:
    api.post(f"{job}/quote")
    assert attributes(api.post(f"{job}/make-draft"))["jobStatus"]["code"] == "Draft"
    assert attributes(api.post(f"{job}/withdraw"))["jobStatus"]["code"] == "Withdrawn"


def test_patch_a_draft_job(
    api: Api, contractor: Contractor, wc_gl_product: Product
) -> None:
    job = api.post(
        "/job/v1/submissions", submission_attributes(contractor, wc_gl_product)
    ).json()["data"]
    url = job["links"]["self"]["href"]
    patched = api.patch(
        url,
        {"lines": [{"code": "workers-comp"}], "glState": None},
        checksum=job["checksum"],
    )
    assert attributes(patched)["lines"] == [
        {"code": "workers-comp", "name": "Workers' compensation"}
    ]
    assert "glState" not in attributes(patched)
    # The first checksum is stale now: the same PATCH is refused and changes nothing.
    stale = api.patch(url, {"autoRenew": False}, checksum=job["checksum"])
    assert stale.status_code == 409
    assert attributes(api.get(url))["autoRenew"] is True
    # Terms are validated as on creation; a quoted job is locked.
    bad = api.patch(url, {"lines": [], "expirationDate": "2030-01-01"})
    assert bad.status_code == 400
    assert bad.json()["userMessage"] == f"{NO_LINES} {TERM_BACKWARDS}"
    assert attributes(api.get(url))["lines"] == [
        {"code": "workers-comp", "name": "Workers' compensation"}
    ]
    api.post(f"{url}/quote")
    locked = api.patch(url, {"autoRenew": False})
    assert locked.status_code == 400
    assert (
        locked.json()["userMessage"]
        == "The job is quoted: its contents can be changed only while it is a draft."
    )


def bound_policy(api: Api, job: str) -> str:
    api.post(f"{job}/quote")
    return attributes(api.post(f"{job}/bind-and-issue"))["policy"]["uri"]


def test_policy_change_starts_from_the_policy_and_binds_back(
    api: Api, job: str
) -> None:
    api.post(
        f"{job}/locations",
        {
            "addressLine1": "1 Main St",
            "city": "Trenton",
            "state": {"code": "NJ"},
            "postalCode": "08601",
        },
    )
    policy = bound_policy(api, job)
    change = attributes(api.post(f"{policy}/change"))
    assert change["jobType"] == {"code": "PolicyChange", "name": "Policy change"}
    assert change["jobStatus"]["code"] == "Draft"
    change_url = f"/job/v1/jobs/{change['id']}"
    # The change starts from copies that keep their ids.
    assert [
        loc["attributes"]["id"]
        for loc in api.get(f"{change_url}/locations").json()["data"]
    ] == ["1"]
    api.post(
        f"{change_url}/locations",
        {
            "addressLine1": "2 Side St",
            "city": "Newark",
            "state": {"code": "NJ"},
            "postalCode": "07102",
        },
    )
    # The policy is unchanged until the change binds.
    assert api.get(f"{policy}/locations").json()["count"] == 1
    api.post(f"{change_url}/quote")
    api.post(f"{change_url}/bind-and-issue")
    cities = [
        loc["attributes"]["city"]
        for loc in api.get(f"{policy}/locations").json()["data"]
    ]
    assert cities == ["Trenton", "Newark"]
    jobs = api.get(f"{policy}/jobs").json()["data"]
    assert [j["attributes"]["jobType"]["code"] for j in jobs] == [
        "PolicyChange",
        "Submission",
    ]


def test_change_accepts_an_empty_envelope_and_refuses_extra_fields(
    api: Api, job: str
) -> None:
    policy = bound_policy(api, job)
    assert api.post(f"{policy}/change", {}).status_code == 200
    response = api.post(f"{policy}/change", {"jobEffectiveDate": "2031-06-01"})
    assert response.status_code == 400
    assert (
        response.json()["userMessage"]
        == "data.attributes.jobEffectiveDate - Extra inputs are not permitted"
    )
    response = api.post(f"{policy}/change", raw="{nope")
    assert response.status_code == 400


def test_renew_and_cancel(api: Api, job: str) -> None:
    policy = bound_policy(api, job)
    renewal = attributes(api.post(f"{policy}/renew"))
    assert renewal["jobType"]["code"] == "Renewal"
    assert renewal["periodStart"] == "2032-01-01T00:00:00.000Z"
    cancelled = attributes(
        api.post(f"{policy}/cancel", {"jobEffectiveDate": "2031-03-01"})
    )
    assert cancelled["status"]["code"] == "cancelled"
    assert cancelled["cancellationDate"] == "2031-03-01T00:00:00.000Z"
    again = api.post(f"{policy}/cancel")
    assert again.status_code == 400
    assert again.json()["userMessage"] == "Only an active policy can be cancelled."
    links = api.get(policy).json()["data"]["links"]
    assert "change" not in links and "cancel" not in links


def test_unknown_jobs_and_policies_are_404(api: Api, db: None) -> None:
    for url in (
        "/job/v1/jobs/pc:nothing",
        "/job/v1/jobs/pc:nothing/locations",
        "/policy/v1/policies/pl_nothing",
        "/policy/v1/policies/DCP-00-NOTHING/prior-policies",
    ):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json() == {
            "status": 404,
            "errorCode": "gw.api.rest.exceptions.NotFoundException",
            "userMessage": f"No resource was found at path {url}",
            "details": [],
        }
    assert api.post("/job/v1/jobs/pc:nothing/quote").status_code == 404
    assert api.post("/policy/v1/policies/pl_nothing/change").status_code == 404


def test_lists_filter_and_page(
    api: Api, contractor: Contractor, wc_gl_product: Product, job: str
) -> None:
    for _ in range(3):
        api.post(
            "/job/v1/submissions", submission_attributes(contractor, wc_gl_product)
        )
    api.post(f"{job}/quote")
    assert api.get("/job/v1/jobs").json()["count"] == 4
    quoted = api.get("/job/v1/jobs?filter=jobStatus:eq:Quoted").json()
    assert [j["links"]["self"]["href"] for j in quoted["data"]] == [job]
    page = api.get("/job/v1/jobs?filter=product:eq:contractor-wc-gl&pageSize=2").json()
    assert page["count"] == 2
    assert (
        page["links"]["next"]["href"]
        == "/job/v1/jobs?filter=product:eq:contractor-wc-gl&pageSize=2&pageOffset=2"
    )
    assert api.get(page["links"]["next"]["href"]).json()["count"] == 1
    assert (
        api.get("/job/v1/jobs?filter=jobType:in:Renewal,PolicyChange").json()["count"]
        == 0
    )
    assert api.get("/job/v1/jobs?includeTotal=true&pageSize=1").json()["total"] == 4
    bad = api.get("/job/v1/jobs?filter=jobStatus:eq:Sleeping")
    assert bad.status_code == 400
    assert (
        bad.json()["userMessage"]
        == "'Sleeping' is not a valid value for the field 'jobStatus'."
    )


def test_policies_list_filters(api: Api, job: str) -> None:
    policy_url = bound_policy(api, job)
    number = api.get(policy_url).json()["data"]["attributes"]["policyNumber"]
    assert (
        api.get(f"/policy/v1/policies?filter=policyNumber:eq:{number}").json()["count"]
        == 1
    )
    assert (
        api.get("/policy/v1/policies?filter=status:eq:cancelled").json()["count"] == 0
    )
    assert (
        api.get("/policy/v1/policies?filter=status:ne:cancelled").json()["count"] == 1
    )


def test_reference_data(
    api: Api, property_product: Product, producer_codes: list
) -> None:
    products = api.get("/job/v1/products").json()["data"]
    product = next(
        p for p in products if p["attributes"]["id"] == "commercial-property"
    )
    assert product["attributes"]["supportsCoinsurance"] is True
    assert product["attributes"]["sectionTypes"][0] == {
        "code": "PP",
        "name": "Property",
    }
    codes = api.get("/job/v1/producer-codes?filter=code:sw:QA1").json()["data"]
    assert (
        codes[0]["attributes"]["organization"]["displayName"]
        == "Enigma Fire & Casualty"
    )
    one = api.get(f"/job/v1/producer-codes/{producer_codes[0].public_id}").json()[
        "data"
    ]
    assert one["attributes"]["code"] == "QA1PRODUCERCODE01"
    assert api.get("/job/v1/products/commercial-property").status_code == 200
    assert api.get("/job/v1/products/none").status_code == 404


def test_a_retried_submission_creates_one_job(
    api: Api, contractor: Contractor, wc_gl_product: Product
) -> None:
    body = submission_attributes(contractor, wc_gl_product)
    first = api.post("/job/v1/submissions", body, **{"Idempotency-Key": "submit-1"})
    again = api.post("/job/v1/submissions", body, **{"Idempotency-Key": "submit-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert PolicyTransaction.objects.count() == 1

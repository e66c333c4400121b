"""/api/v1/invoices: premium due for a pay period at the policy's net rate; frozen once paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage.models import CategoryCode, Contractor, Invoice, WorkJob
from coverage.services import mark_invoice_paid
from coverage.services.invoices import (
    GROSS_PAY_OUT_OF_RANGE,
    INVOICE_PAID,
    MIN_PREMIUM_DUE,
    NO_POLICY_FOR_PERIOD,
    PAYCYCLE_END_BEFORE_START,
)
from policies.models import Policy
from tests.conftest import field_errors
from tests.coverage.helpers import ApiClient, bound_policy, event_types, unix
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

NOW = timezone.now()
PERIOD = {
    "paycycle_startdate": unix(NOW - timedelta(days=7)),
    "paycycle_enddate": unix(NOW),
}


@pytest.fixture
def policy(contractor: Contractor, category: CategoryCode, product) -> Policy:
    return bound_policy(contractor, category=category, starts=NOW - timedelta(days=30))


def invoice(api: ApiClient, contractor: Contractor, job: WorkJob, **body):
    return api.post(
        "/invoices",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "gross_pay": 250000,
            **PERIOD,
            **body,
        },
    )


def test_premium_due_is_gross_pay_at_the_policys_net_rate(
    api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy, platform
) -> None:
    job.custom_metadata = {"purchase_order_number": "PO-77"}
    job.save()
    response = invoice(api, contractor, job)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("in_")
    # $2,500 at WC 413 + GL 95 per $100: 10325¢ + 2375¢
    assert body["premium_due"] == 12700
    assert body["policy"] == policy.public_id
    assert body["purchase_order_number"] == "PO-77"
    assert (body["paycycle_startdate"], body["paycycle_enddate"]) == (
        PERIOD["paycycle_startdate"],
        PERIOD["paycycle_enddate"],
    )
    assert body["paid"] is False
    assert event_types(platform) == ["invoice.created"]


def test_purchase_order_number_explicit_or_none(
    api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
) -> None:
    job.custom_metadata = {"purchase_order_number": "PO-77"}
    job.save()
    assert (
        invoice(api, contractor, job, purchase_order_number="PO-1").json()[
            "purchase_order_number"
        ]
        == "PO-1"
    )
    assert (
        invoice(api, contractor, job, purchase_order_number="").json()[
            "purchase_order_number"
        ]
        is None
    )


def test_premium_due_has_a_minimum(
    api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
) -> None:
    assert invoice(api, contractor, job, gross_pay=100).json()["premium_due"] == (
        MIN_PREMIUM_DUE
    )


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"gross_pay": 99}, "invalid_input", {"gross_pay": GROSS_PAY_OUT_OF_RANGE}),
        (
            {"paycycle_enddate": PERIOD["paycycle_startdate"] - 1},
            "invalid_paycycle_enddate",
            PAYCYCLE_END_BEFORE_START,
        ),
        (
            {"paycycle_startdate": -5},
            "invalid_paycycle_startdate",
            {"paycycle_startdate": "Use a Unix timestamp in seconds."},
        ),
    ],
    ids=["gross-pay", "period-backwards", "start-invalid"],
)
def test_refusals(
    api: ApiClient,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
    body: dict,
    code: str,
    message: object,
) -> None:
    response = invoice(api, contractor, job, **body)
    assert response.status_code == 400
    body = response.json()
    if isinstance(message, dict):
        body = field_errors(body)
    assert body == {"message": message, "error_code": code}


def test_no_policy_for_the_period(
    api: ApiClient, contractor: Contractor, job: WorkJob
) -> None:
    response = invoice(api, contractor, job)
    assert response.json() == {
        "message": NO_POLICY_FOR_PERIOD,
        "error_code": "no_active_policy",
    }


def test_editable_until_paid(
    api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy, platform
) -> None:
    body = invoice(api, contractor, job, purchase_order_number="PO-1").json()
    changed = api.put(f"/invoices/{body['id']}", {"gross_pay": 100000}).json()
    assert changed["premium_due"] == 5080
    assert changed["purchase_order_number"] == "PO-1"
    cleared = api.put(f"/invoices/{body['id']}", {"purchase_order_number": ""}).json()
    assert cleared["purchase_order_number"] is None
    mark_invoice_paid(invoice=Invoice.objects.get(public_id=body["id"]), at=NOW)
    assert api.get(f"/invoices/{body['id']}").json()["paid"] is True
    for response in (
        api.put(f"/invoices/{body['id']}", {"gross_pay": 1000}),
        api.delete(f"/invoices/{body['id']}"),
    ):
        assert response.json() == {
            "message": INVOICE_PAID,
            "error_code": "invoice_already_paid",
        }
    assert event_types(platform) == ["invoice.created"] + ["invoice.updated"] * 3


def test_delete_and_list_by_contractor(
    api: ApiClient,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
    platform,
    category,
) -> None:
    colleague = make_contractor(platform, email="pat@example.com")
    bound_policy(colleague, category=category, starts=NOW - timedelta(days=30))
    mine = invoice(api, contractor, job).json()["id"]
    theirs = invoice(api, colleague, job).json()["id"]
    listed = api.get(f"/invoices?contractor={contractor.public_id}").json()
    assert [i["id"] for i in listed] == [mine]
    assert [i["id"] for i in api.get("/invoices").json()] == [theirs, mine]
    gone = api.delete(f"/invoices/{mine}").json()
    assert (gone["id"], gone["object"], gone["deleted"]) == (mine, "invoice", True)
    assert api.get(f"/invoices/{mine}").status_code == 404

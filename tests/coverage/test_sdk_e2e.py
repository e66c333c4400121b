"""The official ten99policy SDK (1.1.12), unmodified, against a live server.

A platform's whole dispatch integration: entity, contractor, job, quote, policy,
assignments (eligible and every ineligible message), duplicate quote and email,
cancel, extend, invoices, application sessions; errors arrive as the SDK's own
exception classes. States the API itself cannot produce (a job stripped of its
category, a category withdrawn from the platform) are set up as an admin would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import ten99policy
from django.utils import timezone
from ten99policy import error
from ten99policy.api_requestor import APIRequestor

from coverage.models import CategoryCode, WorkJob
from coverage.services import eligibility
from coverage.services.dates import next_day
from portal.models import Platform
from tests.coverage.helpers import GL, WC, approved_janitorial, unix
from tests.policies.helpers import contractor_product

NJ = {"line1": "1 Main St", "locality": "Newark", "region": "NJ", "postalcode": "07102"}
PA = {
    "line1": "9 Market St",
    "locality": "Philadelphia",
    "region": "PA",
    "postalcode": 19107,
}


@pytest.fixture
def sdk(
    live_server, platform_key: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setattr(ten99policy, "api_base", live_server.url)
    monkeypatch.setattr(ten99policy, "api_key", platform_key)
    monkeypatch.setattr(ten99policy, "log", None)
    monkeypatch.setattr(ten99policy, "default_http_client", None)
    yield
    # The SDK keeps its HTTP connection alive, and with it the server thread that
    # holds a database connection; close it so the test database can be dropped.
    if ten99policy.default_http_client is not None:
        ten99policy.default_http_client.close()


def post(path: str, **params: object) -> dict:
    """An endpoint the SDK has no method for (cancel, extend, expire), through its requestor."""
    response, _ = APIRequestor().request("post", f"/api/v1/{path}", params)
    return response.data


def contractor(email: str, address: dict) -> str:
    return ten99policy.Contractors.create(
        first_name="Terry",
        last_name="Tech",
        email=email,
        phone="415-474-9088",
        address=address,
    ).id


def job(
    entity: str, category: str, address: dict | None, name: str = "Cleaning"
) -> str:
    params: dict = {
        "name": name,
        "description": "Nightly janitorial service",
        "entity": entity,
        "category_code": category,
        "wage": 20000,
        "wage_type": "flatfee",
        "duration_hours": 20,
    }
    if address is not None:
        params["address"] = address
    return ten99policy.Jobs.create(**params).id


def opt_in(cn: str, jb: str, lines: list[str], **dates: int) -> str:
    quote = ten99policy.Quotes.create(
        contractor=cn, job=jb, coverage_type=lines, **dates
    )
    return ten99policy.Policies.create(quote_id=quote.id, is_active=True).id


def assign(cn: str, jb: str, **params: object):
    return ten99policy.Assignments.create(contractor=cn, job=jb, **params)


@pytest.mark.django_db(transaction=True)
def test_a_platforms_whole_dispatch_integration(sdk: None, platform: Platform) -> None:
    contractor_product()
    category = approved_janitorial(platform).public_id
    windows = CategoryCode.objects.create(name="Window cleaning")
    windows.approved_platforms.add(platform)

    # Parties ------------------------------------------------------------------
    listed = ten99policy.JobCategories.list()
    assert {c.category_code for c in listed} == {category, windows.public_id}
    en = ten99policy.Entities.create(
        name="Harbor Property Group",
        coverage_limit={
            "aggregate_limit": "200000000",
            "occurrence_limit": "100000000",
        },
        required_coverage=["general", "workers-comp"],
        address=NJ,
    ).id
    cn = contractor("terry@example.com", NJ)
    with pytest.raises(error.DuplicateEmailError):
        contractor("TERRY@example.com", NJ)
    assert [c.id for c in ten99policy.Contractors.list(email="terry@example.com")] == [
        cn
    ]
    jb = job(en, category, NJ)
    assert ten99policy.Jobs.retrieve(jb).wage == 20000
    with pytest.raises(error.InvalidContractorIdError):
        ten99policy.Contractors.retrieve("cn_nope")

    # Opt in once ---------------------------------------------------------------
    quote = ten99policy.Quotes.create(contractor=cn, job=jb, coverage_type=[WC, GL])
    assert (quote.net_rate, quote.wc_net_rate, quote.gl_net_rate) == (508, 413, 95)
    assert quote.rating["wc"]["class_code"] == "9410"
    pl = ten99policy.Policies.create(quote_id=quote.id, is_active=True)
    assert (pl.status, pl.quote) == ("active", quote.id)
    with pytest.raises(error.PolicyAlreadyExistsError):
        ten99policy.Policies.create(quote_id=quote.id)
    with pytest.raises(error.ContractorHasMatchingPolicyError) as duplicate:
        ten99policy.Quotes.create(contractor=cn, job=jb, coverage_type=[WC, GL])
    assert duplicate.value.message == "Contractor already has a matching policy on file"
    with pytest.raises(error.CantUpdateCreateNewQuoteError):
        ten99policy.Quotes.modify(quote.id, coverage_type=[GL])
    assert [p.id for p in ten99policy.ContractorPolicies.list(cn)] == [pl.id]
    with pytest.raises(error.EffectiveDateInvalidError):
        ten99policy.Quotes.create(
            contractor=cn,
            job=jb,
            coverage_type=[GL],
            effective_date=int(time.time()) - 99,
        )
    wa = job(en, category, {"region": "WA"}, name="Seattle")
    with pytest.raises(error.BadRequestError):
        ten99policy.Quotes.create(contractor=cn, job=wa, coverage_type=[WC])

    # Assignments: covered, idempotent, and every ineligible message ------------
    an = assign(cn, jb, idempotency_key="dispatch-1")
    assert an.eligible.to_dict() == {"result": True, "message": eligibility.ELIGIBLE}
    assert (an.policy, an.premium) == (pl.id, 1016)
    assert assign(cn, jb, idempotency_key="dispatch-1").id == an.id

    def message(cn: str, jb: str, **params: object) -> str:
        assignment = assign(cn, jb, **params)
        assert assignment.eligible.result is False
        assert assignment.premium == 0
        return assignment.eligible.message

    remote = job(en, category, None, name="Remote")
    assert message(cn, remote, coverage_type=[WC]) == eligibility.NO_ADDRESS
    pa_job = job(en, category, PA, name="Philadelphia")
    assert message(cn, pa_job) == eligibility.WORK_STATE_MISMATCH
    other_trade = job(en, windows.public_id, NJ, name="Windows")
    assert message(cn, other_trade) == eligibility.CATEGORY_MISMATCH
    assert message(contractor("pat@example.com", NJ), jb) == (
        eligibility.NO_ACTIVE_POLICY
    )
    mover = contractor("mo@example.com", NJ)
    opt_in(mover, jb, [WC, GL])
    ten99policy.Contractors.modify(mover, address=PA)
    assert message(mover, jb) == eligibility.RESIDENCE_STATE_MISMATCH
    assert message(mover, pa_job) == eligibility.NO_ACTIVE_POLICY_STATES
    gl_only = contractor("gil@example.com", NJ)
    opt_in(gl_only, jb, [GL])
    assert message(gl_only, jb, coverage_type=[WC]) == eligibility.NO_COVERAGE
    late = contractor("lee@example.com", NJ)
    opt_in(late, jb, [WC, GL], effective_date=unix(timezone.now() + timedelta(days=10)))
    assert message(late, jb) == eligibility.POLICY_AFTER_ASSIGNMENT
    stripped = job(en, category, NJ, name="Stripped")
    WorkJob.objects.filter(public_id=stripped).update(category_code=None)  # admin
    assert message(cn, stripped) == eligibility.NO_JOB_CATEGORY

    # Change, extend, cancel, delete -------------------------------------------
    changed = ten99policy.Assignments.modify(an.id, coverage_type=[GL])
    assert changed.premium == 190
    # Other techs were dispatched to this job since: name whose assignment it is.
    extended = post(
        "assignments/extend", job_id=jb, contractor=cn, end_date=an.end_date + 86400
    )
    assert extended["end_date"] == an.end_date + 86400
    with pytest.raises(error.EndDateInvalidError):
        post("assignments/extend", job_id=jb, contractor=cn, end_date=an.end_date)
    cancelled = post(
        "assignments/cancel", job_id=jb, contractor=cn, reason="client_request"
    )
    assert (cancelled["id"], cancelled["cancelled"], cancelled["premium"]) == (
        an.id,
        True,
        0,
    )
    second = assign(cn, jb)
    gone = ten99policy.Assignments.delete(second.id)
    assert (gone.id, gone.deleted) == (second.id, True)
    with pytest.raises(error.InvalidAssignmentIdError):
        ten99policy.Assignments.retrieve(second.id)

    # Invoices --------------------------------------------------------------------
    start = next_day(timezone.now())
    invoice = ten99policy.Invoices.create(
        contractor=cn,
        job=jb,
        gross_pay=250000,
        paycycle_startdate=unix(start),
        paycycle_enddate=unix(start + timedelta(days=14)),
    )
    assert (invoice.premium_due, invoice.policy) == (12700, pl.id)
    assert ten99policy.Invoices.modify(invoice.id, gross_pay=100000).premium_due == 5080
    assert [i.id for i in ten99policy.Invoices.list()] == [invoice.id]
    assert ten99policy.Invoices.delete(invoice.id).deleted is True
    with pytest.raises(error.InvalidPaycycleEnddateError):
        ten99policy.Invoices.create(
            contractor=cn,
            job=jb,
            gross_pay=250000,
            paycycle_startdate=unix(start),
            paycycle_enddate=unix(start) - 1,
        )

    # Application sessions ------------------------------------------------------
    newcomer = contractor("nia@example.com", NJ)
    offer = ten99policy.Quotes.create(
        contractor=newcomer, job=jb, coverage_type=[WC, GL]
    )
    session = ten99policy.InsuranceApplicationSessions.create(
        quote=offer.id,
        success_url="https://dispatch.example.com/ok",
        cancel_url="https://dispatch.example.com/later",
    )
    assert session.id.startswith("ias_") and session.url.startswith(
        ten99policy.api_base + "/apply/"
    )
    post(f"apply/sessions/{session.id}/expire")
    with pytest.raises(error.SessionExpiredError):
        post(f"apply/sessions/{session.id}/expire")
    with pytest.raises(error.InvalidQuoteIdError):
        ten99policy.InsuranceApplicationSessions.create(quote="qt_nope")

    # Switch coverage off, then delete it ----------------------------------------
    off = ten99policy.Policies.modify(pl.id, is_active=False)
    assert (off.status, off.is_active) == ("cancelled", False)
    assert ten99policy.Policies.modify(pl.id, is_active=True).is_active is True
    assert ten99policy.Policies.delete(pl.id).deleted is True
    assert ten99policy.Policies.retrieve(pl.id).status == "cancelled"
    assert ten99policy.Contractors.delete(cn).deleted is True

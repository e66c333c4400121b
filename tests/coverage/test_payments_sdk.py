"""Premium collection through the unmodified ten99policy SDK against a live server.

A card payer's dispatch as a platform integrates it: parties, quote and policy,
a payment session (the SDK has no resource for it: its own requestor, as for cancel),
the tech's card on the hosted page, the assignment held until the charge, the
charge, the events, an invoice that trues the premium up, and the session errors
as the SDK's own exception classes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import ten99policy
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from ten99policy import error
from ten99policy.api_requestor import APIRequestor

from coverage.models import BillingSettings, Charge, CollectionEntry
from coverage.payments import charging, rules, sandbox, sessions
from coverage.services import ledger
from coverage.services.dates import next_day
from coverage.services.eligibility import ELIGIBLE
from portal.models import Platform
from tests.coverage.helpers import GL, WC, approved_janitorial, unix
from tests.coverage.test_sdk_e2e import NJ, contractor, job, opt_in, post
from tests.policies.helpers import contractor_product

RETURN = "https://dispatch.example.com/card-done"


@pytest.fixture
def sdk(
    live_server, platform_key: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setattr(ten99policy, "api_base", live_server.url)
    monkeypatch.setattr(ten99policy, "api_key", platform_key)
    monkeypatch.setattr(ten99policy, "log", None)
    monkeypatch.setattr(ten99policy, "default_http_client", None)
    yield
    if ten99policy.default_http_client is not None:
        ten99policy.default_http_client.close()


def card_on_hosted_page(url: str, number: str) -> dict[str, list[str]]:
    """The tech opens the single-use link and saves a sandbox test card."""
    path = urlsplit(url).path
    client = Client(enforce_csrf_checks=True)
    assert client.get(path).status_code == 200
    token = client.cookies["csrftoken"].value
    saved = client.post(
        path + "card", {"csrfmiddlewaretoken": token, "card_number": number}
    )
    assert saved.status_code == 302, saved.content.decode()
    return parse_qs(urlsplit(saved["Location"]).query)


@pytest.mark.django_db(transaction=True)
def test_a_card_payers_dispatch_through_the_sdk(
    sdk: None, platform: Platform, other_platform_key: str
) -> None:
    contractor_product()
    category = approved_janitorial(platform).public_id
    BillingSettings.objects.create(platform=platform, contractors_pay_by_card=True)
    platform.hosted_flow_allowed_redirect_hosts = ["dispatch.example.com"]
    platform.save(update_fields=["hosted_flow_allowed_redirect_hosts"])

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
    jb = job(en, category, NJ)
    opt_in(cn, jb, [WC, GL])

    # The card, through a payment session.
    created = post("payment/sessions", contractor=cn, return_url=RETURN)
    assert created["status"] == "pending" and created["id"].startswith("hps_")
    assert created["url"].startswith(ten99policy.api_base + "/payment/setup/")
    back = card_on_hosted_page(created["url"], sandbox.SUCCEEDS)
    assert back == {"hps_id": [created["id"]], "status": ["completed"]}
    with pytest.raises(error.Ten99PolicyError) as not_pending:
        post(f"payment/sessions/{created['id']}/cancel")
    assert not_pending.value.http_status == 400
    assert sessions.SESSION_NOT_PENDING.format(
        status="completed", action="cancelled"
    ) in str(not_pending.value)
    # Another platform cannot use this contractor.
    with pytest.raises(error.Ten99PolicyError) as elsewhere:
        APIRequestor(key=other_platform_key).request(
            "post", "/api/v1/payment/sessions", {"contractor": cn, "return_url": RETURN}
        )
    assert elsewhere.value.http_status == 404

    # The dispatch: held until its premium is charged.
    starts = timezone.now() + timedelta(days=3)
    made = ten99policy.Assignments.create(
        contractor=cn, job=jb, effective_date=unix(starts)
    )
    assert made.eligible["message"] == rules.CHARGE_PENDING
    charge = Charge.objects.get()
    assert charge.status == Charge.Status.PENDING and charge.amount > 0
    assert ledger.total(platform=platform) == 0

    charging.run_due_charges(now=charge.due_at)
    covered = ten99policy.Assignments.retrieve(made.id)
    assert covered.eligible["message"] == ELIGIBLE
    types = [e.type for e in ten99policy.Events.list(limit=100)]
    assert "invoice.charge_card_succeeded" in types
    assert "assignment.active" in types

    # An invoice at actual pay: the true-up goes through the charge gate too.
    start = next_day(timezone.now())
    invoice = ten99policy.Invoices.create(
        contractor=cn,
        job=jb,
        gross_pay=500000,
        paycycle_startdate=unix(start),
        paycycle_enddate=unix(start + timedelta(days=14)),
    )
    assert invoice.premium_due > 0
    collected = CollectionEntry.objects.filter(platform=platform).aggregate(
        s=Sum("amount")
    )["s"]
    assert collected == ledger.total(platform=platform)

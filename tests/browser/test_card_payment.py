"""A card payer's hosted application on a phone-sized screen: a declined card says why,
a good one is saved, the tech opts in; the dispatch is covered once the charge runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from coverage.models import BillingSettings, CardOnFile, Charge
from coverage.payments import charging, rules, sandbox
from coverage.services import (
    create_application_session,
    create_assignment,
    create_quote,
)
from coverage.services.eligibility import ELIGIBLE
from portal.models import Platform
from tests.browser.conftest import screenshot
from tests.coverage.helpers import GL, WC, approved_janitorial, make_job
from tests.policies.helpers import contractor_product, make_contractor

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def application(transactional_db: None, live_server) -> dict:
    platform = Platform.objects.create(name="Card Pay Co")
    BillingSettings.objects.create(platform=platform)
    contractor_product()
    category = approved_janitorial(platform)
    contractor = make_contractor(platform, email="terry@example.com", state="NJ")
    job = make_job(platform, category=category)
    now = timezone.now()
    quote = create_quote(
        contractor=contractor,
        job=job,
        lines=[WC, GL],
        effective_at=None,
        end_at=None,
        now=now,
    )
    session = create_application_session(
        quote=quote,
        success_url="",
        cancel_url="",
        url_for=lambda token: f"{live_server.url}/apply/{token}/",
        now=now,
    )
    return {"url": session.url, "contractor": contractor, "job": job, "quote": quote}


def test_the_tech_adds_a_card_on_a_phone_and_a_declined_one_says_why(
    browser: Browser, application: dict, csp_violations: list[str]
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(application["url"])
        expect(page.get_by_test_id("apply-quote")).to_be_visible()
        card = page.get_by_test_id("apply-card")
        expect(card).to_be_visible()
        # Nothing overflows the phone's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.get_by_label("Card number").fill("4000 0000 0000 0002")
        page.get_by_role("button", name="Save card").click()
        expect(page.get_by_role("alert")).to_have_text(sandbox.CARD_DECLINED)
        expect(page.get_by_test_id("apply-card")).to_be_visible()
        screenshot(page, "card-declined-phone")
        assert not CardOnFile.objects.exists()

        page.get_by_label("Card number").fill("4242 4242 4242 4242")
        page.get_by_role("button", name="Save card").click()
        expect(page.get_by_test_id("apply-card-on-file")).to_contain_text(
            "Visa •••• 4242"
        )
        page.get_by_role("checkbox").check()
        page.get_by_role("button", name="Opt in").click()
        expect(page.get_by_test_id("apply-complete")).to_be_visible()
        screenshot(page, "card-opted-in-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
    assert csp_violations == []

    # The next dispatch waits for its charge, then is covered.
    assignment = create_assignment(
        contractor=application["contractor"],
        job=application["job"],
        lines=None,
        effective_at=application["quote"].effective_at + timedelta(hours=2),
        end_at=None,
        now=timezone.now(),
    )
    assert assignment.eligibility_message == rules.CHARGE_PENDING
    charge = Charge.objects.get()
    charging.run_charge(charge_id=charge.pk, now=charge.due_at)
    assignment.refresh_from_db()
    assert (assignment.eligible, assignment.eligibility_message) == (True, ELIGIBLE)

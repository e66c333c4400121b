"""Issue 12 in a real browser, at 1440 and 390 px: a dispatcher sends a crew and sees
which member is not covered (preview, ticket, board); a ticket's estimate turns into
the actual once the platform reports the actual pay through the API."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coverage.demo import DEMO_TIME_ZONE
from coverage.models import Assignment
from coverage.services.eligibility import ELIGIBLE
from portal.api_keys import issue_api_key
from portal.models import ApiKey, User
from tests.browser.conftest import pick, screenshot, sign_in
from tests.browser.test_gallery import TOO_WIDE

WIDTHS = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}
NEWARK_HVAC = "Harbor Property Group — HVAC tune-up, Newark office (Newark, NJ)"
DEMO_ZONE = ZoneInfo(DEMO_TIME_ZONE)


def tomorrow() -> date:
    # The demo dispatcher works in New Jersey: their tomorrow, in their zone (the
    # board's ?day= and the form's times are both the dispatcher's).
    return timezone.now().astimezone(DEMO_ZONE).date() + timedelta(days=1)


def fits(page: Page, width: int) -> None:
    """Nothing makes the page scroll sideways (the gallery's check, on these pages)."""
    assert page.evaluate(TOO_WIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_a_crew_with_one_member_not_covered(
    page: Page, live_server, demo: None, csp_violations: list[str], width: str
) -> None:
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/tickets/new/")
    pick(page, "Tech", "terry", "Terry Tech (NJ)")
    pick(page, "Customer", "harbor", "Harbor Property Group")
    pick(page, "Job", "hvac", NEWARK_HVAC)
    day = tomorrow().isoformat()
    # The labels name the dispatcher's zone ("Starts (EST)"): times are typed in it.
    # The afternoon: the demo already sends Terry to this job in the morning (12:30 UTC),
    # and an overlapping second dispatch on one job is refused.
    page.get_by_label(re.compile(r"^Starts \((EST|EDT)\)$")).fill(f"{day}T16:00")
    page.get_by_label(re.compile(r"^Ends \((EST|EDT)\)$")).fill(f"{day}T18:00")
    page.get_by_text("Send a crew: add more techs").click()
    # Priya never opted in: her part of the crew is not covered.
    pick(page, "Crew", "priya", "Priya Patel (NJ)")

    techs = page.get_by_test_id("preview-tech")
    expect(techs).to_have_count(2)
    expect(page.get_by_test_id("preview-tech-name")).to_have_text(
        ["Terry Tech", "Priya Patel"]
    )
    expect(page.get_by_test_id("preview-verdict")).to_have_text(
        ["Covered", "Not covered"]
    )
    expect(techs.first.get_by_test_id("preview-message")).to_have_text(ELIGIBLE)
    expect(page.get_by_test_id("crew-summary")).to_contain_text("Crew of 2")
    fits(page, WIDTHS[width]["width"])
    screenshot(page, f"crew-preview-{width}")

    page.get_by_test_id("dispatch").click()
    expect(page.locator(".messages")).to_have_text(
        "Crew of 2 dispatched to HVAC tune-up, Newark office: 1 covered, 1 not covered."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Terry Tech at Harbor Property Group"
    )
    members = page.get_by_test_id("crew-member")
    expect(members).to_have_count(2)
    expect(members.nth(0)).to_have_attribute("data-status", "covered")
    expect(members.nth(1)).to_have_attribute("data-status", "not_covered")
    expect(members.nth(1)).to_contain_text("Priya Patel")
    fits(page, WIDTHS[width]["width"])
    screenshot(page, f"crew-ticket-{width}")

    # The board shows the crew under one ticket, each member with their coverage.
    page.goto(f"{live_server.url}/board/?day={day}")
    crew_row = page.get_by_test_id("crew-row")
    expect(crew_row).to_have_count(1)
    expect(crew_row).to_contain_text("Crew of 2")
    expect(crew_row.get_by_test_id("crew-covered")).to_have_text("1 of 2 covered")
    crew_members = page.locator("tr.crew-member")
    expect(crew_members).to_have_count(2)
    expect(crew_members.nth(1)).to_have_attribute("data-status", "not_covered")
    expect(crew_members.nth(1)).to_contain_text("Priya Patel")
    expect(crew_members.nth(1).get_by_test_id("ticket-reason")).to_be_visible()
    fits(page, WIDTHS[width]["width"])
    screenshot(page, f"crew-board-{width}")
    assert csp_violations == []


def _put(base_url: str, key: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{base_url}/api/v1{path}",
        data=json.dumps(body).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_the_estimate_turns_into_the_actual(
    page: Page, live_server, demo: None, csp_violations: list[str], width: str
) -> None:
    platform = User.objects.get(username="dispatcher").platform
    _, key = issue_api_key(kind=ApiKey.Kind.PLATFORM, name="crew", platform=platform)
    covered = (
        Assignment.objects.covered()
        .filter(platform=platform, contractor__email="terry.tech@demo.example")
        .order_by("effective_at")
        .first()
    )
    assert covered is not None and covered.actual_pay is None
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/tickets/{covered.public_id}/")
    expect(page.get_by_test_id("pay-estimate")).to_have_text(
        f"${covered.pay / 100:,.2f}"
    )
    expect(page.get_by_test_id("pay-actual")).to_contain_text("not reported yet")
    expect(page.get_by_test_id("premium-estimate")).to_have_count(0)
    estimate = page.get_by_test_id("ticket-premium").inner_text()

    # The platform reports what the work really paid: $50 more than the estimate.
    body = _put(
        live_server.url,
        key,
        f"/assignments/{covered.public_id}",
        {"actual_pay": covered.pay + 5000},
    )
    assert (
        body["actual_pay"] == covered.pay + 5000 and body["premium"] > covered.premium
    )

    page.reload()
    expect(page.get_by_test_id("pay-actual")).to_have_text(
        f"${(covered.pay + 5000) / 100:,.2f}"
    )
    expect(page.get_by_test_id("premium-estimate")).to_have_text(estimate)
    expect(page.get_by_test_id("ticket-premium")).to_have_text(
        f"${body['premium'] / 100:,.2f}"
    )
    expect(page.get_by_test_id("pay-difference")).to_contain_text("$50.00 of pay; ")
    expect(page.get_by_test_id("pay-difference")).to_contain_text(
        f"${(body['premium'] - covered.premium) / 100:,.2f} of premium (audit to actuals)"
    )
    fits(page, WIDTHS[width]["width"])
    screenshot(page, f"ticket-actuals-{width}")
    assert csp_violations == []

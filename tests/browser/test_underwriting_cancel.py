"""An underwriter cancels a policy from a later date, reinstates it, and edits a draft's
location, in a real browser (chromium through Playwright), on a desktop and a phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from policies.models import Policy, PolicyLocation, PolicyStatus
from portal.models import Platform, Role
from tests.browser.conftest import screenshot, second_factor
from tests.conftest import PASSWORD, make_user
from tests.policies.builders import bound_policy, draft_submission

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def platform(transactional_db: None) -> Platform:
    return Platform.objects.create(name="Acme Field Services")


@pytest.fixture
def signed_in(page: Page, live_server, platform: Platform) -> Page:
    make_user("uma", Role.UNDERWRITER)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("uma")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Underwriters sign in with a second factor (TOTP): set it up, as a person would.
    second_factor(page, live_server.url, "uma")
    expect(page.get_by_test_id("current-user")).to_be_visible()
    return page


def fits(page: Page, width: int) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_cancel_from_a_date_then_reinstate(
    signed_in: Page,
    live_server,
    platform: Platform,
    viewport: dict[str, int],
    csp_violations: list[str],
) -> None:
    page = signed_in
    page.set_viewport_size(viewport)
    policy = bound_policy(platform)
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    page.goto(f"{live_server.url}/underwriting/policies/{policy.public_id}/")
    expect(page.get_by_test_id("policy-status")).to_have_text("Active")
    page.get_by_text("Cancel policy", exact=True).first.click()
    page.get_by_label("Cancel from").fill(day.isoformat())
    fits(page, viewport["width"])
    page.get_by_role("button", name="Cancel policy").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"cancelled from {day:%b} {day.day}, {day:%Y}"
    )
    expect(page.get_by_test_id("policy-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("cancelled-from")).to_contain_text(f"{day:%b} {day.day}")
    screenshot(page, f"policy-cancelled-{viewport['width']}")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.CANCELLED

    page.get_by_role("button", name="Reinstate").click()
    expect(page.get_by_role("status")).to_contain_text("reinstated")
    expect(page.get_by_test_id("policy-status")).to_have_text("Active")
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.ACTIVE
    fits(page, viewport["width"])
    assert csp_violations == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_edit_a_drafts_location(
    signed_in: Page,
    live_server,
    platform: Platform,
    viewport: dict[str, int],
    csp_violations: list[str],
) -> None:
    page = signed_in
    page.set_viewport_size(viewport)
    txn = draft_submission(platform)
    page.goto(f"{live_server.url}/underwriting/transactions/{txn.public_id}/")
    page.get_by_text("Edit location 1", exact=True).click()
    form = page.get_by_test_id("location-edit-1")
    form.get_by_label("Address", exact=True).fill("3 Harbor Way")
    fits(page, viewport["width"])
    form.get_by_role("button", name="Save location").click()
    expect(page.get_by_test_id("location-1")).to_contain_text("3 Harbor Way, Newark")
    assert PolicyLocation.objects.get(transaction=txn, number=1).address_line1 == (
        "3 Harbor Way"
    )
    # A refusal comes back inline on the row, in the service's words.
    page.get_by_text("Edit location 1", exact=True).click()
    form = page.get_by_test_id("location-edit-1")
    form.get_by_label("City").fill("")
    form.get_by_role("button", name="Save location").click()
    expect(page.get_by_test_id("location-edit-1")).to_contain_text("The city")
    screenshot(page, f"location-edit-refused-{viewport['width']}")
    assert csp_violations == []

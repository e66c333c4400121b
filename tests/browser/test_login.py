"""Each demo user signs in through the real login page and lands on their home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal.demo import DEMO_PLATFORM
from tests.browser.conftest import screenshot, sign_in


@pytest.mark.parametrize(
    ("username", "home", "heading", "testid"),
    [
        # A dispatcher's home is the ticket board, which names their platform.
        ("dispatcher", "/board/", "Ticket board", "dispatcher-home"),
        ("underwriter", "/", "Underwriting", "underwriter-home"),
        ("support", "/", "Support", "support-home"),
    ],
)
def test_demo_user_signs_in_and_sees_home(
    page: Page,
    live_server,
    demo: None,
    csp_violations: list[str],
    username: str,
    home: str,
    heading: str,
    testid: str,
) -> None:
    sign_in(page, live_server.url, username)
    expect(page).to_have_url(f"{live_server.url}{home}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_test_id(testid)).to_be_visible()
    if username == "dispatcher":
        expect(page.get_by_test_id(testid)).to_contain_text(DEMO_PLATFORM)
    expect(page.get_by_test_id("current-user")).to_contain_text(username.capitalize())
    screenshot(page, f"home-{username}")
    # htmx loaded from our own static files, and nothing tripped the CSP.
    assert page.evaluate("typeof window.htmx") == "object"
    assert csp_violations == []


def test_wrong_password_stays_on_login_with_a_message(
    page: Page, live_server, demo: None
) -> None:
    sign_in(page, live_server.url, "dispatcher", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username and password"
    )


def test_sign_out(page: Page, live_server, demo: None) -> None:
    sign_in(page, live_server.url, "support")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/login/")

"""An underwriter's first sign-in on a phone and on a desktop: the password, then the
authenticator set up from the page (QR code and typed key), then in; a wrong code says
so; the next sign-in asks only for the code."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal import two_factor
from portal.models import Role
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, make_user
from tests.totp_helpers import Authenticator

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def password(page: Page, url: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill("uma")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1440"])
def test_first_sign_in_sets_up_the_authenticator(
    page: Page, live_server, transactional_db: None, viewport: dict, csp_violations
) -> None:
    page.set_viewport_size(viewport)
    make_user("uma", Role.UNDERWRITER)
    password(page, live_server.url)
    expect(page).to_have_url(f"{live_server.url}/account/two-factor/?next=%2F")
    setup = page.get_by_test_id("two-factor-setup")
    expect(setup).to_contain_text("Your role sees every platform's data")
    qr = page.get_by_test_id("totp-qr")
    expect(qr).to_be_visible()
    # The QR code fits the screen.
    box = qr.bounding_box()
    assert (
        box is not None
        and box["x"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
    )
    app = Authenticator(page.get_by_test_id("totp-secret").inner_text())
    screenshot(page, f"two-factor-setup-{viewport['width']}")

    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text(two_factor.WRONG_CODE)
    page.wait_for_timeout(1100)  # django-otp's throttle after a wrong code
    page.get_by_label("Code from the app").fill(app.code())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Underwriting")

    page.get_by_role("button", name="Sign out").click()
    password(page, live_server.url)
    expect(page).to_have_url(f"{live_server.url}/account/two-factor/verify/?next=%2F")
    page.get_by_label("Code from the app").fill(app.code())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Underwriting")
    assert csp_violations == []

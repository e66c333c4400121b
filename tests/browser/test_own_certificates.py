"""A dispatcher uploads a tech's own certificate from a phone-width tech page and reads
why it was flagged; an underwriter opens the queue, approves it with a reason, and the
dispatcher sees it approved (chromium through Playwright)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from coverage.models import Contractor, UploadedCertificate
from coverage.uploads.judging import INSURED_MISMATCH
from portal.models import Platform, Role
from tests.browser.conftest import screenshot, second_factor
from tests.conftest import PASSWORD, make_user
from tests.coverage.uploads import corpus
from tests.coverage.uploads.conftest import HARBOR_REQUIREMENT

PHONE = {"width": 390, "height": 844}
DBA = "Terry Tech Cleaning Services"


@pytest.fixture
def platform(transactional_db: None) -> Platform:
    return Platform.objects.create(
        name="Acme Field Services", default_insurance_requirement=HARBOR_REQUIREMENT
    )


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    second_factor(page, url, username)
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_upload_flagged_then_approved_by_an_underwriter(
    browser: Browser, live_server: Any, platform: Platform, tmp_path: Any
) -> None:
    make_user("dana", Role.DISPATCHER, platform)
    make_user("uma", Role.UNDERWRITER)
    tech = Contractor.objects.create(
        platform=platform, first_name="Terry", last_name="Tech", email="t@example.com"
    )
    pdf = tmp_path / "terry-coi.pdf"
    pdf.write_bytes(corpus.flattened(timezone.now().date(), insured=DBA))

    phone = browser.new_context(viewport=PHONE)
    dispatcher = phone.new_page()
    sign_in(dispatcher, live_server.url, "dana")
    dispatcher.goto(f"{live_server.url}/techs/{tech.public_id}/")
    dispatcher.get_by_role("link", name="Own certificates").click()
    dispatcher.get_by_label("Certificate (PDF, at most 15 MB)").set_input_files(
        str(pdf)
    )
    dispatcher.get_by_role("button", name="Upload").click()

    reviews = dispatcher.get_by_test_id("own-certificates")
    expect(reviews).to_contain_text("Flagged")
    expect(reviews).to_contain_text(
        INSURED_MISMATCH.format(found=DBA, expected="Terry Tech")
    )
    # Nothing wider than the phone.
    width = dispatcher.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    screenshot(dispatcher, "own-certificate-flagged-390")

    desk = browser.new_context().new_page()
    sign_in(desk, live_server.url, "uma")
    desk.goto(f"{live_server.url}/underwriting/certificates/")
    certificate = UploadedCertificate.objects.get()
    desk.get_by_role("link", name=certificate.public_id).click()
    expect(desk.get_by_test_id("findings")).to_contain_text(DBA)
    desk.get_by_label("Approve").check()
    desk.get_by_label("Reason").fill("Terry trades under this name (sole proprietor).")
    desk.get_by_role("button", name="Record the decision").click()
    expect(desk.get_by_test_id("status")).to_have_text("Approved")
    screenshot(desk, "own-certificate-approved")

    dispatcher.reload()
    expect(dispatcher.get_by_test_id("own-certificates")).to_contain_text("Approved")
    phone.close()

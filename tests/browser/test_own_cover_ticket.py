"""Outside certificates count (issue 18): a dispatcher uploads a tech's own GL certificate
from the tech page and sees it flagged with the reason; an underwriter approves it; the
ticket, refused for want of GL, turns covered by our WC and the tech's own GL (chromium
through Playwright, at desktop and phone width)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from coverage.models import Contractor, Entity, UploadedCertificate
from coverage.services import create_assignment
from coverage.uploads.judging import INSURED_MISMATCH
from portal.models import Platform, Role
from tests.browser.conftest import pick, screenshot, second_factor
from tests.conftest import PASSWORD, make_user
from tests.coverage.helpers import WC, approved_janitorial, bound_policy, make_job
from tests.coverage.uploads import corpus
from tests.policies.helpers import contractor_product

DBA = "Terry Tech Cleaning Services"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The underwriter's sign-in asks for the second factor (TOTP); a dispatcher's does not.
    second_factor(page, url, username)
    expect(page.get_by_test_id("current-user")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "390px"])
def test_an_approved_own_gl_turns_the_ticket_covered(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    tmp_path: Any,
    viewport: dict[str, int],
) -> None:
    platform = Platform.objects.create(name="Acme Field Services")
    make_user("dana", Role.DISPATCHER, platform)
    make_user("uma", Role.UNDERWRITER)
    contractor_product()
    category = approved_janitorial(platform)
    harbor = Entity.objects.create(
        platform=platform,
        name=corpus.OWNER,
        address_region="NJ",
        required_coverage=["general", WC],
    )
    tech = Contractor.objects.create(
        platform=platform,
        first_name="Terry",
        last_name="Tech",
        email="t@example.com",
        address_region="NJ",
    )
    bound_policy(tech, category=category, lines=[WC], days=400)
    job = make_job(platform, category=category, entity=harbor, name="Lobby deep clean")
    ticket = create_assignment(
        contractor=tech,
        job=job,
        lines=None,
        effective_at=None,
        end_at=None,
        now=timezone.now(),
    )
    assert not ticket.eligible
    pdf = tmp_path / "terry-gl.pdf"
    pdf.write_bytes(
        corpus.acord_form(
            corpus.acord_values(timezone.now().date(), insured=DBA, with_wc=False)
        )
    )

    context = browser.new_context(viewport=viewport)
    dispatcher = context.new_page()
    sign_in(dispatcher, live_server.url, "dana")
    dispatcher.goto(f"{live_server.url}/tickets/{ticket.public_id}/")
    expect(dispatcher.get_by_test_id("ticket-status")).to_have_text("Not covered")
    dispatcher.goto(f"{live_server.url}/techs/{tech.public_id}/certificates/")
    dispatcher.get_by_label("Certificate (PDF, at most 15 MB)").set_input_files(
        str(pdf)
    )
    pick(dispatcher, "Judge against", "harbor", corpus.OWNER)
    dispatcher.get_by_role("button", name="Upload").click()
    reviews = dispatcher.get_by_test_id("own-certificates")
    expect(reviews).to_contain_text("Flagged")
    expect(reviews).to_contain_text(
        INSURED_MISMATCH.format(found=DBA, expected="Terry Tech")
    )
    assert dispatcher.evaluate("document.documentElement.scrollWidth") <= max(
        viewport["width"], PHONE["width"]
    )
    screenshot(dispatcher, f"own-gl-flagged-{viewport['width']}")

    desk = browser.new_context().new_page()
    sign_in(desk, live_server.url, "uma")
    desk.goto(f"{live_server.url}/underwriting/certificates/")
    certificate = UploadedCertificate.objects.get()
    desk.get_by_role("link", name=certificate.public_id).click()
    desk.get_by_label("Approve").check()
    desk.get_by_label("Reason").fill("Terry trades under this name (sole proprietor).")
    desk.get_by_role("button", name="Record the decision").click()
    expect(desk.get_by_test_id("status")).to_have_text("Approved")

    dispatcher.goto(f"{live_server.url}/tickets/{ticket.public_id}/")
    expect(dispatcher.get_by_test_id("ticket-status")).to_have_text("Covered")
    expect(dispatcher.get_by_test_id("own-cover")).to_contain_text(
        certificate.public_id
    )
    expect(dispatcher.get_by_text("own GL (approved)").first).to_be_visible()
    assert dispatcher.evaluate("document.documentElement.scrollWidth") <= max(
        viewport["width"], PHONE["width"]
    )
    screenshot(dispatcher, f"own-gl-ticket-covered-{viewport['width']}")
    context.close()

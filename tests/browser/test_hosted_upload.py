"""The tech's hosted upload link on a phone (390 px): the dispatcher makes the link on the
tech page, the tech opens it without signing in and uploads their certificate, and the
dispatcher sees the review (chromium through Playwright)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, expect

from coverage.models import Contractor, Entity
from portal.models import Platform, Role
from tests.browser.conftest import pick, screenshot
from tests.browser.test_own_cover_ticket import PHONE, sign_in
from tests.conftest import make_user
from tests.coverage.uploads import corpus


def test_the_tech_uploads_from_the_link_on_a_phone(
    browser: Browser, live_server: Any, transactional_db: None, tmp_path: Any
) -> None:
    platform = Platform.objects.create(name="Acme Field Services")
    make_user("dana", Role.DISPATCHER, platform)
    Entity.objects.create(
        platform=platform, name=corpus.OWNER, required_coverage=["general"]
    )
    tech = Contractor.objects.create(
        platform=platform, first_name="Terry", last_name="Tech", email="t@example.com"
    )
    pdf = tmp_path / "my-coi.pdf"
    pdf.write_bytes(corpus.acord_form(corpus.acord_values(timezone.now().date())))

    desk = browser.new_context().new_page()
    sign_in(desk, live_server.url, "dana")
    desk.goto(f"{live_server.url}/techs/{tech.public_id}/certificates/")
    pick(desk, "The link judges against", "harb", corpus.OWNER)
    desk.get_by_role("button", name="Make a link").click()
    link = desk.get_by_test_id("upload-link").input_value()
    assert "/upload/" in link

    phone = browser.new_context(viewport=PHONE)
    tech_page = phone.new_page()
    tech_page.goto(link)
    expect(tech_page.get_by_role("heading", level=1)).to_have_text(
        "Your certificate of insurance"
    )
    expect(tech_page.get_by_text(f"judged against {corpus.OWNER}")).to_be_visible()
    tech_page.get_by_label("Certificate (PDF)").set_input_files(str(pdf))
    tech_page.get_by_role("button", name="Send").click()
    expect(tech_page.get_by_test_id("received")).to_be_visible()
    assert tech_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(tech_page, "hosted-upload-received-390")
    phone.close()

    desk.reload()
    reviews = desk.get_by_test_id("own-certificates")
    expect(reviews).to_contain_text("Approved")
    expect(reviews).to_contain_text(f"judged against {corpus.OWNER}")

"""A dispatcher's day in a real browser: the board, a new ticket with its live preview,
dispatching, the certificate, cancelling, and an opt-in link the tech completes in a
second browser while the board turns the ticket covered by itself."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from coverage.demo import DEMO_TIME_ZONE
from coverage.services.eligibility import (
    ELIGIBLE,
    NO_ACTIVE_POLICY,
    WORK_STATE_MISMATCH,
)
from coverage.views import board as board_views
from tests.browser.conftest import pick, screenshot, sign_in

TERRY = "Terry Tech (NJ)"
PRIYA = "Priya Patel (NJ)"
HARBOR = "Harbor Property Group"
HVAC = "HVAC service and repair"
DEMO_ZONE = ZoneInfo(DEMO_TIME_ZONE)
NEWARK_CLEANING = "Harbor Property Group — Nightly cleaning, Newark lobby (Newark, NJ)"


@pytest.fixture
def fast_board(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    # The board polls every 10 s; a test need not wait that long.
    monkeypatch.setattr(board_views, "POLL_SECONDS", 1)


@pytest.fixture
def portal_url(live_server, settings) -> str:
    # Certificates print (and link) their verification page on the portal's address.
    settings.PORTAL_BASE_URL = live_server.url
    return live_server.url


def tomorrow() -> date:
    # The demo dispatcher works in New Jersey: their tomorrow, in their zone.
    return timezone.now().astimezone(DEMO_ZONE).date() + timedelta(days=1)


def fill_window(page: Page, day: date, start: int, end: int) -> None:
    # The labels name the dispatcher's zone ("Starts (EST)"): times are typed in it.
    page.get_by_label(re.compile(r"^Starts \((EST|EDT)\)$")).fill(
        f"{day.isoformat()}T{start:02}:00"
    )
    page.get_by_label(re.compile(r"^Ends \((EST|EDT)\)$")).fill(
        f"{day.isoformat()}T{end:02}:00"
    )


def preview_says(page: Page, verdict: str, message: str, premium: str) -> None:
    expect(page.get_by_test_id("preview-verdict")).to_have_text(verdict)
    expect(page.get_by_test_id("preview-message")).to_have_text(message)
    expect(page.get_by_test_id("preview-premium")).to_have_text(premium)


def test_create_watch_the_preview_dispatch_open_the_certificate_and_cancel(
    page: Page, portal_url: str, demo: None, csp_violations: list[str]
) -> None:
    sign_in(page, portal_url, "dispatcher")
    expect(page).to_have_url(f"{portal_url}/board/")
    expect(page.get_by_test_id("ticket-row").first).to_be_visible()
    screenshot(page, "board")

    page.get_by_test_id("new-ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket")
    pick(page, "Tech", "terr", TERRY)
    pick(page, "Customer", "harb", HARBOR)
    page.get_by_label("Trade").select_option(label=HVAC)
    page.get_by_label("Site street address").fill("10 Park Place")
    page.get_by_label("City").fill("Newark")
    page.get_by_label("State").select_option("NJ")
    page.get_by_label("Wage ($)").fill("250")
    fill_window(page, tomorrow(), 14, 16)
    # $250 in New Jersey: WC 5537 at $4.19 and GL 95647 at $1.10 per $100.
    preview_says(page, "Covered", ELIGIBLE, "$13.23")
    expect(page.get_by_test_id("preview-class")).to_have_text(["95647", "5537"])
    screenshot(page, "new-ticket")

    # Seed 001: the same tech and trade across the river routes WC to PA's class,
    # and the NJ opt-in does not cover it.
    page.get_by_label("State").select_option("PA")
    preview_says(page, "Not covered", WORK_STATE_MISMATCH, "$0.00")
    expect(page.get_by_test_id("preview-class")).to_have_text(["95647", "659"])
    page.get_by_label("State").select_option("NJ")
    page.get_by_label("Wage ($)").fill("300")
    preview_says(page, "Covered", ELIGIBLE, "$15.87")

    page.get_by_test_id("dispatch").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Covered")
    expect(page.get_by_test_id("ticket-premium")).to_have_text("$15.87")
    ticket_id = re.search(r"/tickets/(an_\w+)/", page.url).group(1)
    # 14:00–16:00 as typed, in the dispatcher's zone, labelled.
    expect(page.get_by_test_id("job-window")).to_have_text(
        re.compile(r", 14:00–16:00 E[SD]T$")
    )
    screenshot(page, "ticket")

    # It is on the board of its day.
    page.get_by_test_id("back-to-board").click()
    row = page.locator(f'[data-ticket="{ticket_id}"]')
    expect(row).to_have_attribute("data-status", "covered")
    expect(row.get_by_test_id("ticket-premium")).to_have_text("$15.87")

    # Its certificate: the PDF behind the board's link, and the verification page.
    pdf_link = row.get_by_test_id("certificate-link").first
    pdf = page.request.get(f"{portal_url}{pdf_link.get_attribute('href')}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    row.locator(f"#open-{ticket_id}").click()
    page.get_by_test_id("certificate-verify").first.click()
    expect(page.get_by_test_id("certificate-standing")).to_have_attribute(
        "data-standing", "scheduled"
    )
    expect(page.get_by_test_id("certificate-insured")).to_have_text("Terry Tech")
    page.go_back()

    # Cancel it (it starts tomorrow): the premium is reversed, the certificate revoked.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Reason (optional)").fill("customer rescheduled")
    page.get_by_test_id("cancel-ticket").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("notice")).to_contain_text("cancelled")
    expect(page.get_by_test_id("ticket-premium")).to_have_text("$0.00")
    expect(
        page.locator('[data-testid="ledger-line"][data-kind="reversal"]')
    ).to_have_count(2)
    expect(page.get_by_test_id("certificate-row").first).to_have_attribute(
        "data-standing", "revoked"
    )
    assert csp_violations == []


def test_send_an_opt_in_link_and_watch_the_ticket_turn_covered(
    page: Page,
    browser: Browser,
    portal_url: str,
    demo: None,
    fast_board: None,
    csp_violations: list[str],
) -> None:
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=portal_url
    )
    sign_in(page, portal_url, "dispatcher")
    page.goto(f"{portal_url}/tickets/new/")
    pick(page, "Tech", "priya", PRIYA)
    pick(page, "Customer", "harb", HARBOR)
    pick(page, "Job", "nightly", NEWARK_CLEANING)
    fill_window(page, tomorrow(), 10, 13)
    preview_says(page, "Not covered", NO_ACTIVE_POLICY, "$0.00")
    page.get_by_test_id("dispatch").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Not covered")
    ticket_id = re.search(r"/tickets/(an_\w+)/", page.url).group(1)

    page.get_by_test_id("send-opt-in").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Opt-in pending")
    link = page.get_by_test_id("opt-in-link").input_value()
    assert re.fullmatch(rf"{re.escape(portal_url)}/apply/[\w-]+/", link)
    expect(page.get_by_test_id("opt-in-qr")).to_be_visible()
    page.get_by_test_id("copy-link").click()
    expect(page.get_by_test_id("copy-link")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
    screenshot(page, "opt-in-link")

    # The board for the ticket's day, left open while the tech opts in.
    page.goto(f"{portal_url}/board/?day={tomorrow().isoformat()}")
    row = page.locator(f'[data-ticket="{ticket_id}"]')
    expect(row).to_have_attribute("data-status", "pending")

    tech = browser.new_context()
    try:
        hosted = tech.new_page()
        hosted.goto(link)
        expect(hosted.get_by_test_id("apply-quote")).to_be_visible()
        hosted.get_by_role("checkbox").check()
        hosted.get_by_role("button", name="Opt in").click()
        expect(hosted.get_by_test_id("apply-complete")).to_be_visible()
    finally:
        tech.close()

    # No reload: the board's poll brings the change, highlighted.
    expect(row).to_have_attribute("data-status", "covered", timeout=10_000)
    expect(row).to_have_class(re.compile(r"\bis-changed\b"))
    expect(row.get_by_test_id("certificate-link")).to_have_count(2)
    assert csp_violations == []


def test_the_board_reads_without_javascript(
    browser: Browser, portal_url: str, demo: None
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, portal_url, "dispatcher")
        expect(page.get_by_test_id("ticket-row").first).to_be_visible()
        # The filters are a plain form; its button submits it.
        page.get_by_label("Coverage").select_option("covered")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(r"status=covered"))
        rows = page.get_by_test_id("ticket-row")
        statuses = {
            rows.nth(i).get_attribute("data-status") for i in range(rows.count())
        }
        assert statuses == {"covered"}
        rows.first.locator("td.when a").click()
        expect(page.get_by_test_id("ticket-status")).to_have_text("Covered")
    finally:
        context.close()


def test_the_board_is_keyboard_usable(page: Page, portal_url: str, demo: None) -> None:
    sign_in(page, portal_url, "dispatcher")
    expect(page.get_by_test_id("ticket-row").first).to_be_visible()
    search = page.get_by_label("Search")
    # Tab through the filter bar to the search field, type, and the table follows.
    # About 22 stops from the top: skip link, the nav and account links (Two-factor
    # among them), New ticket, the day picker's arrows and fields, the four filters.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_q":
            break
    expect(search).to_be_focused()
    page.keyboard.type("Nia")
    expect(page).to_have_url(re.compile(r"q=Nia"))
    rows = page.get_by_test_id("ticket-row")
    expect(rows.first).to_contain_text("Nia Okafor")
    names = {rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())}
    assert names == {"Nia Okafor"}
    # Enter on a ticket's link opens it.
    rows.first.locator("td.when a").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket")).to_be_visible()


def test_a_swap_after_the_session_ended_goes_to_sign_in(
    page: Page, portal_url: str, demo: None
) -> None:
    sign_in(page, portal_url, "dispatcher")
    expect(page.get_by_test_id("ticket-row").first).to_be_visible()
    page.context.clear_cookies()
    page.get_by_label("Coverage").select_option("covered")
    # Not the sign-in form swapped into the table: the sign-in page itself.
    expect(page).to_have_url(re.compile(r"/login/\?next=%2Fboard%2F"))
    expect(page.get_by_label("Username")).to_be_visible()

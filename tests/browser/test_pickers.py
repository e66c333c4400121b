"""The new ticket's pickers in a real browser, at 1440 and 390 px: type, ArrowDown,
Enter, Escape; a crew chip added and taken off; axe with a list open; dispatched."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coverage.models import Assignment
from tests.browser.conftest import pick, screenshot, sign_in
from tests.browser.test_crew_and_actuals import DEMO_ZONE, NEWARK_HVAC, WIDTHS, fits
from tests.browser.test_gallery import AXE, BAD_IMPACTS


def axe_violations(page: Page) -> list[dict]:
    page.evaluate(AXE.read_text() + "\n;void 0")
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, target: v.nodes[0] && v.nodes[0].target.join(' ')}))"
    )
    return [v for v in found if v["impact"] in BAD_IMPACTS]


@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_pick_by_keyboard_and_dispatch(
    page: Page, live_server, demo: None, csp_violations: list[str], width: str
) -> None:
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/tickets/new/")
    tech = page.get_by_role("combobox", name="Tech", exact=True)
    listbox = page.locator("#id_tech-listbox")

    # Typing opens the list of matches; Escape closes it and keeps what was typed.
    tech.click()
    tech.press_sequentially("t", delay=20)
    expect(listbox.get_by_test_id("picker-option").first).to_be_visible()
    expect(tech).to_have_attribute("aria-expanded", "true")
    fits(page, WIDTHS[width]["width"])
    assert axe_violations(page) == []
    screenshot(page, f"picker-open-{width}")
    tech.press("Escape")
    expect(listbox).to_be_hidden()
    expect(tech).to_have_attribute("aria-expanded", "false")
    expect(tech).to_have_value("t")
    # ArrowDown opens it again; ArrowDown, ArrowUp move the highlight.
    tech.press("ArrowDown")
    options = listbox.get_by_test_id("picker-option")
    expect(options.first).to_have_attribute("aria-selected", "true")
    if options.count() > 1:
        tech.press("ArrowDown")
        expect(options.nth(1)).to_have_attribute("aria-selected", "true")
        tech.press("ArrowUp")
        expect(options.first).to_have_attribute("aria-selected", "true")
    tech.press("Escape")

    pick(page, "Tech", "terry", "Terry Tech (NJ)")
    expect(tech).to_have_value("Terry Tech (NJ)")
    assert (
        page.locator('input[type="hidden"][name="tech"]')
        .input_value()
        .startswith("cn_")
    )
    pick(page, "Customer", "harbor", "Harbor Property Group")
    # The job list holds only the chosen customer's jobs.
    pick(page, "Job", "hvac", NEWARK_HVAC)
    day = (timezone.now().astimezone(DEMO_ZONE) + timedelta(days=2)).date()
    page.get_by_label(re.compile(r"^Starts \((EST|EDT)\)$")).fill(f"{day}T08:00")
    page.get_by_label(re.compile(r"^Ends \((EST|EDT)\)$")).fill(f"{day}T10:00")
    expect(page.get_by_test_id("preview-verdict")).to_have_text("Covered")

    # A crew chip: added by keyboard, taken off with its button.
    page.get_by_text("Send a crew: add more techs").click()
    pick(page, "Crew", "priya", "Priya Patel (NJ)")
    chip = page.locator("[data-picker-chip]")
    expect(chip).to_have_count(1)
    expect(page.get_by_test_id("preview-tech")).to_have_count(2)
    page.get_by_role("button", name="Take Priya Patel (NJ) off").click()
    expect(chip).to_have_count(0)
    expect(page.get_by_test_id("preview-tech")).to_have_count(1)
    fits(page, WIDTHS[width]["width"])
    screenshot(page, f"picker-filled-{width}")

    before = Assignment.objects.count()
    page.get_by_test_id("dispatch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Terry Tech at Harbor Property Group"
    )
    assert Assignment.objects.count() == before + 1
    assert csp_violations == []

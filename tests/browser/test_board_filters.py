"""The board's filter bar in a real browser: choices survive the swaps, the day links
can be clicked at desktop and phone widths, and htmx's swaps raise no console errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

# The element at the centre of each control is the control (or inside it): nothing
# sits on top of it.
COVERED_CONTROLS = """
(root) => Array.from(root.querySelectorAll('a, button, input, select, textarea'))
  .filter((el) => el.offsetParent !== null && el.getClientRects().length)
  .filter((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return !(hit && (hit === el || el.contains(hit) || hit.contains(el) && hit.tagName === 'LABEL'));
  })
  .map((el) => el.outerHTML.slice(0, 120))
"""


def wait_for_swap(page: Page, action) -> None:
    with page.expect_response(lambda r: "/board/" in r.url and r.status == 200):
        action()
    page.wait_for_load_state("networkidle")


def test_choosing_one_filter_keeps_the_others(
    page: Page, live_server, demo: None, csp_violations: list[str]
) -> None:
    console_errors: list[str] = []
    page.on(
        "console",
        lambda m: console_errors.append(m.text) if m.type == "error" else None,
    )
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, "dispatcher")
    expect(page.get_by_test_id("ticket-row").first).to_be_visible()
    tech = page.locator("#id_tech")
    customer = page.locator("#id_customer")
    status = page.locator("#id_status")

    wait_for_swap(page, lambda: status.select_option("not_covered"))
    expect(tech).to_have_value("")
    expect(customer).to_have_value("")
    assert "tech=cn_" not in page.url and "customer=" not in page.url.split("status")[0]

    # A tech chosen, then another filter changed: the tech stays chosen.
    wait_for_swap(page, lambda: status.select_option(""))
    chosen = tech.locator("option").nth(1).get_attribute("value")
    wait_for_swap(page, lambda: tech.select_option(chosen))
    wait_for_swap(page, lambda: page.locator("#id_state").select_option("NJ"))
    expect(tech).to_have_value(chosen)
    expect(customer).to_have_value("")
    assert f"tech={chosen}" in page.url and "state=NJ" in page.url
    assert csp_violations == []
    assert console_errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_the_filter_bar_has_nothing_on_top_of_a_control(
    page: Page, live_server, demo: None, viewport: dict
) -> None:
    page.set_viewport_size(viewport)
    sign_in(page, live_server.url, "dispatcher")
    expect(page.get_by_test_id("ticket-row").first).to_be_visible()
    form = page.locator("#board-filters")
    form.scroll_into_view_if_needed()
    assert form.evaluate(COVERED_CONTROLS) == []
    day_before = page.locator("#id_day").input_value()
    page.get_by_role("link", name="Next day").click()
    expect(page.locator("#id_day")).not_to_have_value(day_before)

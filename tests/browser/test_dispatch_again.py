"""'Dispatch this job again' opens the new ticket with its preview already decided."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in


def test_dispatch_again_shows_the_preview_without_touching_a_field(
    page: Page, live_server, demo: None, csp_violations: list[str]
) -> None:
    sign_in(page, live_server.url, "dispatcher")
    page.get_by_test_id("ticket-row").first.locator("a.strong").click()
    page.get_by_role("link", name="Dispatch this job again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket")
    expect(page.get_by_test_id("preview-verdict")).to_be_visible()
    expect(page.get_by_test_id("preview-message")).not_to_be_empty()
    # One answer, not a loop: the preview's own swap does not ask again.
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "preview" in r.url else None)
    page.wait_for_timeout(1500)
    assert asked == []
    assert csp_violations == []

"""Playwright drives Debian's chromium (never a downloaded browser) against a live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import ConsoleMessage, Page, expect

from portal.demo import DEFAULT_PASSWORD
from tests.totp_helpers import Authenticator

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def csp_violations(page: Page) -> Iterator[list[str]]:
    """Console messages in which the browser refused something under our CSP."""
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            seen.append(message.text)

    page.on("console", on_console)
    yield seen


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def demo(transactional_db: None) -> None:
    """The demo platform, its users and a realistic day of dispatches (seed_demo)."""
    call_command("seed_demo", stdout=StringIO())


def sign_in(
    page: Page, base_url: str, username: str, password: str = DEFAULT_PASSWORD
) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    second_factor(page, base_url, username)


# Each user's authenticator app, by server and username, from the setup page it read.
_AUTHENTICATORS: dict[tuple[str, str], Authenticator] = {}


def second_factor(page: Page, base_url: str, username: str) -> None:
    """Finish signing in as a person would when the portal asks for the second factor:
    the first time, read the key off the setup page into an "app" and turn it on;
    after that, type the app's current code."""
    page.wait_for_load_state()
    path = page.url.removeprefix(base_url).split("?")[0]
    if path == "/account/two-factor/":
        key = page.get_by_test_id("totp-secret").inner_text()
        app = _AUTHENTICATORS[(base_url, username)] = Authenticator(key)
        page.get_by_label("Code from the app").fill(app.code())
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
    elif path == "/account/two-factor/verify/":
        app = _AUTHENTICATORS[(base_url, username)]
        page.get_by_label("Code from the app").fill(app.code())
        page.get_by_role("button", name="Verify").click()


def pick(page: Page, label: str, typed: str, option: str) -> None:
    """Choose ``option`` in a search-as-you-type picker (portal.pickers) as a person
    would: type part of it, ArrowDown until it is highlighted, Enter."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill("")
    box.press_sequentially(typed, delay=20)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    wanted = listbox.locator(f'[role="option"][data-label="{option}"]')
    expect(wanted).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    for _ in range(25):
        box.press("ArrowDown")
        if wanted.get_attribute("aria-selected") == "true":
            break
    expect(wanted).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", wanted.get_attribute("id"))
    box.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")

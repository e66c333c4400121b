"""Every page a dispatcher, a tech or an underwriter opens, at 1440 and 390 px: saved as a
gallery (test-artifacts/gallery/) and checked for what can be checked.

On each page and width: no element wider than the viewport (no horizontal scroll), no
control covered by another at its centre (``elementFromPoint``), no console error, and
axe-core (npm, injected from tests/browser/js; no network) with no serious or critical
violation. The figures are written to test-artifacts/gallery/report.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coverage.models import Assignment, Certificate, Contractor
from policies.models import Policy, PolicyTransaction
from tests.browser.conftest import ARTIFACTS, sign_in

AXE = (
    Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
)
GALLERY = ARTIFACTS / "gallery"
WIDTHS = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}
BAD_IMPACTS = ("serious", "critical")

# Elements reaching past the right edge (or starting left of 0), outside anything that
# clips them; visually hidden elements (1 px, clipped) are not layout.
TOO_WIDE = """
() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= vw + 1 && r.left >= -1) continue;
    if (r.right <= 0) continue;  // parked off-screen on purpose (the skip link until focused)
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' || s.clip !== 'auto' || s.clipPath !== 'none') {
        clipped = true; break;
      }
    }
    if (!clipped) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  if (document.documentElement.scrollWidth > vw + 1) {
    const widest = Array.from(document.body.querySelectorAll('*'))
      .filter((el) => el.getBoundingClientRect().right > vw + 1)
      .slice(-3).map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    out.push(`page scrolls to ${document.documentElement.scrollWidth}: ${widest}`);
  }
  return out.slice(0, 10);
}
"""

COVERED = """
() => Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary'))
  // checkVisibility: not rendered at all is not "covered" - e.g. the form inside a closed
  // <details>, whose content keeps a layout box (content-visibility: hidden) but is not
  // drawn; _check opens every <details> and looks again, so that form is checked too.
  .filter((el) => el.getClientRects().length && el.checkVisibility({visibilityProperty: true}))
  .filter((el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    el.scrollIntoView({block: 'center', inline: 'center'});
    // The first line box: a link wrapped over two lines has a gap at its centre.
    const q = el.getClientRects()[0];
    const x = q.left + q.width / 2, y = q.top + q.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit) return false;
    if (hit === el || el.contains(hit)) return false;
    const label = hit.closest('label');
    if (label && (label.control === el || label.contains(el))) return false;
    return true;
  })
  .map((el) => el.outerHTML.slice(0, 100))
  .slice(0, 10)
"""

# Open every closed <details> on the page; returns their indexes to close them again.
OPEN_DETAILS = """
() => Array.from(document.querySelectorAll('details')).flatMap((d, i) => {
  if (d.open) return [];
  d.open = true;
  return [i];
})
"""
CLOSE_DETAILS = """
(opened) => {
  const all = document.querySelectorAll('details');
  for (const i of opened) all[i].open = false;
}
"""


def _check(page: Page, name: str, width: str, errors: list[str]) -> dict:
    page.set_viewport_size(WIDTHS[width])
    page.wait_for_load_state("networkidle")
    GALLERY.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(GALLERY / f"{name}-{width}.png"), full_page=True)
    too_wide = page.evaluate(TOO_WIDE)
    covered = page.evaluate(COVERED)
    # What a closed <details> holds (a crew picker, a cancel form) is checked open too.
    opened = page.evaluate(OPEN_DETAILS)
    if opened:
        too_wide += [f"(details open) {c}" for c in page.evaluate(TOO_WIDE)]
        covered += [f"(details open) {c}" for c in page.evaluate(COVERED)]
        page.evaluate(CLOSE_DETAILS, opened)
    page.evaluate("window.scrollTo(0, 0)")
    # Evaluated through the DevTools protocol: the page's own CSP (rightly) refuses an
    # injected inline script, and bypassing it would hide the CSP errors checked here.
    page.evaluate(AXE.read_text() + "\n;void 0")
    axe = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " target: v.nodes[0] && v.nodes[0].target.join(' ')}))"
    )
    result = {
        "page": name,
        "width": width,
        "url": page.url,
        "too_wide": too_wide,
        "covered": covered,
        "console_errors": list(errors),
        "axe": axe,
        "axe_counts": {
            impact: sum(1 for v in axe if v["impact"] == impact)
            for impact in ("minor", "moderate", "serious", "critical")
        },
    }
    errors.clear()
    return result


def _failures(results: list[dict]) -> list[str]:
    found = []
    for r in results:
        where = f"{r['page']} @{r['width']}"
        if r["too_wide"]:
            found.append(f"{where}: wider than the viewport: {r['too_wide']}")
        if r["covered"]:
            found.append(f"{where}: covered controls: {r['covered']}")
        if r["console_errors"]:
            found.append(f"{where}: console errors: {r['console_errors']}")
        bad = [v for v in r["axe"] if v["impact"] in BAD_IMPACTS]
        if bad:
            found.append(f"{where}: axe: {bad}")
    return found


def _report(role: str, results: list[dict]) -> None:
    GALLERY.mkdir(parents=True, exist_ok=True)
    (GALLERY / f"report-{role}.json").write_text(json.dumps(results, indent=2))


def _visit_all(page: Page, base: str, pages: list[tuple[str, str]], role: str) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    results = []
    for name, path in pages:
        for width in WIDTHS:
            page.set_viewport_size(WIDTHS[width])
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == 200, (name, path)
            results.append(_check(page, f"{role}-{name}", width, errors))
    _report(role, results)
    failures = _failures(results)
    assert failures == [], "\n".join(failures)


@pytest.fixture(autouse=True)
def _axe_installed() -> None:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed: run `make browser-js` ({AXE})")


def test_dispatcher_pages(page: Page, live_server, demo: None) -> None:
    sign_in(page, live_server.url, "dispatcher")
    expect(page.get_by_test_id("ticket-row").first).to_be_visible()
    covered = Assignment.objects.filter(
        eligible=True, cancelled_at__isnull=True
    ).first()
    uncovered = Assignment.objects.filter(eligible=False).first()
    tech = Contractor.objects.filter(assignments__isnull=False).first()
    pages = [
        ("board", "/board/"),
        ("new-ticket", "/tickets/new/"),
        ("ticket-covered", f"/tickets/{covered.public_id}/"),
        ("ticket-not-covered", f"/tickets/{uncovered.public_id}/"),
        ("techs", "/techs/"),
        ("tech", f"/techs/{tech.public_id}/"),
        ("premium", "/premium/"),
        ("settings", "/settings/"),
    ]
    certificate = Certificate.objects.first()
    if certificate is not None:
        pages.append(("certificate", f"/certificates/{certificate.number}/"))
    _visit_all(page, live_server.url, pages, "dispatcher")


def test_tech_pages(page: Page, browser, live_server, demo: None) -> None:
    """The opt-in page a tech opens from the dispatcher's link, on the tech's phone."""
    sign_in(page, live_server.url, "dispatcher")
    uncovered = Assignment.objects.filter(eligible=False, cancelled_at__isnull=True)
    page.goto(f"{live_server.url}/tickets/{uncovered.first().public_id}/")
    page.get_by_test_id("send-opt-in").click()
    link = page.get_by_test_id("opt-in-link").input_value()
    path = re.sub(r"^https?://[^/]+", "", link)
    tech = browser.new_context()
    try:
        _visit_all(tech.new_page(), live_server.url, [("apply", path)], "tech")
    finally:
        tech.close()


def test_underwriter_pages(page: Page, live_server, demo: None) -> None:
    sign_in(page, live_server.url, "underwriter")
    page.wait_for_load_state("networkidle")
    nav = page.locator("nav.nav a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    pages = [
        (f"nav-{i}-{href.strip('/').replace('/', '-') or 'home'}", href)
        for i, href in enumerate(nav)
    ]
    policy = Policy.objects.exclude(contents_transaction=None).first()
    if policy is not None:
        pages.append(("policy", f"/underwriting/policies/{policy.public_id}/"))
    txn = PolicyTransaction.objects.first()
    if txn is not None:
        pages.append(("transaction", f"/underwriting/transactions/{txn.public_id}/"))
        pages.append(
            ("coinsurance", f"/underwriting/transactions/{txn.public_id}/coinsurance/")
        )
    _visit_all(page, live_server.url, pages, "underwriter")

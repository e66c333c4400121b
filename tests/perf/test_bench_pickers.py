"""What the new-ticket page and its pickers' searches cost on a big platform (500
techs, 200 customers, 20,000 jobs; issue 15 measured 2.4 s and 1.97 MB with every job
in a select), against bare Django's form page and 20-row search (``tests.perf.bare``),
measured in the same run through the same client."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from portal.models import Platform, User
from tests.coverage.big_platform import seed_platform
from tests.coverage.helpers import approved_janitorial
from tests.coverage.portal_helpers import HTMX
from tests.perf.conftest import measure
from tests.policies.helpers import contractor_product

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.perf.bench_urls")]

RUNS = 30
# Issue 15's goal for the page; the searches' bound is a sanity check on a machine
# shared with other work (their figures and ratios are what the run prints).
PAGE_BUDGET_MS = 100
SEARCH_SANITY_MS = 250
PAGE_BUDGET_BYTES = 100 * 1024


@pytest.fixture
def big_platform(platform: Platform) -> None:
    contractor_product()
    seed_platform(platform, approved_janitorial(platform))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_bench_new_ticket_page_and_searches_on_a_big_platform(
    big_platform: None, dispatcher: User, client_as
) -> None:
    client = client_as(dispatcher)
    bare = Client()
    page = client.get("/tickets/new/")
    assert page.status_code == 200
    size = len(page.content)
    bare.get("/bare/form-page")
    bare.get("/bare/search-rows", {"q": "work"})
    figures: dict[str, dict[str, float]] = {}
    # Interleaved, so a burst of load on the shared machine hits both sides alike.
    for name, fn in (
        ("bare form page", lambda: bare.get("/bare/form-page")),
        ("GET /tickets/new/", lambda: client.get("/tickets/new/")),
        ("bare 20-row search", lambda: bare.get("/bare/search-rows", {"q": "work"})),
        (
            "techs, q=bulk01",
            lambda: client.get("/pickers/techs/", {"q": "bulk01"}, headers=HTMX),
        ),
        (
            "customers, q=client",
            lambda: client.get("/pickers/customers/", {"q": "client"}, headers=HTMX),
        ),
        ("jobs, q= (first 20)", lambda: client.get("/pickers/jobs/", headers=HTMX)),
        (
            "jobs, q=site visit 1999",
            lambda: client.get(
                "/pickers/jobs/", {"q": "site visit 1999"}, headers=HTMX
            ),
        ),
    ):
        figures[name] = measure(fn, runs=RUNS)
    base = {
        "GET /tickets/new/": "bare form page",
        "techs, q=bulk01": "bare 20-row search",
        "customers, q=client": "bare 20-row search",
        "jobs, q= (first 20)": "bare 20-row search",
        "jobs, q=site visit 1999": "bare 20-row search",
    }
    lines = [
        f"\nNew ticket on a platform of 500 techs and 20,000 jobs ({connection.vendor}),"
        f" median of {RUNS}; the page is {size / 1024:.1f} KB:"
    ]
    for name, found in figures.items():
        ratio = (
            f"  {found['median_ms'] / figures[base[name]]['median_ms']:.2f}× bare"
            if name in base
            else ""
        )
        lines.append(
            f"  {name:26} {found['median_ms']:8.1f} ms (p95 {found['p95_ms']:.1f}){ratio}"
        )
    print("\n".join(lines))
    assert size <= PAGE_BUDGET_BYTES
    assert figures["GET /tickets/new/"]["median_ms"] < PAGE_BUDGET_MS
    for name in base:
        assert figures[name]["median_ms"] < SEARCH_SANITY_MS, name

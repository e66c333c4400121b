"""What the ticket board costs with 500 tickets on the day, against bare Django.

Full page (100 rows), table swap, idle poll, and every ticket on one page
(``per_page=500``), each as a ratio to the bare 100- and 500-row render
(``tests.perf.bare``) measured in the same run through the same client.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from portal.models import Platform, User
from tests.coverage.helpers import approved_janitorial
from tests.coverage.many_tickets import seed_day
from tests.coverage.portal_helpers import HTMX
from tests.perf.conftest import measure
from tests.policies.helpers import contractor_product

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.perf.bench_urls")]

TICKETS = 500
RUNS = 30


@pytest.fixture
def busy_day(platform: Platform) -> None:
    contractor_product()
    seed_day(platform, approved_janitorial(platform), TICKETS)


def test_bench_board_with_500_tickets(
    busy_day: None, dispatcher: User, client_as, django_assert_num_queries
) -> None:
    client = client_as(dispatcher)
    bare = Client()
    assert client.get("/board/").status_code == 200  # warm the template cache
    bare.get("/bare/board-rows", {"n": TICKETS})
    # The same 7 queries as with 5 tickets (tests/coverage/test_portal_query_counts.py).
    with django_assert_num_queries(7):
        client.get("/board/")
    everything = client.get("/board/", {"per_page": TICKETS})
    assert everything.content.decode().count('data-testid="ticket-row"') == TICKETS
    # Interleaved, so a burst of load on the shared machine hits both sides alike.
    figures: dict[str, dict[str, float]] = {}
    for name, fn in (
        ("bare 100 rows", lambda: bare.get("/bare/board-rows", {"n": 100})),
        ("full page, 100 rows", lambda: client.get("/board/")),
        (
            "table swap, -premium",
            lambda: client.get("/board/", {"sort": "-premium"}, headers=HTMX),
        ),
        ("bare 500 rows", lambda: bare.get("/bare/board-rows", {"n": TICKETS})),
        ("per_page=500", lambda: client.get("/board/", {"per_page": TICKETS})),
    ):
        figures[name] = measure(fn, runs=RUNS)
    version = client.get("/board/").context["summary"].version
    idle = measure(lambda: client.get("/board/", {"v": version}, headers=HTMX), runs=60)
    base = {
        "full page, 100 rows": "bare 100 rows",
        "table swap, -premium": "bare 100 rows",
        "per_page=500": "bare 500 rows",
    }
    lines = [f"\nBoard with {TICKETS} tickets ({connection.vendor}), median of {RUNS}:"]
    for name, found in figures.items():
        ratio = (
            f"  {found['median_ms'] / figures[base[name]]['median_ms']:.2f}× bare"
            if name in base
            else ""
        )
        lines.append(f"  {name:24} {found['median_ms']:8.1f} ms{ratio}")
    lines.append(f"  {'poll, unchanged':24} {idle['median_ms']:8.1f} ms")
    print("\n".join(lines))
    assert figures["full page, 100 rows"]["median_ms"] < 1000
    assert idle["median_ms"] < 100

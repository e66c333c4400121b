"""What the ticket board costs with 500 tickets on the day: full page, swap, poll."""

from __future__ import annotations

import pytest
from django.db import connection

from coverage.selectors import board
from portal.models import Platform, User
from tests.coverage.helpers import approved_janitorial
from tests.coverage.many_tickets import seed_day
from tests.coverage.portal_helpers import HTMX
from tests.perf.conftest import measure
from tests.policies.helpers import contractor_product

pytestmark = pytest.mark.django_db

TICKETS = 500


@pytest.fixture
def busy_day(platform: Platform) -> None:
    contractor_product()
    seed_day(platform, approved_janitorial(platform), TICKETS)


def test_bench_board_with_500_tickets(
    busy_day: None,
    dispatcher: User,
    client_as,
    django_assert_num_queries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_as(dispatcher)
    assert client.get("/board/").status_code == 200  # warm the template cache
    # The same 7 queries as with 5 tickets (tests/coverage/test_portal_query_counts.py).
    with django_assert_num_queries(7):
        client.get("/board/")
    full = measure(lambda: client.get("/board/"), runs=40)
    swap = measure(
        lambda: client.get("/board/", {"sort": "-premium"}, headers=HTMX), runs=40
    )
    version = client.get("/board/").context["summary"].version
    idle = measure(lambda: client.get("/board/", {"v": version}, headers=HTMX), runs=80)
    # Every ticket on one page, to see what a row costs.
    monkeypatch.setattr(board, "PAGE_SIZE", TICKETS)
    everything = measure(lambda: client.get("/board/"), runs=20)
    print(
        f"\nBoard with {TICKETS} tickets ({connection.vendor}), "
        "100 per page:"
        f"\n  full page        {full}"
        f"\n  table swap       {swap}"
        f"\n  poll, unchanged  {idle}"
        f"\n  all {TICKETS} on one page {everything}"
    )
    assert full["median_ms"] < 1000 and idle["median_ms"] < 100

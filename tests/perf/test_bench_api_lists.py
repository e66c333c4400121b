"""The API's lists of 100 at one connection (issue 15: ≤ 10 ms p50), against a bare list.

The bare list (tests.perf.bare.list_rows) is one indexed SELECT of 100 assignments'
columns and a JsonResponse; ours add the key's authentication, the tenancy filter,
cursor paging, the certificates' URLs and the wire schema's validation. Interleaved
through the same client in the same run. The query counts are asserted in
tests/coverage/test_api_query_counts.py.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.db import connection
from django.test import Client

from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.helpers import approved_janitorial
from tests.coverage.many_tickets import seed_day
from tests.perf.conftest import measure
from tests.policies.helpers import contractor_product

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.perf.bench_urls")]

RUNS = 40
LISTS = ("assignments", "contractors", "jobs", "entities")


def test_bench_api_lists_of_100(platform: Platform, platform_key: str) -> None:
    contractor_product()
    seed_day(platform, approved_janitorial(platform), 300)
    client, bare = Client(), Client()
    auth = bearer(platform_key)
    paths = {name: f"/api/v1/{name}?limit=100" for name in LISTS}
    for path in paths.values():
        answer = client.get(path, headers=bearer(platform_key))
        assert answer.status_code == 200 and len(answer.json()) == 100
    assert len(bare.get("/bare/list-rows").json()["data"]) == 100
    figures = {
        "bare list of 100": measure(lambda: bare.get("/bare/list-rows"), runs=RUNS)
    }
    for name, path in paths.items():
        figures[name] = measure(partial(client.get, path, headers=auth), runs=RUNS)
    base = figures["bare list of 100"]["median_ms"]
    lines = [f"\nGET /api/v1/* ?limit=100 ({connection.vendor}), median of {RUNS}:"]
    for name, found in figures.items():
        lines.append(
            f"  {name:18} {found['median_ms']:6.2f} ms  p95 {found['p95_ms']:6.2f} ms"
            f"  {found['median_ms'] / base:5.2f}× bare"
        )
    print("\n".join(lines))
    # A sanity bound: the figures are for the report.
    assert figures["assignments"]["median_ms"] < 200

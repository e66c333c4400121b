"""POST /api/v1/assignments served the production way, against the bare INSERT.

The issue's shape: gunicorn with 2 sync workers and DEBUG off, on the test database,
loaded by wrk at 16 connections and at 1 connection; the bare app (tests/perf/bare.py)
served by the same gunicorn in the same run. Every dispatch is eligible, covered and
new: one of 32 tech/job pairs (so that requests do not queue on one job's row lock),
a window of its own, a new idempotency key. Prints req/s, p50, p99 and the ratios.

BENCH_SECONDS (default 8) sets each run's length.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from coverage.models import Assignment, LedgerEntry
from coverage.services.dates import next_day
from portal.models import Platform
from tests.coverage.helpers import approved_janitorial, bound_policy, make_job
from tests.perf.served import gunicorn, run_wrk, wrk_or_skip
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = [
    pytest.mark.perf,
    pytest.mark.django_db(transaction=True),
]

PAIRS = int(os.environ.get("BENCH_PAIRS", "32"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))


def test_bench_served_post_assignment_against_a_bare_insert(
    platform: Platform, platform_key: str
) -> None:
    wrk_or_skip()
    if connection.vendor != "postgresql":
        pytest.skip(
            "served benchmarks need PostgreSQL (other processes share the data)"
        )
    contractor_product()
    category = approved_janitorial(platform)
    pairs = []
    for n in range(PAIRS):
        contractor = make_contractor(
            platform, email=f"bench-{n}@example.com", state="NJ"
        )
        bound_policy(contractor, category=category, days=120)
        job = make_job(platform, category=category, name=f"Bench job {n}")
        pairs.append(f"{contractor.public_id}:{job.public_id}")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, name text)")
    start = int(next_day(timezone.now()).timestamp())
    common = {
        "BENCH_KEY": platform_key,
        "BENCH_PAIRS": ",".join(pairs),
        "BENCH_START": str(start),
    }

    def load(url: str, *, mode: str, connections: int, base: int, seconds: int):
        env = {**common, "BENCH_MODE": mode, "BENCH_BASE": str(base)}
        return run_wrk(url, connections=connections, seconds=seconds, env=env)

    try:
        with gunicorn() as url:
            # Warm-up: both workers import everything and open their connections.
            load(url, mode="dispatch", connections=4, base=0, seconds=2)
            load(url, mode="bare", connections=4, base=0, seconds=2)
            ours_16 = load(
                url, mode="dispatch", connections=16, base=20_000, seconds=SECONDS
            )
            bare_16 = load(url, mode="bare", connections=16, base=0, seconds=SECONDS)
            ours_1 = load(
                url, mode="dispatch", connections=1, base=40_000, seconds=SECONDS
            )
            bare_1 = load(url, mode="bare", connections=1, base=0, seconds=SECONDS)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_bare")

    print(
        "\nserved: gunicorn 2 sync workers, DEBUG off, wrk; POST /api/v1/assignments"
        " (covered, new window and key) vs the bare INSERT"
        f"\n16 connections: ours {ours_16}\n                bare {bare_16}"
        f"\n  throughput {ours_16.requests_per_second / bare_16.requests_per_second:.1%}"
        " of bare (goal >= 25 %),"
        f" p99 {ours_16.p99_ms:.1f} ms (goal < 50 ms)"
        f"\n 1 connection: ours {ours_1}\n                bare {bare_1}"
        f"\n  p50 {ours_1.p50_ms / bare_1.p50_ms:.1f}x bare (goal <= 4x)"
    )
    # Every dispatch was written, covered and charged: the load measured the real path.
    assert ours_16.failed == ours_1.failed == 0
    assert bare_16.failed == bare_1.failed == 0
    made = Assignment.objects.filter(
        created_at__gte=timezone.now() - timedelta(hours=1)
    )
    assert made.count() >= ours_16.requests + ours_1.requests
    assert not made.filter(eligible=False).exists()
    assert (
        sum(LedgerEntry.objects.values_list("amount", flat=True))
        == sum(made.values_list("premium", flat=True))
        > 0
    )

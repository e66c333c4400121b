"""The write path: POST /api/v1/assignments (covered, new key) against a bare INSERT.

One connection, the same client, interleaved in the same run; prints the medians, the
ratio and the statements per dispatch (named in
tests/coverage/test_assignment_write_queries.py).
"""

from __future__ import annotations

import itertools
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage.services.dates import next_day
from portal import queues
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.helpers import approved_janitorial, bound_policy, make_job
from tests.perf.conftest import measure
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.perf.bench_urls")]

RUNS = 60
PRODUCTION_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": list(queues.ALL),
    }
}


def test_bench_post_assignment_against_a_bare_insert(
    platform: Platform, platform_key: str, settings
) -> None:
    # The production task backend: the render task is a row written with the dispatch.
    settings.TASKS = PRODUCTION_TASKS
    contractor_product()
    category = approved_janitorial(platform)
    contractor = make_contractor(platform, email="bench@example.com", state="NJ")
    job = make_job(platform, category=category)
    bound_policy(contractor, category=category)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, name text)")
    client, bare = Client(), Client()
    keys = itertools.count()
    start = int(next_day(timezone.now()).timestamp())

    def dispatch() -> None:
        # A new window each time, as the issue measures (one live dispatch per tech,
        # job and window: the same one again is a duplicate, refused).
        n = next(keys)
        body = json.dumps(
            {
                "contractor": contractor.public_id,
                "job": job.public_id,
                "effective_date": start + 3600 * n,
                "end_date": start + 3600 * (n + 1),
            }
        )
        response = client.post(
            "/api/v1/assignments",
            body,
            content_type="application/json",
            headers={
                **bearer(platform_key),
                "Ten99Policy-Idempotent-Key": f"bench-{n}",
            },
        )
        assert response.status_code == 201

    def insert() -> None:
        bare.post("/bare/insert", '{"name": "x"}', content_type="application/json")

    dispatch()
    insert()
    with CaptureQueriesContext(connection) as captured:
        dispatch()
    statements = [q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    ours, theirs = measure(dispatch, runs=RUNS), measure(insert, runs=RUNS)
    print(
        f"\nPOST /api/v1/assignments ({connection.vendor}, 1 connection): {ours}"
        f"\nbare INSERT + JSON reply: {theirs}"
        f"\nratio {ours['median_ms'] / theirs['median_ms']:.2f}× bare;"
        f" {len(statements)} SQL statements per dispatch"
    )
    # Named one by one in tests/coverage/test_assignment_write_queries.py.
    assert len(statements) <= 10

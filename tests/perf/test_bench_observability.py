"""What observability costs: the access line + latency histogram per request, and a scrape
of /metrics against a backlog, each next to a baseline measured in the same run."""

from __future__ import annotations

import statistics

import pytest
from django.db import connection
from django.test import Client

from portal import queues
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.helpers import (
    ApiClient,
    approved_janitorial,
    bound_policy,
    make_job,
)
from tests.perf.conftest import measure
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db

ACCESS = "portal.request_log.AccessLogMiddleware"
TOKEN = "bench-token"


def test_bench_access_line_and_histogram_per_request(
    settings, platform_key: str
) -> None:
    with_it = Client()
    full = list(settings.MIDDLEWARE)
    settings.MIDDLEWARE = [m for m in full if m != ACCESS]
    without = Client()
    without.get("/api/v1/contractors", headers=bearer(platform_key))  # loads the stack
    settings.MIDDLEWARE = full
    with_it.get("/api/v1/contractors", headers=bearer(platform_key))
    medians: dict[str, list[float]] = {"with": [], "without": []}
    # Alternating rounds, so a burst of load elsewhere hits both alike.
    for _ in range(4):
        for name, client in (("with", with_it), ("without", without)):
            figures = measure(
                lambda c=client: c.get(
                    "/api/v1/contractors", headers=bearer(platform_key)
                ),
                runs=100,
            )
            medians[name].append(figures["median_ms"])
    on, off = statistics.median(medians["with"]), statistics.median(medians["without"])
    print(
        f"\nGET /api/v1/contractors ({connection.vendor}), median of 4×100: "
        f"{on:.2f} ms with the access line + histogram, {off:.2f} ms without: "
        f"{on / off:.3f}×, {on - off:+.2f} ms"
    )
    assert on / off < 2


def test_bench_scrape_against_a_backlog(
    settings, platform: Platform, platform_key: str
) -> None:
    settings.METRICS_TOKEN = TOKEN
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": list(queues.ALL),
        }
    }
    category = approved_janitorial(platform)
    contractor_product()
    api = ApiClient(platform_key)
    for n in range(25):
        contractor = make_contractor(platform, email=f"bench{n}@example.com")
        bound_policy(contractor, category=category)
        job = make_job(platform, category=category, name=f"Bench job {n}")
        assert (
            api.post(
                "/assignments",
                {"contractor": contractor.public_id, "job": job.public_id},
            ).status_code
            == 201
        )
    client = Client()
    scrape = measure(lambda: client.get("/metrics", headers=bearer(TOKEN)), runs=100)
    health = measure(lambda: client.get("/healthz"), runs=100)
    print(
        f"\n/metrics with 50 renders waiting, 25 tasks ready ({connection.vendor}): "
        f"{scrape}; /healthz (1 query) {health}: "
        f"{scrape['median_ms'] / health['median_ms']:.1f}×"
    )
    assert scrape["median_ms"] < 200

"""/metrics through HTTP (the test client): the token, the format, route labels, and a
scrape's query count that does not grow with the backlog."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from portal import queues
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.helpers import (
    ApiClient,
    approved_janitorial,
    bound_policy,
    make_job,
)
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-tests"
# portal: ready tasks per queue, live workers; coverage: overdue deliveries, renders.
SCRAPE_QUERIES = 4


@pytest.fixture
def metrics_on(settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    # Tasks wait in the database queue (as in production) instead of running at once.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": list(queues.ALL),
        }
    }


def scrape() -> dict[tuple[str, frozenset], float]:
    response = Client().get("/metrics", headers=bearer(TOKEN))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def dispatches(platform: Platform, platform_key: str, numbers: range) -> None:
    category = approved_janitorial(platform)
    contractor_product()
    api = ApiClient(platform_key)
    for n in numbers:
        contractor = make_contractor(platform, email=f"tech{n}@example.com")
        bound_policy(contractor, category=category)
        job = make_job(platform, category=category, name=f"Office cleaning {n}")
        response = api.post(
            "/assignments",
            {"contractor": contractor.public_id, "job": job.public_id},
        )
        assert response.status_code == 201, response.content


def test_without_a_token_configured_there_is_no_endpoint(settings) -> None:
    settings.METRICS_TOKEN = ""
    response = Client().get("/metrics", headers=bearer("anything"))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")


def test_a_wrong_or_missing_token_is_401(metrics_on: None) -> None:
    for headers in ({}, bearer("guess"), {"Authorization": TOKEN}):
        response = Client().get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert Client().post("/metrics", headers=bearer(TOKEN)).status_code == 405


def test_a_scrape_costs_the_same_few_queries_whatever_the_backlog(
    metrics_on: None, platform: Platform, platform_key: str
) -> None:
    counts = []
    for numbers in (range(1), range(1, 4)):
        dispatches(platform, platform_key, numbers)
        with CaptureQueriesContext(connection) as queries:
            samples = scrape()
        counts.append(len(queries))
        waiting = samples[("dcp_certificate_renders_waiting", frozenset())]
        ready = samples[("dcp_task_queue_ready", frozenset({("queue", "default")}))]
        print(
            f"\nbacklog of {waiting:g} renders, {ready:g} ready tasks: "
            f"scrape in {len(queries)} queries"
        )
    # 1 dispatch, then 4: two certificates (WC, GL) each.
    assert waiting == 8
    assert counts == [SCRAPE_QUERIES, SCRAPE_QUERIES]


def test_latency_is_labelled_by_url_pattern_not_by_path(
    metrics_on: None, platform: Platform, platform_key: str
) -> None:
    api = ApiClient(platform_key)
    ids = [
        make_contractor(platform, email=f"t{n}@example.com").public_id for n in range(3)
    ]
    series = (
        "dcp_http_request_duration_seconds_count",
        frozenset(
            {
                ("route", "/api/v1/contractors/<contractor_id>"),
                ("method", "GET"),
                ("status", "200"),
            }
        ),
    )
    before = scrape().get(series, 0.0)
    for public_id in ids:
        assert api.get(f"/contractors/{public_id}").status_code == 200
    api.client.generic("BREW", "/api/v1/contractors", headers=api.headers)
    after = scrape()
    assert after[series] - before == 3
    routes = {
        dict(labels)["route"]
        for name, labels in after
        if name == "dcp_http_request_duration_seconds_count"
    }
    assert not any(public_id in route for route in routes for public_id in ids)
    methods = {
        dict(labels)["method"]
        for name, labels in after
        if name == "dcp_http_request_duration_seconds_count"
    }
    assert "BREW" not in methods and "other" in methods

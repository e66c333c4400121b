"""/healthz says whether background workers have checked in recently (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from portal.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


ALL_QUEUES = "default,renders,webhooks,email"


def beat(worker_id: str, *, seconds_ago: float, queues: str = ALL_QUEUES) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname="worker-1",
        pid=4242,
        queues=queues,
        started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(seconds=seconds_ago),
    )


def health() -> dict:
    response = Client().get("/healthz")
    assert response.status_code == 200
    return response.json()


def test_healthz_counts_only_workers_seen_within_the_staleness_period(
    settings,
) -> None:
    settings.WORKER_STALE_SECONDS = 15
    assert (health()["workers"], health()["live_workers"]) == ("none", 0)
    beat("gone", seconds_ago=60)
    assert (health()["workers"], health()["live_workers"]) == ("none", 0)
    beat("alive", seconds_ago=2)
    beat("also-alive", seconds_ago=10)
    answer = health()
    print(f"\n/healthz with 2 live and 1 stale worker: {answer}")
    assert (answer["workers"], answer["live_workers"]) == ("ok", 2)


def test_healthz_counts_live_workers_per_queue_and_names_unserved_ones(
    settings,
) -> None:
    settings.WORKER_STALE_SECONDS = 15
    beat("renders-1", seconds_ago=1, queues="renders")
    beat("renders-2", seconds_ago=3, queues="renders")
    beat("webhooks-dead", seconds_ago=60, queues="webhooks")
    beat("mail-and-rest", seconds_ago=2, queues="email,default")
    answer = health()
    print(f"\n/healthz, webhooks' only worker stale: {answer}")
    assert answer["workers"] == "partial"
    assert answer["queues"] == {"default": 1, "renders": 2, "webhooks": 0, "email": 1}
    assert answer["unserved_queues"] == ["webhooks"]
    beat("webhooks-1", seconds_ago=0, queues="webhooks")
    answer = health()
    assert (answer["workers"], answer["unserved_queues"]) == ("ok", [])
    assert answer["queues"]["webhooks"] == 1 and answer["live_workers"] == 4


def test_healthz_stays_cheap(django_assert_num_queries) -> None:
    beat("alive", seconds_ago=1)
    # One query (the heartbeats, which also proves the database answers), no session.
    with django_assert_num_queries(1):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert not response.cookies
    assert response["Cache-Control"].startswith("max-age=0")

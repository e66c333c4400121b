"""Benchmarks (make bench): webhook latency to a local receiver, and one worker's throughput."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from coverage.models import Delivery, Event
from coverage.webhooks import delivery, endpoints
from coverage.webhooks.events import emit
from portal import queues
from portal.models import Platform
from tests.coverage.webhook_receiver import running_receiver

pytestmark = [pytest.mark.perf, pytest.mark.django_db(transaction=True)]


def test_latency_from_commit_to_receiver(platform: Platform) -> None:
    """With tasks run in-process (as under tests): commit → signed POST received."""
    with running_receiver() as receiver:
        endpoints.create_endpoint(platform=platform, url=receiver.url)
        latencies = []
        for n in range(100):
            with transaction.atomic():
                emit(platform=platform, type="policy.created", data={"n": n})
                committed = time.monotonic()
            latencies.append(receiver.requests[-1].at - committed)
    ms = sorted(x * 1000 for x in latencies)
    p50, p95 = statistics.median(ms), ms[int(len(ms) * 0.95)]
    print(
        f"\ncommit → receiver: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"
    )
    assert p95 < 500


def test_one_sweeper_throughput(platform: Platform) -> None:
    with running_receiver() as receiver:
        endpoint = endpoints.create_endpoint(platform=platform, url=receiver.url)
        events = Event.objects.bulk_create(
            Event(platform=platform, type="policy.created", data={"n": n})
            for n in range(300)
        )
        now = timezone.now()
        Delivery.objects.bulk_create(
            Delivery(event=e, endpoint=endpoint, next_attempt_at=now) for e in events
        )
        started = time.monotonic()
        made = delivery.deliver_due(limit=1000)
        elapsed = time.monotonic() - started
    print(
        f"\none sweeper: {made} deliveries in {elapsed:.2f} s = {made / elapsed:.0f}/s"
    )
    assert made == 300 and len(receiver.requests) == 300


def test_latency_through_a_db_worker_process(
    platform: Platform, settings, requires_postgres: None
) -> None:
    """The production path: the task row is committed, a separate db_worker polls it."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": list(queues.ALL),
        }
    }
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1"]
        + ["--no-reload", "--no-startup-delay", "--verbosity", "0"],
        cwd=Path(__file__).resolve().parents[2],
        # The receiver is on 127.0.0.1: allowed as a self-hosted one (SSRF guard).
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_WEBHOOK_ALLOWED_INTERNAL_HOSTS": "127.0.0.1",
        },
    )
    try:
        with running_receiver() as receiver:
            endpoints.create_endpoint(platform=platform, url=receiver.url)
            latencies = []
            for n in range(31):
                with transaction.atomic():
                    emit(platform=platform, type="policy.created", data={"n": n})
                    committed = time.monotonic()
                deadline = committed + 10
                while len(receiver.requests) <= n and time.monotonic() < deadline:
                    time.sleep(0.002)
                assert len(receiver.requests) == n + 1
                latencies.append(receiver.requests[n].at - committed)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    ms = sorted(x * 1000 for x in latencies[1:])  # the first one waits for start-up
    p50, p95 = statistics.median(ms), ms[int(len(ms) * 0.95)]
    print(
        f"\ncommit → db_worker → receiver (polling every 0.1 s): p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    )
    assert p95 < 2000

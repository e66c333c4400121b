"""Benchmark (make bench): how long a dispatch's webhooks wait while renders pile up,
with one worker for every queue against a worker of their own (issue 14's queues).

12 dispatches are posted through /api/v1 back to back, each queuing a render task (2
PDFs) and then 2 webhooks, with the workers already running: once with one plain
``db_worker`` (every queue; it takes tasks oldest first, so each webhook waits for the
renders queued before it), once with a ``--queue-name webhooks`` worker beside a
``--queue-name renders`` one. Figures: dispatch response → its webhook received,
median and worst, and the ratio.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from coverage.models import CategoryCode, Contractor
from portal import queues
from portal.models import Platform, WorkerHeartbeat
from tests.coverage.helpers import (
    ApiClient,
    make_job,
)
from tests.coverage.webhook_receiver import Receiver, running_receiver
from tests.reliability.test_queues import DATABASE_TASKS, running, wait_for

pytestmark = [pytest.mark.perf, pytest.mark.django_db(transaction=True)]

DISPATCHES = 12
WORKER = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
WORKER += ["--interval", "0.1"]


def latencies(
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    category: CategoryCode,
    receiver: Receiver,
    commands: list[list[str]],
    media_root: Path,
    log: Path,
) -> list[float]:
    """Seconds from each dispatch's 201 to each of its webhooks' arrival."""
    receiver.requests.clear()
    answered: dict[str, float] = {}
    started = timezone.now()
    with running(*commands, media_root=media_root, log=log):
        wait_for(
            lambda: (
                WorkerHeartbeat.objects.filter(started_at__gte=started).count()
                >= len(commands)
            ),
            timeout=120,
            what="the workers to start",
        )
        for n in range(DISPATCHES):
            job = make_job(platform, category=category, name=f"Office cleaning {n}")
            response = api.post(
                "/assignments",
                {"contractor": contractor.public_id, "job": job.public_id},
            )
            assert response.status_code == 201, response.content
            answered[response.json()["id"]] = time.monotonic()
        wait_for(
            lambda: len(receiver.requests) >= 2 * DISPATCHES,
            timeout=300,
            what="every webhook",
        )
    return sorted(
        r.at - answered[json.loads(r.body)["data"]["id"]] for r in receiver.requests
    )


def test_webhook_latency_behind_a_render_backlog(
    platform: Platform,
    platform_key: str,
    contractor: Contractor,
    category: CategoryCode,
    media_root: Path,
    settings,
    tmp_path: Path,
) -> None:
    assert connection.vendor == "postgresql"
    settings.TASKS = DATABASE_TASKS
    api = ApiClient(platform_key)
    log = tmp_path / "workers.log"
    with running_receiver() as receiver:
        assert api.post("/webhook_endpoints", {"url": receiver.url}).status_code == 201
        args = (api, platform, contractor, category, receiver)
        shared = latencies(*args, [WORKER], media_root, log)
        separate = latencies(
            *args,
            [
                [*WORKER, "--queue-name", queues.WEBHOOKS],
                [*WORKER, "--queue-name", queues.RENDERS],
            ],
            media_root,
            log,
        )
    p50 = statistics.median
    print(
        f"\ndispatch → webhook, {DISPATCHES} dispatches back to back: one worker for "
        f"every queue p50 {p50(shared):.2f} s, worst {shared[-1]:.2f} s; a webhooks "
        f"worker of their own p50 {p50(separate):.2f} s, worst {separate[-1]:.2f} s "
        f"({p50(shared) / p50(separate):.1f}x sooner at the median)"
    )
    assert p50(separate) < p50(shared)

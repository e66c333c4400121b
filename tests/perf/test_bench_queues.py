"""Benchmark (make bench): how long webhooks wait behind a render backlog, with one
worker for every queue against a worker of their own (issue 14's queues).

The same 12 dispatches through /api/v1 (12 render tasks of 2 PDFs each, queued before
their 24 webhooks) are worked twice: by one plain ``db_worker`` (every queue; it takes
tasks oldest first, so the renders go first), and by a ``--queue-name webhooks`` worker
beside a ``--queue-name renders`` one. Figures: seconds from the workers' start to the
last webhook received, and the ratio.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from coverage.models import CategoryCode, Contractor
from portal import queues
from portal.models import Platform
from tests.coverage.helpers import (
    ApiClient,
    approved_janitorial,
    bound_policy,
    make_job,
)
from tests.coverage.webhook_receiver import Receiver, running_receiver
from tests.policies.helpers import make_contractor
from tests.reliability.test_queues import DATABASE_TASKS, running, wait_for

pytestmark = [pytest.mark.perf, pytest.mark.django_db(transaction=True)]

DISPATCHES = 12
WORKER = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
WORKER += ["--interval", "0.1"]


@pytest.fixture
def category(platform: Platform) -> CategoryCode:
    return approved_janitorial(platform)


@pytest.fixture
def contractor(platform: Platform, category: CategoryCode) -> Contractor:
    contractor = make_contractor(platform, email="terry@example.com", state="NJ")
    bound_policy(contractor, category=category)
    return contractor


def dispatch_all(
    api: ApiClient, platform: Platform, contractor: Contractor, category: CategoryCode
) -> None:
    for n in range(DISPATCHES):
        job = make_job(platform, category=category, name=f"Office cleaning {n}")
        response = api.post(
            "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
        )
        assert response.status_code == 201, response.content


def last_webhook_after(
    receiver: Receiver, commands: list[list[str]], media_root: Path, log: Path
) -> float:
    wanted = 2 * DISPATCHES
    with running(*commands, media_root=media_root, log=log):
        started = time.monotonic()
        wait_for(lambda: len(receiver.requests) >= wanted, timeout=300, what="webhooks")
        return receiver.requests[wanted - 1].at - started


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
        dispatch_all(api, platform, contractor, category)
        shared = last_webhook_after(receiver, [WORKER], media_root, log)
        receiver.requests.clear()
        dispatch_all(api, platform, contractor, category)
        separate = last_webhook_after(
            receiver,
            [
                [*WORKER, "--queue-name", queues.WEBHOOKS],
                [*WORKER, "--queue-name", queues.RENDERS],
            ],
            media_root,
            log,
        )
    print(
        f"\n{2 * DISPATCHES} webhooks behind {DISPATCHES} render tasks: one worker for "
        f"every queue {shared:.2f} s, a webhooks worker of their own {separate:.2f} s "
        f"({shared / separate:.1f}x sooner)"
    )
    assert separate < shared

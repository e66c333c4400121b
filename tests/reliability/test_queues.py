"""Background work on separate queues (issue 14): a render backlog does not hold up
webhooks. Real ``manage.py db_worker`` processes on the test database, started with
the commands of the repository's supervisor files, dispatches through /api/v1,
deliveries to a receiver on 127.0.0.1.

- The webhooks worker (systemd's ``coverage-worker@webhooks``) delivers every
  dispatch's webhooks while the dispatches' renders pile up, untouched, on
  ``renders``; /healthz meanwhile counts one live worker on ``webhooks`` and names the
  queues nobody serves.
- A plain ``db_worker`` (no ``--queue-name``: every queue, the command the two-host
  setup runs) then renders the backlog: every certificate's PDF is stored.
- The Procfile runs one worker per queue, the same commands as the systemd units;
  started together they serve every queue (/healthz "ok"), each task run by the worker
  of its queue.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from coverage.models import CategoryCode, Certificate, Contractor, Delivery
from portal import queues
from portal.models import Platform, WorkerHeartbeat
from tests.coverage.helpers import (
    ApiClient,
    make_job,
)
from tests.coverage.webhook_receiver import running_receiver
from tests.reliability.servers import ROOT, database_url
from tests.reliability.supervisor import procfile, systemd_command

pytestmark = pytest.mark.django_db(transaction=True)

DISPATCHES = 8
DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": list(queues.ALL),
    }
}
RENDER_PATH = "coverage.certificates.rendering.render_certificates"
DELIVER_PATH = "coverage.webhooks.delivery.deliver"


def worker_env(media_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DJANGO_WORKER_HEARTBEAT_SECONDS": "0.5",
        # The receiver is on 127.0.0.1: allowed as a self-hosted one (SSRF guard).
        "DJANGO_WEBHOOK_ALLOWED_INTERNAL_HOSTS": "127.0.0.1",
    }


@contextmanager
def running(
    *commands: list[str], media_root: Path, log: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=worker_env(media_root),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        for command in commands
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


def all_alive(processes: list[subprocess.Popen[bytes]], log: Path) -> None:
    assert all(p.poll() is None for p in processes), log.read_text()[-3000:]


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - started


def task_counts(path: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in DBTaskResult.objects.filter(task_path=path).values_list(
        "status", flat=True
    ):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a_render_backlog_does_not_delay_webhooks(
    platform: Platform,
    platform_key: str,
    contractor: Contractor,
    category: CategoryCode,
    media_root: Path,
    settings,
    tmp_path: Path,
    requires_postgres: None,
) -> None:
    settings.TASKS = DATABASE_TASKS
    api = ApiClient(platform_key)
    log = tmp_path / "workers.log"
    with running_receiver() as receiver:
        registered = api.post("/webhook_endpoints", {"url": receiver.url})
        assert registered.status_code == 201, registered.content
        for n in range(DISPATCHES):
            job = make_job(platform, category=category, name=f"Office cleaning {n}")
            response = api.post(
                "/assignments",
                {"contractor": contractor.public_id, "job": job.public_id},
            )
            assert response.status_code == 201, response.content
        deliveries = Delivery.objects.count()
        assert deliveries == 2 * DISPATCHES  # assignment.created and .active each
        assert task_counts(RENDER_PATH) == {"READY": DISPATCHES}
        assert task_counts(DELIVER_PATH) == {"READY": deliveries}

        webhooks_unit = systemd_command("coverage-worker@.service", queues.WEBHOOKS)
        with running(webhooks_unit, media_root=media_root, log=log) as workers:
            took = wait_for(
                lambda: len(receiver.requests) >= deliveries,
                timeout=60,
                what=f"{deliveries} webhook deliveries",
            )
            health = Client().get("/healthz").json()
            all_alive(workers, log)
        renders_waiting = task_counts(RENDER_PATH)
        print(
            f"\ncoverage-worker@webhooks: {len(receiver.requests)} deliveries in "
            f"{took:.2f} s with {renders_waiting.get('READY', 0)} render tasks "
            f"waiting on renders (machine shared, under load); /healthz: {health}"
        )
        assert len(receiver.requests) == deliveries
        assert task_counts(DELIVER_PATH) == {"SUCCESSFUL": deliveries}
        assert set(Delivery.objects.values_list("status", flat=True)) == {
            Delivery.Status.SUCCEEDED
        }
        # The renders were left alone: still waiting, no PDF made.
        assert renders_waiting == {"READY": DISPATCHES}
        assert not Certificate.objects.exclude(pdf="").exists()
        assert health["queues"] == {
            "default": 0,
            "renders": 0,
            "webhooks": 1,
            "email": 0,
        }
        assert health["workers"] == "partial"
        assert health["unserved_queues"] == ["default", "renders", "email"]

    # A plain db_worker serves every queue: it renders the backlog.
    plain = [sys.executable, "manage.py", "db_worker", "--no-reload"]
    with running(plain, media_root=media_root, log=log) as workers:
        took = wait_for(
            lambda: task_counts(RENDER_PATH) == {"SUCCESSFUL": DISPATCHES},
            timeout=120,
            what=f"{DISPATCHES} render tasks",
        )
        health = Client().get("/healthz").json()
        all_alive(workers, log)
    certificates = list(Certificate.objects.all())
    print(
        f"plain db_worker: {DISPATCHES} render tasks ({len(certificates)} PDFs) "
        f"in {took:.2f} s; /healthz: {health['queues']}"
    )
    assert len(certificates) == 2 * DISPATCHES
    for certificate in certificates:
        assert not certificate.render_pending
        assert (media_root / certificate.pdf.name).read_bytes().startswith(b"%PDF")
    assert health["queues"]["renders"] >= 1 and health["workers"] == "ok"


def test_the_supervisor_files_run_one_worker_per_queue(
    platform: Platform,
    platform_key: str,
    contractor: Contractor,
    category: CategoryCode,
    media_root: Path,
    settings,
    tmp_path: Path,
    requires_postgres: None,
) -> None:
    host = socket.gethostname()
    workers = {name: argv for name, argv in procfile().items() if "db_worker" in argv}
    served = {
        argv[argv.index("--queue-name") + 1]: name for name, argv in workers.items()
    }
    assert sorted(served) == sorted(queues.ALL) and len(workers) == len(queues.ALL)
    for queue, name in served.items():
        # systemd's unit for the queue: the same command, with a stable worker id.
        assert systemd_command("coverage-worker@.service", queue) == [
            *workers[name],
            "--worker-id",
            f"{host}-{queue}",
        ]

    settings.TASKS = DATABASE_TASKS
    log = tmp_path / "procfile.log"
    with running(*workers.values(), media_root=media_root, log=log) as processes:
        wait_for(
            lambda: Client().get("/healthz").json()["workers"] == "ok",
            timeout=60,
            what="a live worker on every queue",
        )
        with running_receiver() as receiver:
            api = ApiClient(platform_key)
            assert (
                api.post("/webhook_endpoints", {"url": receiver.url}).status_code == 201
            )
            job = make_job(platform, category=category)
            response = api.post(
                "/assignments",
                {"contractor": contractor.public_id, "job": job.public_id},
            )
            assert response.status_code == 201, response.content
            wait_for(
                lambda: (
                    set(DBTaskResult.objects.values_list("status", flat=True))
                    == {"SUCCESSFUL"}
                ),
                timeout=60,
                what="the dispatch's render and webhooks",
            )
        health = Client().get("/healthz").json()
        all_alive(processes, log)
    ran_by = {
        (task.queue_name, task.worker_ids[-1][:8])
        for task in DBTaskResult.objects.all()
    }
    print(f"\nthe Procfile's workers: /healthz {health}; tasks ran {sorted(ran_by)}")
    assert health["queues"] == dict.fromkeys(queues.ALL, 1)
    assert len(receiver.requests) == 2
    # Each task was run by the one worker serving its queue.
    for task in DBTaskResult.objects.all():
        [holder] = task.worker_ids
        assert WorkerHeartbeat.objects.get(worker_id=holder).queues == task.queue_name
    assert {t.queue_name for t in DBTaskResult.objects.all()} == {
        queues.RENDERS,
        queues.WEBHOOKS,
    }


def test_a_worker_for_an_unknown_queue_is_refused_by_name() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "renders,render"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        "Unknown queue render: the queues are default, renders, webhooks, email"
        in result.stderr
    )

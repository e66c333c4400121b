"""A two-host deployment on this machine, as the README's "Production" section lays it
out: web hosts (gunicorn, as ``Procfile``'s web line) and worker hosts (``manage.py
db_worker``) as separate processes on one PostgreSQL database (the test database) and
one S3 bucket, with the same settings everywhere except each host's own media folder,
which must stay empty (nothing may depend on a local file)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.reliability.servers import ROOT, database_url, free_port, wait_until_up


@dataclass
class Deployment:
    web: list[str]
    worker_ids: list[str]
    media: list[Path]
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def local_files(self) -> list[Path]:
        return [p for root in self.media for p in root.rglob("*") if p.is_file()]

    def log_tail(self, chars: int = 4000) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}"
            for log in sorted(self.logs.glob("*.log"))
        )


def live_workers(url: str) -> int:
    with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
        return int(json.load(response).get("live_workers", 0))


@contextmanager
def deployment(
    *, tmp: Path, env: dict[str, str], web: int = 2, workers: int = 2
) -> Iterator[Deployment]:
    """``web`` gunicorn hosts and ``workers`` db_worker hosts, all up and checked in."""
    ports = [free_port() for _ in range(web)]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    logs = tmp / "logs"
    logs.mkdir()
    shared = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
        "DJANGO_PAYMENT_PROCESSOR": "sandbox",
        # The load balancer's address in production; here the first web host.
        "DJANGO_BASE_URL": urls[0],
        "DJANGO_WORKER_HEARTBEAT_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    plan: list[tuple[str, list[str]]] = [
        (
            f"web-{n + 1}",
            [
                *(sys.executable, "-m", "gunicorn", "portal.wsgi"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"),
                *("--timeout", "60", "--graceful-timeout", "5"),
            ],
        )
        for n, port in enumerate(ports)
    ]
    worker_ids = [f"worker-host-{n + 1}" for n in range(workers)]
    plan += [
        (
            worker_id,
            [
                *(sys.executable, "manage.py", "db_worker", "--no-reload"),
                *("--no-startup-delay", "--interval", "0.1", "--queue-name", "*"),
                *("--worker-id", worker_id),
            ],
        )
        for worker_id in worker_ids
    ]
    running = Deployment(web=urls, worker_ids=worker_ids, media=[], logs=logs)
    try:
        for name, command in plan:
            media = tmp / f"media-{name}"
            media.mkdir()
            running.media.append(media)
            running.processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env={**shared, "DJANGO_MEDIA_ROOT": str(media)},
                    stdout=(logs / f"{name}.log").open("ab"),
                    stderr=subprocess.STDOUT,
                )
            )
        for url in urls:
            wait_until_up(url)
        deadline = time.monotonic() + 60
        while live_workers(urls[0]) < workers:
            if time.monotonic() > deadline:
                raise AssertionError("workers did not check in\n" + running.log_tail())
            time.sleep(0.3)
        yield running
    finally:
        for process in running.processes:
            process.send_signal(signal.SIGTERM)
        for process in running.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

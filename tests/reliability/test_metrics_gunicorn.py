"""Metrics under gunicorn with several workers (PROMETHEUS_MULTIPROC_DIR, gunicorn.conf.py):
whichever worker answers a scrape reports every worker's requests, and gunicorn's own log
lines are JSON like the application's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.reliability.observed import call, log_lines, scrape, value
from tests.reliability.servers import ROOT, database_url, free_port, wait_until_up

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "gunicorn-scrape-token"
WORKERS = 2


def test_every_worker_counts_in_every_scrape(tmp_path: Path) -> None:
    port = free_port()
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_99999.db").write_bytes(b"left by an earlier run")
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "DJANGO_DEBUG": "0",
                "DJANGO_SECURE": "0",
                "DJANGO_PAYMENT_PROCESSOR": "sandbox",
                "DJANGO_METRICS_TOKEN": TOKEN,
                "PROMETHEUS_MULTIPROC_DIR": str(folder),
            },
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            wait_until_up(url)
            # Concurrent requests until both workers have served some (bounded).
            sent = 0
            with ThreadPoolExecutor(max_workers=6) as pool:
                for _ in range(20):
                    statuses = list(
                        pool.map(lambda _: call("GET", f"{url}/healthz")[0], range(6))
                    )
                    assert statuses == [200] * 6
                    sent += 6
                    if len(serving_pids(log)) >= WORKERS:
                        break
                    time.sleep(0.2)
            scrapes = [scrape(url, TOKEN) for _ in range(6)]
        finally:
            server.terminate()
            server.wait(timeout=30)

    pids = serving_pids(log)
    lines = log_lines(log)  # every line of gunicorn's and the application's: JSON
    # Every /healthz the workers served (the test's, and the readiness probes, some
    # of which may have timed out waiting for a booting worker and been sent again).
    served = sum(
        1
        for line in lines
        if line["logger"] == "portal.access" and line["path"] == "/healthz"
    )
    assert served >= sent + 1
    health = {"route": "/healthz", "method": "GET", "status": "200"}
    metrics = {"route": "/metrics", "method": "GET", "status": "200"}
    counts = [
        value(s, "dcp_http_request_duration_seconds_count", **health) for s in scrapes
    ]
    seen = [
        value(s, "dcp_http_request_duration_seconds_count", **metrics) for s in scrapes
    ]
    print(
        f"\n{sent} /healthz requests (+ probes: {served} served) by workers "
        f"{sorted(pids)}; "
        f"6 scrapes report {counts}; /metrics counted {seen}"
    )
    assert len(pids) == WORKERS
    assert counts == [served] * len(scrapes)
    # Each scrape sees the ones before it, whichever worker served which.
    assert seen == [float(n) for n in range(len(scrapes))]
    assert not (folder / "counter_99999.db").exists()
    assert any(line["logger"] == "gunicorn.error" for line in lines)


def serving_pids(log: Path) -> set[int]:
    """Pids of the workers that logged a /healthz access line (so far: a line being
    written may be cut short, and is skipped)."""
    pids = set()
    for raw in log.read_text().splitlines():
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if line.get("logger") == "portal.access" and line.get("path") == "/healthz":
            pids.add(line["pid"])
    return pids

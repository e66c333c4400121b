"""Reading a live host the way operators do: its JSON log lines, its /metrics, a worker run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from portal.models import Platform
from tests.coverage.helpers import approved_janitorial, bound_policy, make_job
from tests.policies.helpers import contractor_product, make_contractor
from tests.reliability.servers import ROOT, database_url

LOG_FIELDS = {"time", "level", "logger", "message", "request_id"}


def dispatch_parties(platform: Platform) -> tuple[str, str]:
    """A covered tech and a job to dispatch them to: their public ids."""
    category = approved_janitorial(platform)
    contractor_product()
    contractor = make_contractor(platform, email="terry@example.com", state="NJ")
    job = make_job(platform, category=category)
    bound_policy(contractor, category=category)
    return contractor.public_id, job.public_id


def call(
    method: str,
    url: str,
    *,
    key: str = "",
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request; (status, headers, body) whatever the status."""
    sent = {**(headers or {})}
    if key:
        sent["Authorization"] = f"Bearer {key}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def log_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a log, each parsed as JSON (one that is not fails the test)."""
    lines = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"{path.name}:{number} is not JSON: {raw!r}") from exc
        assert isinstance(line, dict), raw
        assert set(line) >= LOG_FIELDS, f"{path.name}:{number} lacks fields: {raw}"
        lines.append(line)
    return lines


def scrape(base_url: str, token: str) -> dict[tuple[str, frozenset], float]:
    """/metrics parsed by prometheus_client: {(sample name, labels): value}."""
    status, _, body = call("GET", f"{base_url}/metrics", key=token)
    assert status == 200, body
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def worker_env(**env: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
        "DJANGO_PAYMENT_PROCESSOR": "sandbox",
        **env,
    }


def run_worker_batch(log: Path, **env: str) -> None:
    """``manage.py db_worker --batch``: runs every ready task, then exits."""
    with log.open("ab") as out:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--interval",
                "0.1",
            ],
            cwd=ROOT,
            env=worker_env(**env),
            stdout=subprocess.DEVNULL,
            stderr=out,
            check=True,
            timeout=180,
        )


@contextmanager
def receiver() -> Iterator[tuple[str, list[tuple[str, dict[str, str], bytes]]]]:
    """A local HTTP server answering 200 to every POST; its URL and what it received."""
    received: list[tuple[str, dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            length = int(self.headers.get("Content-Length") or 0)
            received.append((self.path, dict(self.headers), self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()

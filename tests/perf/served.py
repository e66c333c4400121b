"""The issue's measurement shape: the app served by gunicorn (2 sync workers, DEBUG
off) on the test database, loaded by wrk, against the bare app served the same way.

``gunicorn`` serves ``tests.perf.bench_settings`` (the portal's settings with the
bare app's URLs beside the portal's and the production task backend); ``wrk`` runs
a Lua script that gives every request its own body and idempotency key
(``write_path.lua``). wrk comes from Debian (``apt-get install -y wrk``); without it
the served benchmarks are skipped with that instruction.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.servers import ROOT, database_url, free_port

LUA = Path(__file__).with_name("write_path.lua")


def wrk_or_skip() -> str:
    found = shutil.which("wrk")
    if found is None:
        pytest.skip("wrk is not installed: `apt-get install -y wrk` (Debian) to run it")
    return found


@contextmanager
def gunicorn(*, workers: int = 2, **env: str) -> Iterator[str]:
    """The portal (and the bare app) under gunicorn on the test database: its URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "portal.wsgi",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.perf.bench_settings",
            "DATABASE_URL": database_url(),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE": "0",
            "DJANGO_PAYMENT_PROCESSOR": "sandbox",
            "DJANGO_LOG_LEVEL": "WARNING",
            # The bare app has no rate limit either; the limiter is measured elsewhere.
            "API_RATE_LIMIT_REQUESTS": "0",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("gunicorn did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass(frozen=True)
class Load:
    """What wrk measured: throughput, latency percentiles and refused requests."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int

    def __str__(self) -> str:
        return (
            f"{self.requests_per_second:,.0f} req/s, p50 {self.p50_ms:.1f} ms,"
            f" p99 {self.p99_ms:.1f} ms ({self.requests} requests, {self.failed} not 2xx)"
        )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse(output: str) -> Load:
    if "Latency Distribution" not in output:
        raise AssertionError(f"wrk measured nothing:\n{output}")
    percentile = {
        p: _ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M)
    }
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)$", output, re.M)
    refused = int(failed.group(1)) if failed else 0
    if errors:
        refused += sum(int(n) for n in re.findall(r"\d+", errors.group(1)))
    return Load(
        requests_per_second=float(
            re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)
        ),  # type: ignore[union-attr]
        p50_ms=percentile["50"],
        p99_ms=percentile["99"],
        requests=requests,
        failed=refused,
    )


def run_wrk(url: str, *, connections: int, seconds: int, env: dict[str, str]) -> Load:
    """wrk with ``connections`` connections (as many threads, at most 4) for ``seconds``."""
    wrk = wrk_or_skip()
    threads = min(connections, 4)
    done = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            url,
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    return parse(done.stdout + done.stderr)

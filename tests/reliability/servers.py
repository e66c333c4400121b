"""Web hosts for the reliability suite: separate ``manage.py runserver`` processes on
the test database, as two hosts behind a load balancer would be."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """The test database, as a DATABASE_URL another process can open."""
    s = connection.settings_dict
    user = s["USER"] or "postgres"
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def web_hosts(
    count: int, *, gunicorn: bool = False, log_dir: Path | None = None, **env: str
) -> Iterator[list[str]]:
    """``count`` web servers on the test database; their base URLs.

    ``runserver`` by default; ``gunicorn=True`` serves as production does (two sync
    workers with a deep listen backlog), for bursts wider than runserver's backlog of
    five pending connections, which resets the rest. With ``log_dir``, host ``n``
    writes its stderr (its log) to ``log_dir/web-n.log``.
    """
    base_env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
        "DJANGO_PAYMENT_PROCESSOR": "sandbox",
        **env,
    }
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    logs: list[IO[bytes]] = []
    try:
        for n in range(count):
            port = free_port()
            if log_dir:
                logs.append((log_dir / f"web-{n}.log").open("wb"))
            processes.append(
                subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("gunicorn")),
                        "portal.wsgi",
                        "--workers",
                        "2",
                        # Stop in seconds at the end, not gunicorn's 30.
                        "--graceful-timeout",
                        "2",
                        "--bind",
                        f"127.0.0.1:{port}",
                    ]
                    if gunicorn
                    else [
                        sys.executable,
                        "manage.py",
                        "runserver",
                        "--noreload",
                        f"127.0.0.1:{port}",
                    ],
                    cwd=ROOT,
                    env=base_env,
                    stdout=subprocess.DEVNULL,
                    stderr=logs[n] if log_dir else subprocess.DEVNULL,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            wait_until_up(url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        for log in logs:
            log.close()


def wait_until_up(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not start within {timeout} s")


def get(url: str, key: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()

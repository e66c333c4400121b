"""Run the test suite the way `make test` promises.

With DATABASE_URL unset, use PostgreSQL at 127.0.0.1:5432 when it answers, else
SQLite, and say which. Browser tests need /usr/bin/chromium: without it they are
left out with a loud notice, except under CI, where that is a failure. pytest's
"no tests ran" exit code is a failure too. Tests run on every core (PYTEST_WORKERS).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/portal"
NO_TESTS_COLLECTED = 5


def postgres_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url.replace("/portal", "/postgres"), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def worker_args(args: list[str], workers: str) -> list[str]:
    """pytest-xdist's arguments: every core by default, one test database per worker.

    A module's tests stay on one worker (loadscope), so its live server and fixtures
    start once. PYTEST_WORKERS=0 runs in one process; an explicit -n in args wins.
    """
    if workers == "0" or any(a == "-n" or a.startswith("-n") for a in args):
        return []
    return ["-n", workers, "--dist", "loadscope"]


def main(argv: list[str]) -> int:
    bench = "--bench" in argv
    args = [a for a in argv if a != "--bench"]
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")

    if not os.environ.get("DATABASE_URL"):
        if postgres_answers(LOCAL_POSTGRES):
            os.environ["DATABASE_URL"] = LOCAL_POSTGRES
        else:
            print("PostgreSQL at 127.0.0.1:5432 does not answer.")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        print(f"Tests run against PostgreSQL ({url.split('@')[-1]}).")
    else:
        print(
            "Tests run against SQLite; the concurrency tests need PostgreSQL and are left out."
        )

    pytest_args = (
        ["-o", "addopts=--strict-markers -p no:cacheprovider", "tests/perf", "-s"]
        if bench
        else []
    )
    if not bench and not CHROMIUM.exists():
        if ci:
            print(
                "FAIL: /usr/bin/chromium is missing, so the browser tests cannot run."
            )
            return 1
        print("!" * 72)
        print("! /usr/bin/chromium is missing: the browser tests are NOT run.")
        print("! Install it with: sudo apt-get install chromium")
        print("!" * 72)
        pytest_args += ["-m", "not browser"]

    if not bench:
        pytest_args += worker_args(args, os.environ.get("PYTEST_WORKERS", "auto"))

    import pytest

    code = pytest.main([*pytest_args, *args])
    if code == NO_TESTS_COLLECTED:
        print("FAIL: no tests ran.")
        return 1
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

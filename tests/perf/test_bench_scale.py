"""Scale: the write path, the board, the API list and a month's premium report on a big
database against a small one, measured in the same run.

With BENCH_SCALE_DATABASE_URL set, "big" is that database, made beforehand by
``manage.py generate_scale_data --assignments 10000000`` (the ledger's days are not
closed there: the probe closes the month it reads inside its own rolled-back
transaction). Otherwise the bench generates BENCH_SCALE_ASSIGNMENTS (200,000) over three
years itself. "Small" is generated each time: the big set's busiest-day density over
three days, so the board's day and the API's page hold as many rows as on the big one
and only the size of the tables differs. The probe (tests/perf/scale/probe_scale.py)
runs once per database as its own pytest process; small is measured before and after
big, so drift from other work on the machine shows. Databases the bench made are
dropped at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

pytestmark = pytest.mark.perf

ROOT = Path(__file__).resolve().parents[2]
MODEST = int(os.environ.get("BENCH_SCALE_ASSIGNMENTS", "200000"))
FIGURES = [
    "post_assignment",
    "board_day_default_page",
    "api_assignments_limit_100",
    "premium_report_month_from_ledger",
    "premium_report_month_closed",
]


def _url(name: str) -> str:
    base = urlsplit(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x")
    )
    return urlunsplit(base._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _fresh(name: str, assignments: int, days: int) -> tuple[str, float]:
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    url = _url(name)
    _manage(url, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    _manage(
        url,
        "generate_scale_data",
        "--assignments",
        str(assignments),
        "--days",
        str(days),
    )
    return url, time.perf_counter() - started


def _probe(url: str, out: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "SCALE_PROBE_OUT": str(out)}
    env.pop("DJANGO_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "tests/perf/scale/probe_scale.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:]
    return json.loads(out.read_text())


def test_bench_scale_small_against_big(tmp_path: Path) -> None:
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), (
        "the scale bench needs PostgreSQL (DATABASE_URL=postgres://…)"
    )
    made = []
    try:
        big_url = os.environ.get("BENCH_SCALE_DATABASE_URL")
        loaded = None
        if not big_url:
            big_url, loaded = _fresh("bench_scale_big", MODEST, 3 * 365)
            made.append("bench_scale_big")
        big = _probe(big_url, tmp_path / "big.json")
        # At least a full API page and board page (100) on the small day.
        per_day = max(big["dispatches_on_day"], 150)
        small_url, _ = _fresh("bench_scale_small", 3 * per_day, 3)
        made.append("bench_scale_small")
        small = _probe(small_url, tmp_path / "small.json")
        again = _probe(small_url, tmp_path / "small-again.json")
    finally:
        for name in made:
            _admin(f'DROP DATABASE IF EXISTS "{name}"')
    lines = [
        f"\nScale: {big['dispatches']:,} dispatches against {small['dispatches']:,}"
        f" ({big['dispatches_on_day']:,} on the board's day in both;"
        f" load average {big['load_average'][0]:.1f} / {small['load_average'][0]:.1f}):"
    ]
    if loaded is not None:
        lines.append(f"  generate_scale_data --assignments {MODEST:,}: {loaded:.0f} s")
    for name in FIGURES:
        b, s, s2 = (x[name]["median_ms"] for x in (big, small, again))
        lines.append(
            f"  {name:34} big {b:8.1f} ms  small {s:8.1f} / {s2:8.1f} ms"
            f"  ratio {b / min(s, s2):5.2f}×"
        )
    lines.append(f"  closing the month's days (probe, big): {big['close_month_s']} s")
    print("\n".join(lines))
    # Sanity bounds only: the figures are printed for the report.
    assert big["premium_report_month_closed"]["median_ms"] < 5_000

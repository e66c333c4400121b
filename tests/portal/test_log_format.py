"""DJANGO_LOG_FORMAT: JSON lines by default with debug off, text for a person (debug on, or
asked for), and a clear refusal of anything else — checked on what a process writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOG_SOME = """
import logging, warnings
log = logging.getLogger("coverage.demo")
log.warning("hello %s", "world")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("it broke")
warnings.warn("an old way of doing things", UserWarning)
"""


def run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", LOG_SOME],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": "sqlite://:memory:",
            "DJANGO_PAYMENT_PROCESSOR": "sandbox",
            "DJANGO_DEBUG": "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_is_the_default_with_debug_off_one_object_per_line() -> None:
    result = run()
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    print(f"\n{len(lines)} lines, e.g. {lines[0]}")
    assert [(line["level"], line["logger"]) for line in lines] == [
        ("WARNING", "coverage.demo"),
        ("ERROR", "coverage.demo"),
        ("WARNING", "py.warnings"),
    ]
    hello, broke, warned = lines
    assert hello["message"] == "hello world"
    assert hello["request_id"] == "-"
    assert hello["time"].endswith("+00:00") and "T" in hello["time"]
    assert "ZeroDivisionError" in broke["exc_info"] and "Traceback" in broke["exc_info"]
    assert "an old way of doing things" in warned["message"]


def test_text_when_asked_and_with_debug_on() -> None:
    asked, debug = run(DJANGO_LOG_FORMAT="text"), run(DJANGO_DEBUG="1")
    for result in (asked, debug):
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith("WARNING coverage.demo [-] hello world\n")
        assert "ERROR coverage.demo [-] it broke\nTraceback" in result.stderr


def test_an_unknown_format_is_refused_by_name() -> None:
    result = run(DJANGO_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT must be one of json, text (got 'xml')" in result.stderr

"""The portal's address without DJANGO_BASE_URL follows how the server was started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.base_url import from_command_line

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["manage.py", "runserver", "127.0.0.1:8731"], "http://127.0.0.1:8731"),
        (["manage.py", "runserver", "8731"], "http://127.0.0.1:8731"),
        (
            ["manage.py", "runserver", "--noreload", "localhost:9000"],
            "http://localhost:9000",
        ),
        (["manage.py", "runserver", "0.0.0.0:8080"], "http://127.0.0.1:8080"),
        (["manage.py", "runserver", "[::1]:8731"], "http://[::1]:8731"),
        (["manage.py", "runserver"], "http://127.0.0.1:8000"),
        (["manage.py", "db_worker"], "http://127.0.0.1:8000"),
    ],
)
def test_the_address_is_the_one_runserver_listens_on(
    argv: list[str], expected: str
) -> None:
    assert from_command_line(argv) == expected


def test_settings_take_the_address_from_runserver_when_unset() -> None:
    """``manage.py runserver 127.0.0.1:8731`` without DJANGO_BASE_URL links to 8731."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_BASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    code = (
        "import sys; sys.argv = ['manage.py', 'runserver', '127.0.0.1:8731'];"
        "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    )
    printed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed == "http://127.0.0.1:8731"
    env["DJANGO_BASE_URL"] = "https://coverage.example.com"
    printed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed == "https://coverage.example.com"

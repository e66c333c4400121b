"""The repository's supervisor files, read as a supervisor would: the commands they
start, made runnable here (this interpreter, this checkout)."""

from __future__ import annotations

import shlex
import socket
import sys

from tests.reliability.servers import ROOT

PROCFILE = ROOT / "Procfile"
SYSTEMD = ROOT / "deploy" / "systemd"


def procfile(*, commented: bool = False) -> dict[str, list[str]]:
    """Process type → argv; ``commented``: the alternative lines in its comments."""
    processes: dict[str, list[str]] = {}
    for raw in PROCFILE.read_text().splitlines():
        line = raw.strip()
        if commented:
            if not line.startswith("#"):
                continue
            line = line.lstrip("#").strip()
        elif line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.replace("_", "").isalnum() or not command.strip():
            continue
        processes[name] = runnable(shlex.split(command))
    return processes


def systemd_command(unit: str, instance: str) -> list[str]:
    """The ExecStart of template ``unit`` for ``instance`` (%i, %H expanded)."""
    [exec_start] = [
        line.split("=", 1)[1]
        for line in (SYSTEMD / unit).read_text().splitlines()
        if line.startswith("ExecStart=")
    ]
    expanded = exec_start.replace("%i", instance).replace("%H", socket.gethostname())
    return runnable(shlex.split(expanded))


def runnable(argv: list[str]) -> list[str]:
    """``python`` (or the unit's venv python) becomes this interpreter."""
    if argv and (argv[0] == "python" or argv[0].endswith("/bin/python")):
        return [sys.executable, *argv[1:]]
    return argv

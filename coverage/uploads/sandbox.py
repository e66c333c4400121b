"""Parsing an untrusted PDF in a child process that cannot hang or starve the worker.

A zip bomb, a page tree that loops, or a stream that decompresses to gigabytes stops at
the child's memory and CPU limits or at the wall-clock timeout; the worker only sees
"unreadable" with the reason, and goes on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from coverage.uploads.parsing import TOO_LARGE, Unreadable

# parsing.py run as a script, with -I (isolated): only pypdf is imported, nothing of
# the project or Django, and the current directory is not on the path.
CHILD = Path(__file__).with_name("parsing.py")
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
CPU_LIMIT_SECONDS = 20
WALL_TIMEOUT_SECONDS = 30
# A killed or crashed child: the file made the reader run out of time or memory.
TOO_COMPLEX = "too_complex"


def parse_untrusted(
    data: bytes, *, timeout: float = WALL_TIMEOUT_SECONDS
) -> dict[str, Any]:
    """``parsing.parse_pdf(data)`` in a limited child; raises ``Unreadable`` as it does."""
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-I",
                str(CHILD),
                str(MEMORY_LIMIT_BYTES),
                str(CPU_LIMIT_SECONDS),
            ],
            input=data,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise Unreadable(TOO_COMPLEX) from None
    if done.returncode != 0:
        # MemoryError inside pypdf surfaces as a crash when the limit is hit in C code.
        reason = TOO_LARGE if b"MemoryError" in done.stderr else TOO_COMPLEX
        raise Unreadable(reason)
    answer = json.loads(done.stdout)
    if "unreadable" in answer:
        raise Unreadable(answer["unreadable"])
    parsed: dict[str, Any] = answer["parsed"]
    return parsed

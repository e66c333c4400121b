"""A task for the worker tests: records each run in a table the test made.

``rel_runs`` gets one row per execution (not per task), so a task run twice shows
twice and a lost one not at all. ``seconds`` is slept on the first run only: the
kill -9 test kills the worker during it, and the recovered run finishes at once.
"""

from __future__ import annotations

import time

from django.db import connection
from django_tasks import task


@task()
def record_run(n: int, seconds: float = 0.0) -> int:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO rel_runs (n, pid) VALUES (%s, %s)", [n, _pid()])
        cursor.execute("SELECT count(*) FROM rel_runs WHERE n = %s", [n])
        (runs,) = cursor.fetchone() or (0,)
    if seconds and runs == 1:
        time.sleep(seconds)
    return n


def _pid() -> int:
    import os

    return os.getpid()

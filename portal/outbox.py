"""Work for after a commit, recorded in the writing transaction itself (an outbox).

With the database task backend (``django_tasks_db``, production) a task is a row in
this database: enqueuing it inside the writing transaction makes the task exist
exactly when the change does. A crash between the commit and an ``on_commit``
callback can therefore lose nothing, no worker ever looks for a row that is not
committed yet (the worker cannot see the task before the commit either), and a
rolled-back change takes its task with it. The sweepers (``render_certificates``,
``deliver_webhooks``) stay as a safety net for a worker that died mid-task.

Any other backend is given the task once the transaction commits: the tests'
ImmediateBackend runs it then, and the RQ backend (``DJANGO_TASKS_BACKEND=rq``) pushes
it to Redis then. Redis shares no transaction with the database, so with RQ a crash or a
Redis outage between the commit and the push loses the task (never the change); the
sweepers are then the guarantee, not a spare (docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend


def writes_with_transaction(task: Task[Any, Any]) -> bool:
    """True when enqueuing ``task`` writes a row in this database's transaction."""
    return isinstance(task.get_backend(), DatabaseBackend)


def enqueue(task: Task[Any, Any], *args: Any) -> None:
    """Enqueue ``task(*args)`` to run once the current transaction has committed."""
    if writes_with_transaction(task):
        send(task, *args)
        return

    def enqueue_after_commit() -> None:
        send(task, *args)

    # Robust: the change is committed whatever happens here, and the sweeps do the
    # work if the queue was unreachable. (A named function: Django logs a robust
    # callback's failure by its __qualname__.)
    transaction.on_commit(enqueue_after_commit, robust=True)


def send(task: Task[Any, Any], *args: Any) -> None:
    """Hand the task to its backend (the one place a lost queue can be simulated)."""
    task.enqueue(*args)

"""The background worker that outlives its database: ``manage.py db_worker``.

django-tasks-db's worker exits on the first ``OperationalError`` (a PostgreSQL restart
killed it every time) and a task it held stays RUNNING for ever. This worker:

- treats a lost database as weather, not a crash: it drops its connections, waits
  with a capped exponential back-off (with jitter, so a fleet does not reconnect in
  step) and carries on; a task interrupted by the outage goes back to the queue
  instead of being marked failed;
- beats a heartbeat row (``WorkerHeartbeat``) from a thread of its own, so a long
  task does not make it look dead;
- re-queues tasks left RUNNING by a worker whose heartbeat stopped (``kill -9``, a
  lost host) or by itself before an outage, and sends ``task_recovered`` so the
  work's own leases (a webhook attempt's claim) can be let go at once.

Task runs are therefore at-least-once: a task whose work committed just before the
database went away runs again. The product's tasks are idempotent for that reason
(a certificate renders once unless forced; a webhook attempt is claimed by a row).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import Signal
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from portal import queues
from portal.models import WorkerHeartbeat
from portal.request_ids import ENQUEUED_BY_KEY, running_task

logger = logging.getLogger(__name__)

# The errors a database restart, a failover or a dropped connection raise.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)

# Sent once per task put back in the queue, with its path and arguments.
task_recovered = Signal()


def heartbeat_seconds() -> float:
    return float(getattr(settings, "WORKER_HEARTBEAT_SECONDS", 5.0))


def stale_after() -> timedelta:
    """How long a silent worker counts as alive: three missed beats by default."""
    return timedelta(seconds=float(getattr(settings, "WORKER_STALE_SECONDS", 15.0)))


def close_connections() -> None:
    """Forget every connection of this thread; a broken one cannot be reused."""
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(*TRANSIENT_DB_ERRORS):
            conn.close()


class Backoff:
    """Capped exponential delays with full jitter: 0.1 s, 0.2 s … at most ``cap``."""

    def __init__(self, *, base: float = 0.1, cap: float = 5.0) -> None:
        self.base, self.cap, self.failures = base, cap, 0

    def next_delay(self) -> float:
        self.failures += 1
        ceiling = min(self.cap, self.base * 2 ** (self.failures - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (not security)

    def reset(self) -> None:
        self.failures = 0


def beat(*, worker_id: str, queues: str, started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "queues": queues[:255],
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def live_workers(*, now: datetime) -> dict[str, list[str]]:
    """The workers seen within the staleness period, with the queues each serves."""
    rows = WorkerHeartbeat.objects.filter(seen_at__gte=now - stale_after())
    return {
        worker_id: [q for q in served.split(",") if q]
        for worker_id, served in rows.values_list("worker_id", "queues")
    }


def live_worker_ids(*, now: datetime) -> set[str]:
    return set(live_workers(now=now))


def recover_orphans(*, own_id: str | None = None, others: bool = True) -> int:
    """Put back in the queue the RUNNING tasks whose worker is gone; how many.

    Gone: its heartbeat is older than ``stale_after()`` (or it never beat), and the
    task started before that, so a worker that has just claimed a task and not yet
    beaten keeps it. ``own_id`` also counts as gone: the caller holds no task.
    The update is conditional on the row being unchanged, so two workers recovering
    at once put a task back once.
    """
    now = timezone.now()
    alive = live_worker_ids(now=now) - {own_id}
    recovered = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "worker_ids", "started_at", "task_path", "args_kwargs"
    )
    for task in running:
        holder = task.worker_ids[-1] if task.worker_ids else None
        if holder in alive or (holder != own_id and not others):
            continue
        started = task.started_at
        if holder != own_id and started is not None and started > now - stale_after():
            continue
        moved = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=started
        ).update(status=TaskResultStatus.READY, started_at=None)
        if moved:
            recovered += 1
            logger.warning(
                "Re-queued task id=%s path=%s: its worker %s is gone",
                task.pk,
                task.task_path,
                holder,
            )
            task_recovered.send(
                sender=DBTaskResult,
                task_path=task.task_path,
                args=task.args_kwargs.get("args", []),
                kwargs=task.args_kwargs.get("kwargs", {}),
            )
    return recovered


class Heartbeat(threading.Thread):
    """Beats every ``heartbeat_seconds()`` on its own connection, through outages."""

    def __init__(self, *, worker_id: str, queues: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id, self.queues = worker_id, queues
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def beat_once(self) -> None:
        try:
            beat(
                worker_id=self.worker_id,
                queues=self.queues,
                started_at=self.started_at,
            )
        except TRANSIENT_DB_ERRORS as exc:
            logger.warning("Heartbeat not recorded (%s); retrying", exc)
            close_connections()

    def run(self) -> None:
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                self.beat_once()
        finally:
            close_connections()


class ResilientWorker(Worker):
    """django-tasks-db's worker, kept alive through database outages (module doc)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.backoff = Backoff()
        self.heartbeat = Heartbeat(
            worker_id=self.worker_id, queues=",".join(self.served_queues())
        )
        self.next_sweep = 0.0
        # Since when the database has answered without a break (monotonic clock).
        self.connected_since: float | None = time.monotonic()

    def served_queues(self) -> list[str]:
        """The configured queues this worker takes tasks from (``*`` spelt out)."""
        configured = [
            q for q in queues.ALL if q in task_backends[self.backend_name].queues
        ]
        if self.process_all_queues:
            return [q for q in configured if q not in self.excluded_queue_names]
        return [q for q in self.queue_names if q not in self.excluded_queue_names]

    def run(self) -> None:
        logger.info(
            "Starting worker worker_id=%s queues=%s",
            self.worker_id,
            ",".join(self.served_queues()),
        )
        self.heartbeat.start()
        try:
            self._loop()
        finally:
            self.heartbeat.stopped.set()

    def _loop(self) -> None:
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 (a thundering-herd spread)
        while self.running:
            try:
                task_result = self._step()
            except TRANSIENT_DB_ERRORS as exc:
                self.running_task = False
                self.connected_since = None
                close_connections()
                delay = self.backoff.next_delay()
                logger.warning(
                    "Database unavailable (%s); worker %s retries in %.2f s",
                    str(exc).strip().splitlines()[0] if str(exc).strip() else exc,
                    self.worker_id,
                    delay,
                )
                time.sleep(delay)
                continue
            self.backoff.reset()
            if self.connected_since is None:
                self.connected_since = time.monotonic()
            if self.batch and task_result is None:
                logger.info("No more tasks for worker_id=%s; exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info(
                    "Ran %d tasks on worker=%s; exiting.",
                    self._run_tasks,
                    self.worker_id,
                )
                return
            if self.running and task_result is None:
                time.sleep(self.interval)

    def _step(self) -> DBTaskResult | None:
        """One turn: beat and sweep when due, claim one task and run it."""
        from django.db import close_old_connections

        close_old_connections()
        if time.monotonic() >= self.next_sweep:
            # Nothing runs here now, so a task still RUNNING under this worker's id
            # was cut off by an outage; a dead worker's tasks have gone quiet.
            self.heartbeat.beat_once()
            # Peers are judged only after a full staleness period of this worker
            # being connected: just after an outage (or a start), a live peer's beat
            # may simply not have landed yet.
            settled = self.connected_since is not None and (
                time.monotonic() - self.connected_since >= stale_after().total_seconds()
            )
            recover_orphans(own_id=self.worker_id, others=settled)
            self.next_sweep = time.monotonic() + heartbeat_seconds()
        task_result = self._claim()
        if task_result is not None:
            self.run_task(task_result)
        return task_result

    def _claim(self) -> DBTaskResult | None:
        from django_tasks_db.utils import exclusive_transaction

        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """The library's run, except that a lost database is no failure of the task.

        The task stays RUNNING under this worker and is re-queued by the next sweep
        once the database answers (``recover_orphans(own_id=…)``).
        """
        original = db_task_result.set_failed

        def set_failed(exc: BaseException) -> None:
            if isinstance(exc, TRANSIENT_DB_ERRORS):
                raise exc
            original(exc)

        db_task_result.set_failed = set_failed
        # Its log lines carry the task's id and the id of the request that enqueued it.
        args_kwargs = db_task_result.args_kwargs
        with running_task(
            task_id=str(db_task_result.pk),
            request_id=args_kwargs.get(ENQUEUED_BY_KEY)
            if isinstance(args_kwargs, dict)
            else None,
        ):
            super().run_task(db_task_result)

"""Which background workers are alive, and how many serve each queue (``/healthz``).

With the database backend each ``db_worker`` beats a ``WorkerHeartbeat`` row naming the
queues it serves (``portal.workers``); one query answers. With the RQ backend the
workers register themselves in Redis, each key expiring ``--worker-ttl`` seconds (420 by
default) after its last beat, so a dead RQ worker drops out after that long.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from portal import queues
from portal.workers import live_workers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerHealth:
    live: int
    by_queue: dict[str, int]

    @property
    def unserved(self) -> list[str]:
        return [name for name, count in self.by_queue.items() if not count]

    @property
    def verdict(self) -> str:
        """``ok``: every queue has a worker; ``partial``: some do; ``none``: none."""
        if not self.live:
            return "none"
        return "partial" if self.unserved else "ok"


def worker_health(*, now: datetime) -> WorkerHealth:
    configured = [q for q in queues.ALL if q in settings.TASK_QUEUES]
    if settings.TASKS_BACKEND == "rq":
        served = _rq_workers()
    else:
        served = list(live_workers(now=now).values())
    return WorkerHealth(
        live=len(served),
        by_queue={q: sum(q in names for names in served) for q in configured},
    )


def _rq_workers() -> list[list[str]]:
    """Each registered RQ worker's queues; none when Redis does not answer."""
    import django_rq
    from redis.exceptions import RedisError
    from rq import Worker

    try:
        connection = django_rq.get_connection(queues.DEFAULT)
        workers = Worker.all(connection=connection)
        return [list(worker.queue_names()) for worker in workers]
    except RedisError as exc:
        logger.warning("Redis (the task queue) does not answer: %s", exc)
        return []

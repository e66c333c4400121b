"""``manage.py db_worker``: django-tasks-db's worker, made to survive database outages.

Same options as the library's command (this app comes first in INSTALLED_APPS, so
this command replaces it); the worker is ``portal.workers.ResilientWorker``. One
difference: without ``--queue-name`` it runs every queue (``*``), not only
``default``, so one plain ``db_worker`` does all the work (``portal.queues``);
``--queue-name renders`` (or ``renders,email``) gives a kind of work its own workers.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks import task_backends
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand
from django_tasks_db.management.commands.db_worker import logger

from portal import queues
from portal.workers import ResilientWorker


class Command(LibraryCommand):
    help = (
        "Run a database background worker that reconnects after database outages "
        "and re-queues the tasks of workers that died"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        reload, batch = options["reload"], options["batch"]
        if reload and batch:
            logger.warning("--reload and --batch cannot be used together: no reload.")
            reload = False
        queue_names = options["queue_name"].split(",")
        exclude = options["exclude_queues"]
        excluded = exclude.split(",") if exclude else []
        configured = task_backends[options["backend_name"]].queues
        unknown = sorted(set(queue_names + excluded) - configured - {"*"})
        if unknown:
            raise CommandError(
                f"Unknown queue {', '.join(unknown)}: the queues are "
                f"{', '.join(q for q in queues.ALL if q in configured)}"
            )
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

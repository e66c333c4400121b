"""Attempt every due webhook delivery: the sweep behind the per-delivery tasks.

Tasks (`manage.py db_worker`) normally make each attempt when it is due. This
catches the rest: deliveries whose task was lost with a worker that died, and
retries on a task backend that cannot wait. Run it from cron (once a minute), or
as a long-running process with --every. Any number may run at once.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from coverage.webhooks.delivery import DEFAULT_SWEEP_LIMIT, deliver_due


class Command(BaseCommand):
    help = "Attempt the webhook deliveries that are due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_SWEEP_LIMIT,
            help="At most this many attempts per sweep (default %(default)s).",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Keep sweeping, pausing this long whenever nothing is due.",
        )

    def handle(self, *args: Any, limit: int, every: float, **options: Any) -> None:
        while True:
            made = deliver_due(limit=limit)
            if made or not every:
                self.stdout.write(f"Made {made} delivery attempt(s).")
            if not every:
                return
            close_old_connections()
            if made < limit:
                time.sleep(every)

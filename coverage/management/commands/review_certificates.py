"""Review the uploaded certificates still pending: the sweep behind the review tasks.

Tasks (`manage.py db_worker`) normally review each upload as it arrives. This catches
uploads whose task was lost with a worker that died. Run it from cron (every few
minutes), or as a process with --every. Any number may run at once (rows are locked).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from coverage.uploads.review import DEFAULT_SWEEP_LIMIT, review_pending_certificates


class Command(BaseCommand):
    help = "Review uploaded certificates whose review has not run."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_SWEEP_LIMIT,
            help="At most this many uploads per sweep (default %(default)s).",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Keep sweeping, pausing this long whenever nothing is pending.",
        )

    def handle(self, *args: Any, limit: int, every: float, **options: Any) -> None:
        while True:
            done = review_pending_certificates(limit=limit)
            if done or not every:
                self.stdout.write(f"Reviewed {done} uploaded certificate(s).")
            if not every:
                return
            close_old_connections()
            if done < limit:
                time.sleep(every)

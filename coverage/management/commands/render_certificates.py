"""Render the certificates whose PDF is missing or out of date: the sweep behind the tasks.

Tasks (`manage.py db_worker`) normally render each certificate as it is issued or
revoked. This catches the rest: renderings whose task was lost with a worker that
died. Run it from cron (every few minutes), or as a process with --every. Any
number may run at once.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from coverage.certificates import DEFAULT_SWEEP_LIMIT, render_pending_certificates


class Command(BaseCommand):
    help = "Render certificates whose PDF is missing or does not show their status."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_SWEEP_LIMIT,
            help="At most this many certificates per sweep (default %(default)s).",
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
            done = render_pending_certificates(limit=limit)
            if done or not every:
                self.stdout.write(f"Rendered {done} certificate(s).")
            if not every:
                return
            close_old_connections()
            if done < limit:
                time.sleep(every)

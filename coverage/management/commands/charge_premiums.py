"""Charge every card payer's premium that is due: the scheduler of premium collection.

A charge is due 24 hours after the contractor's notice, or an hour before its dispatch
starts when that is sooner (coverage.payments.rules). Run it from cron once a minute,
or as a long-running process with --every. Any number may run at once: each charge is
taken under its assignment's row lock and the processor's idempotency key.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from coverage.payments.charging import DEFAULT_SWEEP_LIMIT, run_due_charges


class Command(BaseCommand):
    help = "Charge the card payers' premiums that are due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--limit", type=int, default=DEFAULT_SWEEP_LIMIT)
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Keep sweeping, pausing this long whenever nothing is due.",
        )

    def handle(self, *args: Any, limit: int, every: float, **options: Any) -> None:
        while True:
            made = run_due_charges(now=timezone.now(), limit=limit)
            if made or not every:
                self.stdout.write(f"Ran {made} charge(s).")
            if not every:
                return
            close_old_connections()
            if made < limit:
                time.sleep(every)

"""Delete bookkeeping past its retention (``coverage.services.retention``).

Run it from cron once a day, or with --every. Any number may run at once.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from coverage.services.retention import purge_records


class Command(BaseCommand):
    help = "Delete idempotency records, task results, webhook attempts and sessions past their retention."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--every", type=float, default=0, metavar="SECONDS")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            purged = purge_records(now=timezone.now())
            self.stdout.write(
                "Purged " + ", ".join(f"{n} {kind}" for kind, n in purged.items()) + "."
            )
            if not every:
                return
            close_old_connections()
            time.sleep(every)

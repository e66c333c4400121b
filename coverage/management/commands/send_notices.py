"""Send every due e-mail notice: the sweep behind the per-notice tasks (lost tasks, retries)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from coverage.notices import deliver_due


class Command(BaseCommand):
    help = "Send the e-mail notices that are due (first tries and retries)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--every", type=float, default=0, metavar="SECONDS")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            sent = deliver_due(now=timezone.now())
            if sent or not every:
                self.stdout.write(f"Sent {sent} notice(s).")
            if not every:
                return
            close_old_connections()
            time.sleep(every)

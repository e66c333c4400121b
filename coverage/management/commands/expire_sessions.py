"""Record every payment and application session that has lapsed, and send its event.

A session lapses 30 minutes (payment) or its lifetime (application) after creation
whether or not anyone looks at it; this sweep makes that a recorded fact with its
``payment.session.expired`` / ``application.expired`` webhook. Run it from cron once
a minute, or with --every. Any number may run at once (row locks).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from coverage.payments.sessions import expire_due_sessions


class Command(BaseCommand):
    help = "Expire the payment and application sessions that have lapsed."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--every", type=float, default=0, metavar="SECONDS")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            made = expire_due_sessions(now=timezone.now())
            if made or not every:
                self.stdout.write(f"Expired {made} session(s).")
            if not every:
                return
            close_old_connections()
            time.sleep(every)

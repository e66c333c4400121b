"""`manage.py close_premium_days`: sum each platform's settled ledger days once (daily).

Closes every day up to ``CLOSE_AFTER_DAYS`` ago that is not closed yet (the first run
closes the whole history, one transaction a day); ``--verify`` then checks every
closed day's sums against the ledger entries they summed and fails if one differs.
Daily from cron, or with ``--every 86400`` (the Procfile has it); runs may overlap (a
day another run closed first is skipped).
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from coverage.services.premium_days import close_premium_days, verify_closed_days
from portal.models import Platform


class Command(BaseCommand):
    help = (
        "Sum every settled day of each platform's premium ledger that is not summed "
        "yet (the premium report reads the sums); --verify checks the sums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--platform", metavar="ID", help="one platform (pf_…)")
        parser.add_argument(
            "--through", type=date.fromisoformat, metavar="YYYY-MM-DD",
            help="close no day after this one",
        )  # fmt: skip
        parser.add_argument(
            "--verify", action="store_true", help="check every closed day's sums"
        )
        parser.add_argument("--every", type=float, default=0, metavar="SECONDS")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            self._close(options)
            if not every:
                return
            close_old_connections()
            time.sleep(every)

    def _close(self, options: dict[str, Any]) -> None:
        platforms = Platform.objects.order_by("pk")
        if options["platform"]:
            platforms = platforms.filter(public_id=options["platform"])
            if not platforms.exists():
                raise CommandError(f"No platform {options['platform']}.")
        now = timezone.now()
        failed = 0
        for platform in platforms:
            closed = close_premium_days(
                platform=platform, now=now, through=options["through"]
            )
            self.stdout.write(f"{platform.public_id}: closed {closed} day(s)")
            if options["verify"]:
                found = verify_closed_days(
                    platform=platform, start=date.min, end=date.max
                )
                for mismatch in found:
                    self.stderr.write(
                        f"{platform.public_id} {mismatch.day}: sums {mismatch.summed},"
                        f" closed {mismatch.closed}, ledger {mismatch.ledger} (cents)"
                    )
                failed += len(found)
        if failed:
            raise CommandError(f"{failed} closed day(s) do not match the ledger.")

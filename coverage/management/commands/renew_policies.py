"""Renew the active, auto-renewing policies that expire soon (run daily from cron).

--dry-run lists what would be renewed and changes nothing. Any number of runs may
overlap: each policy is renewed once per term (see coverage.services.renewals).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coverage.services.renewals import DEFAULT_RENEWAL_DAYS, due_policies, renew_due
from policies.services import current_term_start


class Command(BaseCommand):
    help = "Renew active, auto-renewing policies that expire within --days days."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the policies that would be renewed; change nothing.",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_RENEWAL_DAYS,
            help="Renew policies expiring within this many days (default %(default)s).",
        )

    def handle(self, *args: Any, dry_run: bool, days: int, **options: Any) -> None:
        if days < 0:
            raise CommandError("--days cannot be negative.")
        now = timezone.now()
        if dry_run:
            due = list(due_policies(now=now, days=days).select_related("contractor"))
            for policy in due:
                length = policy.expires_at - current_term_start(policy)
                self.stdout.write(
                    f"Would renew {policy.number} ({policy.public_id}, "
                    f"{policy.contractor.legal_name}): expires "
                    f"{policy.expires_at:%Y-%m-%d %H:%M} UTC, new term to "
                    f"{policy.expires_at + length:%Y-%m-%d %H:%M} UTC"
                )
            self.stdout.write(f"{len(due)} policy(ies) due for renewal.")
            return
        run = renew_due(now=now, days=days)
        for policy in run.renewed:
            self.stdout.write(
                f"Renewed {policy.number} ({policy.public_id}) to "
                f"{policy.expires_at:%Y-%m-%d %H:%M} UTC (term {policy.term_number})"
            )
        for number, why in run.failed:
            self.stderr.write(f"Could not renew {number}: {why}")
        self.stdout.write(
            f"Renewed {len(run.renewed)} policy(ies); {len(run.failed)} refused."
        )

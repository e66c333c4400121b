"""Cancel duplicate live dispatches (``coverage.duplicate_dispatches``), keeping the earliest.

Needed once, on a database upgraded with duplicates from before the one-dispatch-per-
window rule: migration coverage.0017 refuses to run until they are gone. Each later
duplicate is cancelled through the cancellation service (premium reversed in the
ledger, card payments refunded, certificates revoked, ``assignment.cancelled`` sent).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from coverage.duplicate_dispatches import find_duplicates
from coverage.models import Assignment
from coverage.services.assignments import cancel_duplicate_assignment


class Command(BaseCommand):
    help = "Cancel later duplicate live dispatches (same contractor, job, overlapping window)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the duplicates only."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "Only PostgreSQL databases can hold duplicates from before the rule "
                "(SQLite's dispatches are checked by the service)."
            )
        cancelled = 0
        while duplicates := find_duplicates(connection):
            if dry_run:
                for duplicate in duplicates:
                    self.stdout.write(f"Would cancel {duplicate}.")
                return
            # One at a time, earliest first: cancelling one may leave a later dispatch
            # overlapping nothing live, and it stays.
            duplicate = duplicates[0]
            assignment = cancel_duplicate_assignment(
                assignment=Assignment.objects.get(pk=duplicate.id), now=timezone.now()
            )
            cancelled += 1
            self.stdout.write(
                f"Cancelled {duplicate}: its premium reversed "
                f"(now {assignment.premium} cents)."
            )
        self.stdout.write(
            f"{cancelled} duplicate dispatch(es) cancelled; none remain."
            if cancelled
            else "No duplicate dispatches."
        )

"""Prove the premium ledger and the audit history intact (``coverage.services.chain_verification``).

Exit status 0 with the counts when every chain and checkpoint holds, 1 with a report of
each broken entry (which chain, which entry, what is wrong) when not, 2 where nothing
can be verified (SQLite: the chains are PostgreSQL's). Run it daily from cron and after
every restore; keep the digest it prints somewhere outside the database.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from coverage.services.chain_verification import (
    TITLES,
    NotOnPostgres,
    Report,
    verify_chains,
)

CHAINS = {"ledger": "one per assignment", "audit": "one per record"}


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the premium ledger and the audit history, and "
        "record a checkpoint of their heads."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="Verify only; record no checkpoint (a read-only check).",
        )
        parser.add_argument(
            "--expect-digest",
            metavar="HEX",
            help="A digest printed by an earlier run, kept outside the database: "
            "fail unless a checkpoint still has it.",
        )
        parser.add_argument("--max-problems", type=int, default=50, metavar="N")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = verify_chains(
                record=not options["no_checkpoint"],
                expect_digest=options["expect_digest"],
                limit=options["max_problems"],
            )
        except NotOnPostgres:
            raise CommandError(
                "verify_ledger needs PostgreSQL: the hash chains are kept by "
                f"PostgreSQL triggers, and this database ({connection.vendor}) keeps "
                "none. Nothing was verified.",
                returncode=2,
            ) from None
        self._summary(report)
        if not report.intact:
            for problem in report.problems:
                self.stderr.write(f"BROKEN  {problem}")
            hidden = report.problem_count - len(report.problems)
            if hidden:
                self.stderr.write(f"… and {hidden} more.")
            raise CommandError(
                f"The ledger or the audit history is not intact: {report.problem_count} "
                "problem(s). No checkpoint was recorded.",
                returncode=1,
            )
        self._checkpoint(report)

    def _summary(self, report: Report) -> None:
        state = "intact" if report.intact else "see below"
        for family, tally in report.tallies.items():
            self.stdout.write(
                f"{TITLES[family]}: {tally.entries} entries in {tally.chains} chains "
                f"({CHAINS[family]})."
            )
        if report.previous is None:
            self.stdout.write(
                "No earlier checkpoint: until one is recorded, a deleted last entry of a "
                "chain cannot be seen."
            )
        else:
            self.stdout.write(
                f"Earlier checkpoints: up to {report.previous.pk} "
                f"({report.previous.created_at:%Y-%m-%d %H:%M} UTC); "
                f"{report.anchored_chains} recorded heads checked ({state})."
            )

    def _checkpoint(self, report: Report) -> None:
        if report.expected_digest_found:
            self.stdout.write("The expected digest is a checkpoint's, and still holds.")
        checkpoint = report.checkpoint
        if checkpoint is None:
            self.stdout.write("Intact. No checkpoint recorded (--no-checkpoint).")
            return
        self.stdout.write(
            f"Intact. Checkpoint {checkpoint.pk} recorded "
            f"({checkpoint.heads_recorded} chain heads moved since the last)."
        )
        self.stdout.write(f"Digest: {checkpoint.digest}")
        self.stdout.write(
            "Keep the digest outside the database; `manage.py verify_ledger "
            "--expect-digest <digest>` checks it later."
        )

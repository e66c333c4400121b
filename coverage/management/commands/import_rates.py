"""`manage.py import_rates FILE.csv`: load a rate book (see coverage.rating.book for the format)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coverage.rating.book import RateBookError, import_rate_book_file
from portal.models import Platform

NO_SUCH_PLATFORM = "No platform is named '{name}'."
NO_SUCH_FILE = "Cannot read {path}: {reason}"


class Command(BaseCommand):
    help = (
        "Load a rate book CSV (columns: category, jurisdiction, line, class_code, "
        "class_description, effective_date, rate, source). Every row is checked first; "
        "a bad row names its line and column and nothing loads. Importing the same file "
        "again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument(
            "--approve-for",
            action="append",
            default=[],
            metavar="PLATFORM",
            help="approve every category in the file for this platform (by name; "
            "repeatable). Without it, new categories are approved for no platform.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would change, writing nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        platforms = []
        for name in options["approve_for"]:
            platform = Platform.objects.filter(name=name).first()
            if platform is None:
                raise CommandError(NO_SUCH_PLATFORM.format(name=name))
            platforms.append(platform)
        started = time.perf_counter()
        try:
            result = import_rate_book_file(
                path=options["file"], approve_for=platforms, dry_run=options["dry_run"]
            )
        except RateBookError as error:
            raise CommandError(
                f"{options['file']}: nothing imported.\n{error}"
            ) from error
        except OSError as error:
            raise CommandError(
                NO_SUCH_FILE.format(path=options["file"], reason=error.strerror)
            ) from error
        elapsed = time.perf_counter() - started
        prefix = "Dry run, nothing written: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{options['file']}: {result.summary()} ({elapsed:.2f}s)"
        )

"""Demo data for the contractor side: the sample rate book, approved for the demo platform."""

from __future__ import annotations

from pathlib import Path

from coverage.rate_book import import_rate_book_file
from portal.demo import DemoContext
from portal.models import Platform

# Labelled in the file and on every rate (source): SAMPLE — not filed rates.
SAMPLE_RATE_BOOK = Path(__file__).resolve().parent / "data" / "sample_rate_book.csv"


def seed(context: DemoContext) -> None:
    platform = context.objects["platform"]
    assert isinstance(platform, Platform)
    # The same import `manage.py import_rates` runs; a second seed changes nothing.
    result = import_rate_book_file(path=SAMPLE_RATE_BOOK, approve_for=[platform])
    context.out.write(
        f"Sample rate book (SAMPLE — not filed rates): {result.summary()}\n"
    )

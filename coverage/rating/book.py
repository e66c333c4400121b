"""Importing the rate book from CSV: what `manage.py import_rates` and the demo data both call.

Rows are read and checked by ``coverage.rating.parsing``; this module checks them against the
database and loads them.

The rate book is data, not code. One CSV row says: job category C, in jurisdiction J,
for line L, is rated in class K (described as D), and K's rate from date E on is R cents
of premium per $100 of pay (source S). Columns, in any order, named on the first line:

    category,jurisdiction,line,class_code,class_description,effective_date,rate,source

``class_description`` and ``source`` may be left out; the others are required. ``line``
is a coverage type (general, workers-comp, professional, media, cyber) or the wire
names ``gl`` / ``wc``; ``jurisdiction`` a two-letter state; ``effective_date``
YYYY-MM-DD; ``rate`` a decimal number of cents per $100 of pay (0 or more, at most four
decimals). Lines starting with ``#`` and blank lines are ignored (the sample book labels
itself that way); line numbers in errors count them, so they match an editor's.

Import rules:
- Every row is checked, and the file as a whole against the database, before anything is
  written; any error fails the import, naming line and column, and nothing loads.
- Unknown categories are created, approved for no platform (the contractor API approves
  categories per platform, so a rate book must not open one to everybody); ``approve_for``
  approves every category in the file for the given platforms.
- A category's class for a (jurisdiction, line) follows the file: a different class
  than on file re-maps it from now on (recorded premiums keep their class).
- A rate already on file for a class and effective date is history that may have priced
  dispatches: the file must repeat it exactly. A change is a new row with a new
  effective date. Descriptions and sources are labels: a non-empty one in the file replaces the one
  on file.
- Importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import TextIO

from django.db import connection, transaction

from coverage.models import CategoryCode, ClassCode, ClassMapping, Rate
from coverage.rating.parsing import RateBookError, RateRow, line_name, read_rate_book
from coverage.services.onboarding import approve_categories
from portal.models import Platform

# pg_advisory_xact_lock key serialising imports: "rate" "book" as two 32-bit words.
RATE_BOOK_LOCK = 0x72617465_626F6F6B

RATE_ON_FILE = (
    "line {line}, column rate: '{value}' differs from the rate on file for class "
    "'{class_code}' ({jurisdiction} {line_name}) from {day}, {on_file}; a rate in force "
    "is history, so a change needs a row with a new effective_date"
)


@dataclass
class ImportResult:
    """What an import changed (or, for a dry run, would change)."""

    rows: int = 0
    categories_created: int = 0
    class_codes_created: int = 0
    class_codes_relabelled: int = 0
    mappings_created: int = 0
    mappings_changed: int = 0
    rates_created: int = 0
    rates_relabelled: int = 0
    approvals_added: int = 0
    categories: int = 0

    @property
    def changed(self) -> bool:
        return any(
            getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("rows", "categories")
        )

    def summary(self) -> str:
        counts = [
            (self.categories_created, "categories created"),
            (self.class_codes_created, "class codes created"),
            (self.class_codes_relabelled, "class codes relabelled"),
            (self.mappings_created, "mappings created"),
            (self.mappings_changed, "mappings changed"),
            (self.rates_created, "rates created"),
            (self.rates_relabelled, "rates relabelled"),
            (self.approvals_added, "approvals added"),
        ]
        changes = ", ".join(f"{n} {what}" for n, what in counts if n)
        return (
            f"{self.rows} rows, {self.categories} categories: "
            f"{changes or 'nothing to change'}."
        )


def import_rate_book_file(
    *, path: Path | str, approve_for: Sequence[Platform] = (), dry_run: bool = False
) -> ImportResult:
    # utf-8-sig: spreadsheets save CSV with a byte-order mark.
    with open(path, encoding="utf-8-sig", newline="") as text:
        return import_rate_book(text=text, approve_for=approve_for, dry_run=dry_run)


@transaction.atomic
def import_rate_book(
    *, text: TextIO, approve_for: Sequence[Platform] = (), dry_run: bool = False
) -> ImportResult:
    """Check the whole file, then load it in one transaction (or, with ``dry_run``, only count)."""
    rows = read_rate_book(text=text)
    _lock_rate_book()
    plan = _Plan(rows=rows, approve_for=approve_for)
    plan.check_against_database()
    if not dry_run:
        plan.write()
    return plan.result


def _lock_rate_book() -> None:
    """Take turns: one import at a time, across processes and hosts, until commit.

    Each import reads what is on file and then writes what is missing; two at once would
    both find a category missing and the second would fail on its unique name. With the
    lock, the second reads after the first commits and finds nothing to do.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RATE_BOOK_LOCK])
    # SQLite allows one writer at a time anyway.


ClassKey = tuple[str, str, str]  # jurisdiction, line, code


class _Plan:
    """What the file asks of the database, worked out with a fixed number of reads.

    Every table is read once for the keys the file names, so an import costs the same
    dozen queries whether the file has ten rows or ten thousand.
    """

    def __init__(self, *, rows: list[RateRow], approve_for: Sequence[Platform]) -> None:
        self.rows = rows
        self.approve_for = list(approve_for)
        self.category_names = sorted({row.category for row in rows})
        self.result = ImportResult(rows=len(rows), categories=len(self.category_names))

        self.categories = {
            c.name: c for c in CategoryCode.objects.filter(name__in=self.category_names)
        }
        self.class_codes = self._read_class_codes(
            {(r.jurisdiction, r.line, r.class_code) for r in rows}
        )
        self.mappings = {
            (m.category_code.name, m.jurisdiction, m.line): m
            for m in ClassMapping.objects.filter(
                category_code__in=self.categories.values()
            ).select_related("category_code", "class_code")
        }
        self.rates = {
            (
                rate.class_code.jurisdiction,
                rate.class_code.line,
                rate.class_code.code,
                rate.effective_date,
            ): rate
            for rate in Rate.objects.filter(
                class_code__in=self.class_codes.values(),
                effective_date__in={r.effective_date for r in rows},
            ).select_related("class_code")
        }

    @staticmethod
    def _read_class_codes(keys: set[ClassKey]) -> dict[ClassKey, ClassCode]:
        candidates = ClassCode.objects.filter(
            jurisdiction__in={k[0] for k in keys}, code__in={k[2] for k in keys}
        )
        return {
            key: c
            for c in candidates
            if (key := (c.jurisdiction, c.line, c.code)) in keys
        }

    def check_against_database(self) -> None:
        errors = []
        for row in self.rows:
            on_file = self.rates.get(
                (row.jurisdiction, row.line, row.class_code, row.effective_date)
            )
            if on_file is not None and on_file.rate != row.rate:
                errors.append(
                    RATE_ON_FILE.format(
                        line=row.line_number,
                        value=row.rate,
                        class_code=row.class_code,
                        jurisdiction=row.jurisdiction,
                        line_name=line_name(row.line),
                        day=row.effective_date.isoformat(),
                        on_file=on_file.rate.normalize(),
                    )
                )
        if errors:
            raise RateBookError(errors)
        self._count()

    def _count(self) -> None:
        result = self.result
        result.categories_created = len(
            [n for n in self.category_names if n not in self.categories]
        )
        seen_classes: dict[ClassKey, str] = {}
        for row in self.rows:
            key = (row.jurisdiction, row.line, row.class_code)
            if row.class_description or key not in seen_classes:
                seen_classes[key] = row.class_description
        for key, description in seen_classes.items():
            existing = self.class_codes.get(key)
            if existing is None:
                result.class_codes_created += 1
            elif description and existing.description != description:
                result.class_codes_relabelled += 1
        for mapping_key, class_code in self._wanted_mappings().items():
            existing_mapping = self.mappings.get(mapping_key)
            if existing_mapping is None:
                result.mappings_created += 1
            elif existing_mapping.class_code.code != class_code:
                result.mappings_changed += 1
        for rate_key, row in self._wanted_rates().items():
            existing_rate = self.rates.get(rate_key)
            if existing_rate is None:
                result.rates_created += 1
            elif row.source and existing_rate.source != row.source:
                result.rates_relabelled += 1
        self.missing_approvals = [
            (platform, self._missing_approvals(platform))
            for platform in self.approve_for
        ]
        result.approvals_added = sum(len(names) for _, names in self.missing_approvals)

    def _wanted_mappings(self) -> dict[tuple[str, str, str], str]:
        return {
            (row.category, row.jurisdiction, row.line): row.class_code
            for row in self.rows
        }

    def _wanted_rates(self) -> dict[tuple[str, str, str, date], RateRow]:
        return {
            (row.jurisdiction, row.line, row.class_code, row.effective_date): row
            for row in self.rows
        }

    def _missing_approvals(self, platform: Platform) -> list[str]:
        approved = set(
            CategoryCode.approved_platforms.through.objects.filter(
                platform=platform, categorycode__name__in=self.category_names
            ).values_list("categorycode__name", flat=True)
        )
        return [name for name in self.category_names if name not in approved]

    def write(self) -> None:
        self._write_categories()
        self._write_class_codes()
        self._write_mappings()
        self._write_rates()
        self._write_approvals()

    def _write_categories(self) -> None:
        missing = [n for n in self.category_names if n not in self.categories]
        if missing:
            CategoryCode.objects.bulk_create(CategoryCode(name=n) for n in missing)
            self.categories = {
                c.name: c
                for c in CategoryCode.objects.filter(name__in=self.category_names)
            }

    def _write_class_codes(self) -> None:
        descriptions: dict[ClassKey, str] = {}
        for row in self.rows:
            key = (row.jurisdiction, row.line, row.class_code)
            if row.class_description or key not in descriptions:
                descriptions[key] = row.class_description
        relabelled = []
        for key, description in descriptions.items():
            existing = self.class_codes.get(key)
            if existing and description and existing.description != description:
                existing.description = description
                relabelled.append(existing)
        ClassCode.objects.bulk_update(relabelled, ["description"])
        missing = [key for key in descriptions if key not in self.class_codes]
        if missing:
            ClassCode.objects.bulk_create(
                ClassCode(
                    jurisdiction=j,
                    line=line,
                    code=code,
                    description=descriptions[(j, line, code)],
                )
                for j, line, code in missing
            )
            self.class_codes = self._read_class_codes(set(descriptions))

    def _write_mappings(self) -> None:
        created, changed = [], []
        for (category, jurisdiction, line), code in self._wanted_mappings().items():
            class_code = self.class_codes[(jurisdiction, line, code)]
            existing = self.mappings.get((category, jurisdiction, line))
            if existing is None:
                created.append(
                    ClassMapping(
                        category_code=self.categories[category],
                        jurisdiction=jurisdiction,
                        line=line,
                        class_code=class_code,
                    )
                )
            elif existing.class_code_id != class_code.pk:
                existing.class_code = class_code
                changed.append(existing)
        ClassMapping.objects.bulk_update(changed, ["class_code"])
        ClassMapping.objects.bulk_create(created)

    def _write_rates(self) -> None:
        created, relabelled = [], []
        for key, row in self._wanted_rates().items():
            existing = self.rates.get(key)
            if existing is None:
                created.append(
                    Rate(
                        class_code=self.class_codes[key[:3]],
                        effective_date=row.effective_date,
                        rate=row.rate,
                        source=row.source,
                    )
                )
            elif row.source and existing.source != row.source:
                existing.source = row.source
                relabelled.append(existing)
        Rate.objects.bulk_update(relabelled, ["source"])
        Rate.objects.bulk_create(created)

    def _write_approvals(self) -> None:
        # Through the onboarding service, so each trade newly approved for a platform
        # announces itself (category_code.added) as it does from onboard_platform.
        for platform, names in self.missing_approvals:
            approve_categories(
                platform=platform, categories=[self.categories[n] for n in names]
            )

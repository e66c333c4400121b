"""Loading the rate book from CSV: what `manage.py import_rates` and the demo data both call.

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

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from django.db import connection, transaction

from coverage.models import CategoryCode, ClassCode, ClassMapping, Rate
from policies.lines import CoverageType
from portal.jurisdictions import MONOPOLISTIC_WC_STATES, normalize_state
from portal.models import Platform

REQUIRED_COLUMNS = (
    "category",
    "jurisdiction",
    "line",
    "class_code",
    "effective_date",
    "rate",
)
OPTIONAL_COLUMNS = ("class_description", "source")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
LINE_ALIASES = {"wc": CoverageType.WORKERS_COMP.value, "gl": CoverageType.GENERAL.value}
MAX_LENGTHS = {
    "category": CategoryCode._meta.get_field("name").max_length,
    "class_code": ClassCode._meta.get_field("code").max_length,
    "class_description": ClassCode._meta.get_field("description").max_length,
    "source": Rate._meta.get_field("source").max_length,
}
RATE_DECIMALS = Rate._meta.get_field("rate").decimal_places
RATE_MAX = Decimal(10) ** (
    Rate._meta.get_field("rate").max_digits - RATE_DECIMALS
) - Decimal(1).scaleb(-RATE_DECIMALS)
# pg_advisory_xact_lock key serialising imports: "rate" "book" as two 32-bit words.
RATE_BOOK_LOCK = 0x72617465_626F6F6B
# Enough to fix a file in one go without burying the first error.
MAX_REPORTED_ERRORS = 25

EMPTY_FILE = (
    "line 1: the file is empty; its first line must name the columns: {columns}"
)
MISSING_COLUMN = (
    "line {line}, column {column}: missing column (the columns are {columns})"
)
UNKNOWN_COLUMN = (
    "line {line}, column {column}: unknown column (the columns are {columns})"
)
DUPLICATE_COLUMN = "line {line}, column {column}: the column is named twice"
NOT_CSV = "line {line}: not CSV ({reason})"
NOT_UTF8 = "the file is not UTF-8 text ({reason})"
NO_ROWS = "line {line}: the file names its columns but has no rates"
FIELD_COUNT = "line {line}: {found} values for {expected} columns"
REQUIRED = "line {line}, column {column}: a value is required"
TOO_LONG = "line {line}, column {column}: longer than {max_length} characters"
UNKNOWN_STATE = (
    "line {line}, column jurisdiction: '{value}' is not a US state "
    "(use its two-letter code, e.g. NJ)"
)
MONOPOLISTIC_STATE = (
    "line {line}, column jurisdiction: workers' compensation is not rated in {value}, a "
    "monopolistic state where only the state fund writes it"
)
UNKNOWN_LINE = (
    "line {line}, column line: '{value}' is not a coverage type "
    "(general, workers-comp, professional, media, cyber, or gl / wc)"
)
BAD_DATE = (
    "line {line}, column effective_date: '{value}' is not a date (use YYYY-MM-DD)"
)
NOT_A_NUMBER = "line {line}, column rate: '{value}' is not a number"
NEGATIVE_RATE = "line {line}, column rate: '{value}' is negative"
TOO_PRECISE = "line {line}, column rate: '{value}' has more than {decimals} decimals"
TOO_LARGE = "line {line}, column rate: '{value}' is more than {maximum}"
CONFLICTING_CLASS = (
    "line {line}, column class_code: '{value}' conflicts with line {other}, which rates "
    "'{category}' in {jurisdiction} {line_name} in class '{other_value}'"
)
CONFLICTING_RATE = (
    "line {line}, column rate: '{value}' conflicts with line {other}, which gives class "
    "'{class_code}' ({jurisdiction} {line_name}) the rate '{other_value}' from {day}"
)
CONFLICTING_DESCRIPTION = (
    "line {line}, column class_description: differs from line {other} for class "
    "'{class_code}' ({jurisdiction} {line_name})"
)
RATE_ON_FILE = (
    "line {line}, column rate: '{value}' differs from the rate on file for class "
    "'{class_code}' ({jurisdiction} {line_name}) from {day}, {on_file}; a rate in force "
    "is history, so a change needs a row with a new effective_date"
)


class RateBookError(Exception):
    """The file cannot be imported; ``errors`` name each bad line and column."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        shown = self.errors[:MAX_REPORTED_ERRORS]
        if len(self.errors) > len(shown):
            shown.append(f"… and {len(self.errors) - len(shown)} more")
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class RateRow:
    line_number: int
    category: str
    jurisdiction: str
    line: str
    class_code: str
    class_description: str
    effective_date: date
    rate: Decimal
    source: str


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


def read_rate_book(*, text: TextIO) -> list[RateRow]:
    """Parse and check every row, and the rows against each other; raise RateBookError."""
    reader = csv.reader(_without_comments(text))
    try:
        return _read(reader)
    except csv.Error as error:
        raise RateBookError(
            [NOT_CSV.format(line=reader.line_num, reason=error)]
        ) from error
    except UnicodeDecodeError as error:
        raise RateBookError([NOT_UTF8.format(reason=error.reason)]) from error


def _read(reader: Any) -> list[RateRow]:
    header: list[str] | None = None
    header_line = 1
    for record in reader:
        if record:
            header = [name.strip().lower() for name in record]
            header_line = reader.line_num
            break
    if header is None:
        raise RateBookError([EMPTY_FILE.format(columns=",".join(COLUMNS))])
    _check_header(header, header_line)

    errors: list[str] = []
    rows: list[RateRow] = []
    for record in reader:
        if not record or not any(value.strip() for value in record):
            continue
        row = _parse_row(header, record, reader.line_num, errors)
        if row is not None:
            rows.append(row)
    if not rows and not errors:
        errors.append(NO_ROWS.format(line=header_line))
    errors.extend(_consistency_errors(rows))
    if errors:
        raise RateBookError(errors)
    return rows


def _without_comments(text: TextIO) -> Iterator[str]:
    # A comment becomes an empty line rather than disappearing, so the csv module's
    # line numbers still match the file's.
    for physical_line in text:
        yield "\n" if physical_line.lstrip().startswith("#") else physical_line


def _check_header(header: list[str], line: int) -> None:
    columns = ",".join(COLUMNS)
    errors = [
        MISSING_COLUMN.format(line=line, column=column, columns=columns)
        for column in REQUIRED_COLUMNS
        if column not in header
    ]
    seen: set[str] = set()
    for name in header:
        if name not in COLUMNS:
            errors.append(
                UNKNOWN_COLUMN.format(line=line, column=name or "''", columns=columns)
            )
        elif name in seen:
            errors.append(DUPLICATE_COLUMN.format(line=line, column=name))
        seen.add(name)
    if errors:
        raise RateBookError(errors)


def _parse_row(
    header: list[str], record: list[str], line: int, errors: list[str]
) -> RateRow | None:
    if len(record) != len(header):
        errors.append(
            FIELD_COUNT.format(line=line, found=len(record), expected=len(header))
        )
        return None
    values = {name: value.strip() for name, value in zip(header, record, strict=True)}
    before = len(errors)
    for column in REQUIRED_COLUMNS:
        if not values[column]:
            errors.append(REQUIRED.format(line=line, column=column))
    for column, max_length in MAX_LENGTHS.items():
        if len(values.get(column, "")) > max_length:
            errors.append(
                TOO_LONG.format(line=line, column=column, max_length=max_length)
            )
    if len(errors) > before:
        return None

    coverage_line = LINE_ALIASES.get(values["line"].lower(), values["line"].lower())
    if coverage_line not in CoverageType.values:
        errors.append(UNKNOWN_LINE.format(line=line, value=values["line"]))
    jurisdiction = normalize_state(values["jurisdiction"])
    if not jurisdiction:
        errors.append(UNKNOWN_STATE.format(line=line, value=values["jurisdiction"]))
    elif (
        coverage_line == CoverageType.WORKERS_COMP
        and jurisdiction in MONOPOLISTIC_WC_STATES
    ):
        errors.append(MONOPOLISTIC_STATE.format(line=line, value=jurisdiction))
    effective_date = _parse_date(values["effective_date"])
    if effective_date is None:
        errors.append(BAD_DATE.format(line=line, value=values["effective_date"]))
    rate = _parse_rate(values["rate"], line, errors)
    if len(errors) > before:
        return None
    assert effective_date is not None and rate is not None
    return RateRow(
        line_number=line,
        category=values["category"],
        jurisdiction=jurisdiction,
        line=coverage_line,
        class_code=values["class_code"],
        class_description=values.get("class_description", ""),
        effective_date=effective_date,
        rate=rate,
        source=values.get("source", ""),
    )


def _parse_date(value: str) -> date | None:
    try:
        # fromisoformat also takes 20260101 and week dates; a rate book says YYYY-MM-DD.
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _parse_rate(value: str, line: int, errors: list[str]) -> Decimal | None:
    try:
        rate = Decimal(value)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        errors.append(NOT_A_NUMBER.format(line=line, value=value))
        return None
    if rate < 0:
        errors.append(NEGATIVE_RATE.format(line=line, value=value))
        return None
    if rate > RATE_MAX:
        errors.append(TOO_LARGE.format(line=line, value=value, maximum=RATE_MAX))
        return None
    # Trailing zeros are fine (1.50000); digits the column would round away are not.
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_DECIMALS)):
        errors.append(
            TOO_PRECISE.format(line=line, value=value, decimals=RATE_DECIMALS)
        )
        return None
    return rate


def _line_name(line: str) -> str:
    return str(CoverageType(line).label).lower()


def _consistency_errors(rows: list[RateRow]) -> list[str]:
    """Rows that contradict an earlier row of the same file."""
    errors: list[str] = []
    classes: dict[tuple[str, str, str], RateRow] = {}
    rates: dict[tuple[str, str, str, date], RateRow] = {}
    descriptions: dict[tuple[str, str, str], RateRow] = {}
    for row in rows:
        mapping_key = (row.category, row.jurisdiction, row.line)
        first = classes.setdefault(mapping_key, row)
        if first.class_code != row.class_code:
            errors.append(
                CONFLICTING_CLASS.format(
                    line=row.line_number,
                    value=row.class_code,
                    other=first.line_number,
                    category=row.category,
                    jurisdiction=row.jurisdiction,
                    line_name=_line_name(row.line),
                    other_value=first.class_code,
                )
            )
        class_key = (row.jurisdiction, row.line, row.class_code)
        first = rates.setdefault((*class_key, row.effective_date), row)
        if first.rate != row.rate:
            errors.append(
                CONFLICTING_RATE.format(
                    line=row.line_number,
                    value=row.rate,
                    other=first.line_number,
                    class_code=row.class_code,
                    jurisdiction=row.jurisdiction,
                    line_name=_line_name(row.line),
                    other_value=first.rate,
                    day=row.effective_date.isoformat(),
                )
            )
        if row.class_description:
            first = descriptions.setdefault(class_key, row)
            if first.class_description != row.class_description:
                errors.append(
                    CONFLICTING_DESCRIPTION.format(
                        line=row.line_number,
                        other=first.line_number,
                        class_code=row.class_code,
                        jurisdiction=row.jurisdiction,
                        line_name=_line_name(row.line),
                    )
                )
    return errors


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
                        line_name=_line_name(row.line),
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
            existing = self.mappings.get(mapping_key)
            if existing is None:
                result.mappings_created += 1
            elif existing.class_code.code != class_code:
                result.mappings_changed += 1
        for rate_key, row in self._wanted_rates().items():
            existing = self.rates.get(rate_key)
            if existing is None:
                result.rates_created += 1
            elif row.source and existing.source != row.source:
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
        through = CategoryCode.approved_platforms.through
        for platform, names in self.missing_approvals:
            through.objects.bulk_create(
                through(categorycode=self.categories[name], platform=platform)
                for name in names
            )

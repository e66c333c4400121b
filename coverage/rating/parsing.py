"""Reading a rate book CSV into checked rows (the format is in coverage.rating.book).

Every row is checked, and the rows against each other, before anything touches the
database; errors name line and column.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from coverage.models import CategoryCode, ClassCode, Rate
from coverage.models.base import max_length_of
from policies.lines import CoverageType
from portal.jurisdictions import MONOPOLISTIC_WC_STATES, normalize_state

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
    "category": max_length_of(CategoryCode, "name"),
    "class_code": max_length_of(ClassCode, "code"),
    "class_description": max_length_of(ClassCode, "description"),
    "source": max_length_of(Rate, "source"),
}
RATE_DECIMALS = Rate._meta.get_field("rate").decimal_places
RATE_MAX = Decimal(10) ** (
    Rate._meta.get_field("rate").max_digits - RATE_DECIMALS
) - Decimal(1).scaleb(-RATE_DECIMALS)
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


def line_name(line: str) -> str:
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
                    line_name=line_name(row.line),
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
                    line_name=line_name(row.line),
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
                        line_name=line_name(row.line),
                    )
                )
    return errors

"""Rating: the one function that prices work, for quotes, assignments and the dispatcher's preview.

``rate()`` routes every requested line to a jurisdiction — workers' compensation to the
state where the work happens (the work job's region), every other line to the state the
contractor lives in (the contractor's region) — applies the product's refusals, and reads
the rate book: the category's class in that jurisdiction and the class's rate in force on
the day. Seed 001: the same tech in the same trade bills 9410 in New Jersey and 9405 in
Pennsylvania the next morning; nobody picks the class by hand.

Units (contractor API §1.5): a rate is cents of premium per $100 of pay, kept as the rate
book states it (a Decimal); a net rate is that rounded half-up to integer cents, as the
API's ``net_rate`` / ``wc_net_rate`` / ``gl_net_rate`` carry it.

Refusals are ``django.core.exceptions.ValidationError(MESSAGE, code=…)``: the message is one
of the constants below (formatted), the code one of the contractor API's error codes, so an
API handler can answer ``{"message": e.messages[0], "error_code": e.code}`` with a 400.

The rate book it reads is loaded by ``coverage.rating.book`` (the import) from rows that
``coverage.rating.parsing`` checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery

from coverage.models import CategoryCode, ClassMapping, Rate
from policies.lines import CoverageType
from portal.jurisdictions import MONOPOLISTIC_WC_STATES, US_STATES, normalize_state

# Error codes, as the contractor API spells them (1099policy-api.md §1.8).
INVALID_INPUT = "invalid_input"
BAD_REQUEST = "bad_request"
INVALID_JOB_CATEGORY_CODE = "invalid_job_category_code"

NO_LINES = "Choose at least one coverage type."
UNKNOWN_LINE = (
    'Unknown coverage type "{line}". The coverage types are: general, workers-comp, '
    "professional, media, cyber."
)
MISSING_WORK_STATE = (
    "The job has no work state. Workers' compensation is rated in the state where the "
    "work happens: give the job's address a region."
)
INVALID_WORK_STATE = (
    '"{value}" is not a US state. The work state is the two-letter code of the state '
    "where the work happens."
)
MISSING_RESIDENCE_STATE = (
    "The contractor has no residence state. General liability and the other lines are "
    "rated in the state the contractor lives in: give the contractor's address a region."
)
INVALID_RESIDENCE_STATE = (
    '"{value}" is not a US state. The residence state is the two-letter code of the '
    "state the contractor lives in."
)
WC_MONOPOLISTIC_STATE = (
    "Workers' compensation is not available for work in {state_name} ({state}): it is a "
    "monopolistic state, where workers' compensation is written only by the state fund. "
    "Quote general liability alone, or have the contractor buy the state-fund policy."
)
GL_NOT_FOR_HAWAII = "General liability is not offered to Hawaii residents."
NEEDS_GENERAL = (
    "{line_label} requires general liability in the same request (except for Hawaii "
    "residents, to whom general liability is not offered)."
)
NO_CLASS = (
    'The rate book has no {line_label} class for job category "{category}" in '
    "{state_name} ({state})."
)
NO_RATE = (
    "The rate book has no {line_label} rate in force on {on} for class {class_code} in "
    "{state_name} ({state})."
)

# The wire names of lines in "rating" and "quote_json" (DESIGN.md, API §2.6); the other
# lines go by their own coverage type value.
WIRE_KEYS: dict[str, str] = {"workers-comp": "wc", "general": "gl"}

# Lines in the order the API lists coverage types; results follow it whatever the
# request's order.
LINE_ORDER: tuple[str, ...] = tuple(CoverageType.values)
WORKERS_COMP = CoverageType.WORKERS_COMP.value
GENERAL = CoverageType.GENERAL.value
_NEED_GENERAL = (CoverageType.MEDIA.value, CoverageType.CYBER.value)
HAWAII = "HI"


@dataclass(frozen=True)
class LineRating:
    """One line, routed and rated."""

    line: str  # CoverageType value, e.g. "workers-comp"
    state: str  # the jurisdiction it was routed to
    class_code: str  # class code in that jurisdiction
    rate: Decimal  # as the rate book states it (cents per $100 of pay)
    # Integer cents per $100 of pay after modifiers (none yet: the rate rounded half-up).
    net_rate: int
    # The day the rate used took effect: which row of the rate book priced this line.
    rate_effective_date: date | None = None

    @property
    def wire_key(self) -> str:
        return WIRE_KEYS.get(self.line, self.line)

    def as_wire(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "class_code": self.class_code,
            "rate": decimal_text(self.rate),
            "net_rate": self.net_rate,
        }

    def premium_cents(self, pay_cents: int) -> int:
        """``pay_cents × net_rate / 10000``, rounded half-up to an integer cent."""
        return premium_for(pay_cents=pay_cents, net_rate=self.net_rate)


@dataclass(frozen=True)
class Rating:
    """The lines of one piece of work, each routed and rated; what quotes and assignments record."""

    lines: tuple[LineRating, ...]

    @property
    def net_rate(self) -> int:
        """The total net rate (the API's ``net_rate``): the sum of the lines' net rates."""
        return sum(line.net_rate for line in self.lines)

    def line(self, line: str) -> LineRating | None:
        _check_line_name(line)
        return next((r for r in self.lines if r.line == line), None)

    def net_rate_for(self, line: str) -> int:
        """The line's net rate (``wc_net_rate``, ``gl_net_rate``), 0 when the line was not rated.

        A name that is not a coverage type at all (say ``"wc"``) raises ValueError rather
        than reading as 0, so a typo cannot quietly drop a line's premium.
        """
        rated = self.line(line)
        return rated.net_rate if rated else 0

    def as_wire(self) -> dict[str, dict[str, Any]]:
        """The ``"rating"`` object of quotes and assignments.

        ``{"wc": {"state": "NJ", "class_code": "9410", "rate": "412.50", "net_rate": 413},
        "gl": {…}}``: one entry per rated line, keyed "wc" for workers-comp, "gl" for
        general, the other lines by their coverage type. ``net_rate`` is a JSON integer
        (cents per $100 of pay, like the API's other net rates); ``rate`` is a decimal
        *string* with at least two decimals, exactly as the rate book states it, because a
        JSON number would reach most clients as a binary float.
        """
        return {line.wire_key: line.as_wire() for line in self.lines}

    def line_premiums(self, pay_cents: int) -> dict[str, int]:
        """Premium per line in integer cents, keyed by coverage type value.

        Rule: each line's premium is ``pay_cents × net_rate / 10000`` rounded half-up to
        an integer cent (13,000¢ of pay at net rate 45 → 58.5¢ → 59¢). Lines are rounded
        separately because each line is its own policy and ledger entry.
        """
        return {line.line: line.premium_cents(pay_cents) for line in self.lines}

    def premium_cents(self, pay_cents: int) -> int:
        """Total premium in cents: the sum of the separately rounded line premiums.

        It can differ by a cent from rounding ``pay × total net rate`` once; the ledger
        records per line, so the total is defined as the sum of what it records.
        """
        return sum(self.line_premiums(pay_cents).values())


@dataclass(frozen=True)
class BookRow:
    """One class mapping with the rate in force on a day (None: no rate that day)."""

    class_code: str
    rate: Decimal | None
    rate_from: date | None


@dataclass(frozen=True)
class RateBook:
    """The rate book's rows for some (line, state) pairs on one day, read beforehand.

    ``answered`` are the pairs the read looked for; ``rows`` holds those it found (a
    pair answered but not found has no class). ``rate()`` uses it only when it answers
    for every line it routes, otherwise it reads the book itself.
    """

    on: date
    answered: frozenset[tuple[str, str]]
    rows: dict[tuple[str, str], BookRow]

    def lookup(
        self, *, states: dict[str, str], on: date
    ) -> list[tuple[str, str, Decimal | None, date | None]] | None:
        """``_lookup``'s answer from these rows, or None when they cannot give it."""
        if on != self.on or not all(
            (line, state) in self.answered for line, state in states.items()
        ):
            return None
        found = []
        for line, state in states.items():
            row = self.rows.get((line, state))
            if row is not None:
                found.append((line, row.class_code, row.rate, row.rate_from))
        return found


def rate(
    *,
    category_code: CategoryCode,
    lines: Iterable[str],
    work_state: str,
    residence_state: str,
    on: date,
    book: RateBook | None = None,
) -> Rating:
    """Route and rate ``lines`` of work in ``category_code`` for the day ``on``.

    Workers' compensation is rated in ``work_state`` (the work job's region), every other
    line in ``residence_state`` (the contractor's region). A state is required, and must
    be a US state or DC, only when a requested line is rated there. Whether the category
    is approved for the caller's platform is the caller's check, not the rate book's.

    Raises ValidationError, with one of this module's messages, for: no or unknown lines;
    a missing or invalid state; workers' compensation in a monopolistic state; general
    liability for a Hawaii resident; media or cyber without general (except for Hawaii
    residents); a category with no class for a line in its state; a class with no rate in
    force on ``on``. Runs one SQL query, whatever the size of the rate book; none when
    ``book`` (rows read beforehand with another statement) answers for every line.
    """
    if isinstance(on, datetime):
        # A datetime's date depends on the time zone; the caller decides which day it is.
        raise TypeError("rate(on=…) takes a date, not a datetime")
    wanted = _requested_lines(lines)
    states = _route(wanted, work_state=work_state, residence_state=residence_state)
    _check_product_rules(wanted, states)

    rows = None if book is None else book.lookup(states=states, on=on)
    if rows is None:
        rows = _lookup(category_code=category_code, states=states, on=on)
    found = {
        line: (class_code, rate_value, rate_from)
        for line, class_code, rate_value, rate_from in rows
    }
    rated = []
    for line in wanted:
        state = states[line]
        if line not in found:
            raise ValidationError(
                NO_CLASS.format(
                    line_label=_label(line),
                    category=category_code.name,
                    state_name=US_STATES[state],
                    state=state,
                ),
                code=INVALID_JOB_CATEGORY_CODE,
            )
        class_code, rate_value, rate_from = found[line]
        if rate_value is None:
            raise ValidationError(
                NO_RATE.format(
                    line_label=_label(line),
                    on=on.isoformat(),
                    class_code=class_code,
                    state_name=US_STATES[state],
                    state=state,
                ),
                code=BAD_REQUEST,
            )
        rated.append(
            LineRating(
                line=line,
                state=state,
                class_code=class_code,
                rate=rate_value,
                net_rate=net_rate_of(rate_value),
                rate_effective_date=rate_from,
            )
        )
    return Rating(lines=tuple(rated))


def net_rate_of(rate: Decimal) -> int:
    """A rate book rate as the API's integer net rate: rounded half-up (no modifiers yet)."""
    return int(rate.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def premium_for(*, pay_cents: int, net_rate: int) -> int:
    """``pay_cents × net_rate / 10000`` rounded half-up to an integer cent (integers only)."""
    if pay_cents < 0 or net_rate < 0:
        raise ValueError("pay and net rate cannot be negative")
    return (pay_cents * net_rate + 5_000) // 10_000


def decimal_text(value: Decimal) -> str:
    """A rate as text with at least two decimals and no trailing zeros beyond them: 45.00, 412.125."""
    if value == value.quantize(Decimal("0.01")):
        return f"{value.quantize(Decimal('0.01')):f}"
    return f"{value.normalize():f}"


def _check_line_name(line: str) -> None:
    if line not in LINE_ORDER:
        raise ValueError(f"{line!r} is not a coverage type; use one of {LINE_ORDER}")


def _label(line: str) -> str:
    return str(CoverageType(line).label).lower()


def _requested_lines(lines: Iterable[str]) -> list[str]:
    requested = list(lines)
    if isinstance(lines, str):
        # A bare "general" would otherwise iterate as letters.
        requested = [lines]
    if not requested:
        raise ValidationError(NO_LINES, code=INVALID_INPUT)
    for line in requested:
        if line not in LINE_ORDER:
            raise ValidationError(UNKNOWN_LINE.format(line=line), code=INVALID_INPUT)
    return [line for line in LINE_ORDER if line in requested]


def _route(
    lines: list[str], *, work_state: str, residence_state: str
) -> dict[str, str]:
    """The jurisdiction each line is rated in."""
    routed: dict[str, str] = {}
    for line in lines:
        if line == WORKERS_COMP:
            routed[line] = _state(work_state, MISSING_WORK_STATE, INVALID_WORK_STATE)
        else:
            routed[line] = _state(
                residence_state, MISSING_RESIDENCE_STATE, INVALID_RESIDENCE_STATE
            )
    return routed


def _state(value: str | None, missing: str, invalid: str) -> str:
    if not (value or "").strip():
        raise ValidationError(missing, code=INVALID_INPUT)
    state = normalize_state(value)
    if not state:
        raise ValidationError(
            invalid.format(value=str(value).strip()), code=INVALID_INPUT
        )
    return state


def _check_product_rules(lines: list[str], states: dict[str, str]) -> None:
    wc_state = states.get(WORKERS_COMP)
    if wc_state in MONOPOLISTIC_WC_STATES:
        raise ValidationError(
            WC_MONOPOLISTIC_STATE.format(
                state_name=US_STATES[wc_state], state=wc_state
            ),
            code=BAD_REQUEST,
        )
    if states.get(GENERAL) == HAWAII:
        raise ValidationError(GL_NOT_FOR_HAWAII, code=BAD_REQUEST)
    for line in _NEED_GENERAL:
        # Only non-WC lines remain here, so the line's state is the residence state.
        if line in states and states[line] != HAWAII and GENERAL not in states:
            raise ValidationError(
                NEEDS_GENERAL.format(line_label=CoverageType(line).label),
                code=BAD_REQUEST,
            )


def _lookup(
    *, category_code: CategoryCode, states: dict[str, str], on: date
) -> list[tuple[str, str, Decimal | None, date | None]]:
    """(line, class code, rate in force, its effective date) for each mapped line: one query.

    The mapping comes from the (category, jurisdiction, line) unique index; each rate
    from a backward scan of the (class, effective date) unique index, so the cost does
    not grow with the size of the rate book.
    """
    wanted = Q()
    for line, state in states.items():
        wanted |= Q(jurisdiction=state, line=line)
    in_force = Rate.objects.filter(
        class_code=OuterRef("class_code"), effective_date__lte=on
    ).order_by("-effective_date")
    return list(
        ClassMapping.objects.filter(wanted, category_code=category_code)
        .annotate(
            rate_value=Subquery(in_force.values("rate")[:1]),
            rate_from=Subquery(in_force.values("effective_date")[:1]),
        )
        .values_list("line", "class_code__code", "rate_value", "rate_from")
        .order_by()
    )

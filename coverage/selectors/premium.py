"""Premium for a period, straight from the ledger: totals by day, customer, tech and state.

Every figure is a SUM over the same ledger entries (one platform, ``books_on`` within
the period), grouped one way or another; the grand total is ``ledger.total``, the
function every other total uses. A report is reconciled when each breakdown adds up
to that total to the cent *and* every dispatch's ledger holds what an independent
computation from the dispatch itself says (``selectors.reconciliation``) — which the
page shows, listing every dispatch that differs, and the tests assert.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Count, QuerySet, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce

from coverage.models import LedgerEntry
from coverage.rating import WIRE_KEYS
from coverage.selectors.reconciliation import Difference, differences
from coverage.services import ledger
from policies.lines import CoverageType
from portal.jurisdictions import US_STATES
from portal.models import Platform

if TYPE_CHECKING:
    # Type-checking only: django-stubs-ext is a development dependency.
    from django_stubs_ext import WithAnnotations
    from typing_extensions import TypedDict

    class RoutedStateAnnotation(TypedDict):
        state: str

    #: A ledger entry annotated with the state its premium is routed to ("" if none).
    CsvEntry = WithAnnotations[LedgerEntry, RoutedStateAnnotation]

NOT_ROUTED = "Not rated now"


@dataclass(frozen=True)
class Row:
    key: str  # what the row groups by: a public id, a state, a day
    label: str
    amount: int  # cents
    entries: int


@dataclass(frozen=True)
class PremiumReport:
    platform: Platform
    start: date
    end: date
    total: int
    entries: int
    by_kind: list[Row]
    by_day: list[Row]
    by_customer: list[Row]
    by_tech: list[Row]
    by_state: list[Row]
    # Dispatches whose ledger differs from their premium computed independently.
    differences: list[Difference]

    def breakdowns(self) -> Iterator[tuple[str, list[Row]]]:
        yield "kind", self.by_kind
        yield "day", self.by_day
        yield "customer", self.by_customer
        yield "tech", self.by_tech
        yield "state", self.by_state

    @property
    def booked_days(self) -> list[Row]:
        """The days with entries (the chart shows every day of the period)."""
        return [row for row in self.by_day if row.entries]

    @property
    def reconciled(self) -> bool:
        """Each breakdown adds up to the ledger's total, to the cent, and no dispatch's
        ledger differs from its independently computed premium."""
        return not self.differences and all(
            sum(row.amount for row in rows) == self.total
            for _, rows in self.breakdowns()
        )


def entries_for(*, platform: Platform, start: date, end: date) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        platform=platform, books_on__gte=start, books_on__lte=end
    )


def routed_state() -> Case:
    """The state an entry's line was rated in, from its dispatch's rating snapshot."""
    return Case(
        *[
            When(
                line=line,
                then=KeyTextTransform(
                    "state",
                    KeyTransform(WIRE_KEYS.get(line, line), "assignment__rating"),
                ),
            )
            for line in CoverageType.values
        ],
        default=Value(""),
        output_field=CharField(),
    )


def _grouped(
    entries: QuerySet[LedgerEntry], *fields: str, order: tuple[str, ...] = ()
) -> list[tuple]:
    return list(
        entries.values_list(*fields)
        .annotate(amount=Sum("amount"), n=Count("pk"))
        .order_by(*(order or fields))
    )


def premium_report(*, platform: Platform, start: date, end: date) -> PremiumReport:
    """Premium booked for ``platform`` from ``start`` to ``end`` (UTC days, inclusive).

    Eight queries: the total, one GROUP BY per breakdown, and the two of the
    independent reconciliation.
    """
    entries = entries_for(platform=platform, start=start, end=end)
    total = ledger.total(platform=platform, start=start, end=end)
    kinds = {kind: (amount, n) for kind, amount, n in _grouped(entries, "kind")}
    by_kind = [
        Row(kind, str(label), *kinds.get(kind, (0, 0)))
        for kind, label in LedgerEntry.Kind.choices
    ]
    days = {day: (amount, n) for day, amount, n in _grouped(entries, "books_on")}
    by_day = [
        Row(day.isoformat(), f"{day:%a %b} {day.day}", *days.get(day, (0, 0)))
        for day in _days(start, end)
    ]
    by_customer = [
        Row(public_id, name, amount, n)
        for public_id, name, amount, n in _grouped(
            entries,
            "entity__public_id",
            "entity__name",
            order=("-amount", "entity__name"),
        )
    ]
    by_tech = [
        Row(public_id, f"{first} {last}", amount, n)
        for public_id, first, last, amount, n in _grouped(
            entries,
            "contractor__public_id",
            "contractor__first_name",
            "contractor__last_name",
            order=("-amount", "contractor__last_name"),
        )
    ]
    states = (
        entries.annotate(
            state=Coalesce(routed_state(), Value(""), output_field=CharField())
        )
        .values_list("state")
        .annotate(amount=Sum("amount"), n=Count("pk"))
        .order_by("-amount", "state")
    )
    by_state = [
        Row(state, US_STATES.get(state, NOT_ROUTED), amount, n)
        for state, amount, n in states
    ]
    return PremiumReport(
        platform=platform,
        start=start,
        end=end,
        total=total,
        entries=sum(row.entries for row in by_kind),
        by_kind=by_kind,
        by_day=by_day,
        by_customer=by_customer,
        by_tech=by_tech,
        by_state=by_state,
        differences=differences(platform=platform, start=start, end=end),
    )


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def csv_rows(*, platform: Platform, start: date, end: date) -> QuerySet[CsvEntry]:
    """The period's ledger lines with what a CSV row names, oldest first: one query."""
    return (
        entries_for(platform=platform, start=start, end=end)
        .select_related("assignment__job", "contractor", "entity")
        .annotate(state=Coalesce(routed_state(), Value(""), output_field=CharField()))
        .order_by("books_on", "created_at", "pk")
    )

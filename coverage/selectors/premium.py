"""Premium for a period, straight from the ledger: totals by day, customer, tech and state.

Every figure is a SUM over the same ledger entries (one platform, ``books_on`` within
the period), grouped one way or another: a closed day's entries as summed once when it
closed (coverage.models.premium_days), the rest straight from the ledger. A report is reconciled when each breakdown adds up
to that total to the cent *and* every dispatch's ledger holds what an independent
computation from the dispatch itself says (``selectors.reconciliation``) — which the
page shows, listing every dispatch that differs, and the tests assert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    CharField,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce

from coverage.models import (
    ClosedPremiumDay,
    Contractor,
    LedgerEntry,
    PremiumDay,
    PremiumMonth,
)
from coverage.rating import WIRE_KEYS
from coverage.selectors.reconciliation import Difference, differences, differences_on
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

    Closed days (coverage.models.premium_days) are read from their sums and stored
    reconciliation; everything else from the ledger. Queries: 1 the period's closed
    days; over the ledger entries no close summed (open days, and entries booked to a
    closed day after it closed): 2 the total, one GROUP BY per breakdown (3 kind, 4
    day, 5 customer, 6 tech, 7 state); if any day is closed, its sums (8 kind, line and
    state, 9 customer, 10 tech); the independent reconciliation of the days not closed
    or booked to since (the ledger per dispatch, the dispatches: none if there are none).
    """
    closed = {
        row.day: row
        for row in ClosedPremiumDay.objects.filter(
            platform=platform, day__gte=start, day__lte=end
        )
    }
    entries = _not_summed(
        entries_for(platform=platform, start=start, end=end),
        closed,
        start=start,
        end=end,
    )
    total = entries.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    kinds = _Sums(_grouped(entries, "kind"))
    days = _Sums(_grouped(entries, "books_on"))
    customers = _Sums(
        _grouped(entries, "entity__public_id", "entity__name", order=("entity__name",))
    )
    techs = _Sums(
        _grouped(
            entries,
            "contractor__public_id",
            "contractor__first_name",
            "contractor__last_name",
            order=("contractor__last_name",),
        )
    )
    states = _Sums(
        entries.annotate(
            state=Coalesce(routed_state(), Value(""), output_field=CharField())
        )
        .values_list("state")
        .annotate(amount=Sum("amount"), n=Count("pk"))
        .order_by("state")
    )
    booked_since = {day for (day,) in days if day in closed}
    if closed:
        total += sum(row.total for row in closed.values())
        _add_closed(platform, list(closed), kinds, days, customers, techs, states)
    by_kind = [
        Row(kind, str(label), *kinds.of((kind,)))
        for kind, label in LedgerEntry.Kind.choices
    ]
    by_day = [
        Row(day.isoformat(), f"{day:%a %b} {day.day}", *days.of((day,)))
        for day in _days(start, end)
    ]
    by_customer = [
        Row(public_id, name, amount, n)
        for (public_id, name), (amount, n) in customers.ranked(key=lambda k: k[1])
    ]
    by_tech = [
        Row(public_id, f"{first} {last}", amount, n)
        for (public_id, first, last), (amount, n) in techs.ranked(key=lambda k: k[2])
    ]
    by_state = [
        Row(state, US_STATES.get(state, NOT_ROUTED), amount, n)
        for (state,), (amount, n) in states.ranked(key=lambda k: k[0])
    ]
    recomputed = [d for d in _days(start, end) if d not in closed or d in booked_since]
    found = (
        differences(platform=platform, start=start, end=end)
        if not closed
        else differences_on(platform=platform, days=recomputed)
    )
    for day in sorted(set(closed) - booked_since):
        found += [Difference(**stored) for stored in closed[day].differences]
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
        differences=found,
    )


def _not_summed(
    entries: QuerySet[LedgerEntry],
    closed: dict[date, ClosedPremiumDay],
    *,
    start: date,
    end: date,
) -> QuerySet[LedgerEntry]:
    """The entries no close summed: those of the open days and those booked to a
    closed day after it closed. Each term a range of the (platform, books_on, id)
    index: a negated term (books_on NOT IN the closed days) would scan the period."""
    if not closed:
        return entries
    open_days = [day for day in _days(start, end) if day not in closed]
    wanted = Q(books_on__in=open_days) if open_days else Q(pk__in=[])
    for day, row in closed.items():
        wanted |= Q(books_on=day, pk__gt=row.through_entry)
    return entries.filter(wanted)


class _Sums(dict[tuple, tuple[int, int]]):
    """(amount, entries) per breakdown key, added up from the ledger and the sums."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        super().__init__()
        for *key, amount, n in rows:
            self.add(tuple(key), amount, n)

    def add(self, key: tuple, amount: int, n: int) -> None:
        held, count = self.of(key)
        self[key] = (held + amount, count + n)

    def of(self, key: tuple) -> tuple[int, int]:
        """A key with nothing booked is (0, 0)."""
        return super().get(key, (0, 0))

    def ranked(
        self, *, key: Callable[[tuple], str]
    ) -> list[tuple[tuple, tuple[int, int]]]:
        """Largest amount first, then by ``key`` (a name)."""
        return sorted(self.items(), key=lambda item: (-item[1][0], key(item[0])))


def _add_closed(
    platform: Platform,
    days: list[date],
    kinds: _Sums,
    by_day: _Sums,
    customers: _Sums,
    techs: _Sums,
    states: _Sums,
) -> None:
    """Add the closed ``days``' sums to the breakdowns: three queries, and one more
    per kind of tech sum read when the period holds a whole calendar month."""
    sums = PremiumDay.objects.filter(platform=platform, day__in=days)
    for day, kind, state, amount, n in (
        sums.filter(entity__isnull=True, contractor__isnull=True)
        .values_list("day", "kind", "state")
        .annotate(amount=Sum("amount"), n=Sum("entries"))
        .order_by()
    ):
        kinds.add((kind,), amount, n)
        by_day.add((day,), amount, n)
        states.add((state,), amount, n)
    for *key, amount, n in (
        sums.filter(entity__isnull=False)
        .values_list("entity__public_id", "entity__name")
        .annotate(amount=Sum("amount"), n=Sum("entries"))
        .order_by()
    ):
        customers.add(tuple(key), amount, n)
    # A whole calendar month rolled up reads one row per tech (PremiumMonth); the
    # other closed days their tech sums, one row per tech and day worked. Summed per
    # contractor id first, then named.
    months = [d for d in days if d.day == 1 and month_days(d)[1] in set(days)]
    rolled = (
        set(
            PremiumMonth.objects.filter(platform=platform, month__in=months)
            .values_list("month", flat=True)
            .distinct()
        )
        if months
        else set()
    )
    tech = Contractor.objects.filter(pk=OuterRef("contractor_id"))
    if rolled:
        _add_techs(
            PremiumMonth.objects.filter(platform=platform, month__in=rolled),
            tech,
            techs,
        )
    rest = [d for d in days if d.replace(day=1) not in rolled]
    if rest:
        _add_techs(
            PremiumDay.objects.filter(
                platform=platform, day__in=rest, contractor__isnull=False
            ),
            tech,
            techs,
        )


def _add_techs(
    rows: QuerySet[PremiumDay] | QuerySet[PremiumMonth],
    tech: QuerySet[Contractor],
    techs: _Sums,
) -> None:
    for _, amount, n, *key in (
        rows.values_list("contractor_id")
        .annotate(amount=Sum("amount"), n=Sum("entries"))
        .annotate(
            public_id=Subquery(tech.values("public_id")),
            first=Subquery(tech.values("first_name")),
            last=Subquery(tech.values("last_name")),
        )
        .order_by()
    ):
        techs.add(tuple(key), amount, n)


def month_days(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s calendar month."""
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


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

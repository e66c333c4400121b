"""Closing premium days: a past day's ledger summed once, with its reconciliation.

The premium report of a month reads a closed day's ``PremiumDay`` sums instead of its
ledger entries and the day's stored reconciliation instead of recomputing every
dispatch (coverage.models.premium_days). Aggregated lazily, after the fact, by a daily
command rather than in the writing transaction: the write path stays as it is (no
statement, no trigger, no hot summary row every dispatch of a day would update), and a
day is only summed once its postings have settled.

The ledger stays the record. An entry booked to a closed day afterwards (an actuals
report, a late cancellation) has an id above the day's ``through_entry`` and the
report reads it from the ledger; such a day's reconciliation is recomputed on the fly.
``verify_closed_days`` checks every closed day's sums against the ledger.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Max,
    Min,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from coverage.models import ClosedPremiumDay, LedgerEntry, PremiumDay, PremiumMonth
from coverage.selectors.premium import month_days, routed_state
from coverage.selectors.reconciliation import differences
from portal.models import Platform

# A UTC day closes once it is this many days past: its dispatches are over and the
# postings that follow one (actuals, corrections) have mostly come in.
CLOSE_AFTER_DAYS = 3
# Entries younger than this are not summed: a transaction that drew a lower id may
# still be committing. They stay above ``through_entry`` and are read from the ledger.
SETTLE = timedelta(minutes=10)


def last_closable_day(now: datetime) -> date:
    return now.date() - timedelta(days=CLOSE_AFTER_DAYS)


@transaction.atomic
def close_premium_day(
    *, platform: Platform, day: date, now: datetime
) -> ClosedPremiumDay:
    """Sum ``platform``'s ledger of ``day`` and store its reconciliation (once)."""
    if day > last_closable_day(now):
        raise ValueError(f"{day} is less than {CLOSE_AFTER_DAYS} days past")
    existing = ClosedPremiumDay.objects.filter(platform=platform, day=day).first()
    if existing is not None:
        return existing
    through = LedgerEntry.objects.filter(created_at__lt=now - SETTLE).aggregate(
        last=Coalesce(Max("pk"), 0)
    )["last"]
    entries = LedgerEntry.objects.filter(
        platform=platform, books_on=day, pk__lte=through
    )
    state = Coalesce(routed_state(), Value(""), output_field=CharField())
    shape = list(
        entries.annotate(state=state)
        .values_list("kind", "line", "state")
        .annotate(amount=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    closed = ClosedPremiumDay.objects.create(
        platform=platform,
        day=day,
        through_entry=through,
        total=sum(row[3] for row in shape),
        entries=sum(row[4] for row in shape),
        differences=[
            dataclasses.asdict(found)
            for found in differences(platform=platform, start=day, end=day)
        ],
        closed_at=now,
    )
    rows = [
        PremiumDay(kind=kind, line=line, state=state, amount=amount, entries=n)
        for kind, line, state, amount, n in shape
    ]
    for field in ("entity_id", "contractor_id"):
        rows += [
            PremiumDay(**{field: key}, amount=amount, entries=n)
            for key, amount, n in entries.values_list(field)
            .annotate(amount=Sum("amount"), n=Count("pk"))
            .order_by()
        ]
    for row in rows:
        row.closed, row.platform, row.day = closed, platform, day
    PremiumDay.objects.bulk_create(rows, batch_size=5_000)
    roll_up_month(platform=platform, day=day)
    return closed


def roll_up_month(*, platform: Platform, day: date) -> bool:
    """Once every day of ``day``'s month is closed, sum its tech sums per tech (once)."""
    first, last = month_days(day)
    closed = ClosedPremiumDay.objects.filter(
        platform=platform, day__gte=first, day__lte=last
    )
    if closed.count() < (last - first).days + 1:
        return False
    if PremiumMonth.objects.filter(platform=platform, month=first).exists():
        return False
    PremiumMonth.objects.bulk_create(
        [
            PremiumMonth(
                platform=platform,
                month=first,
                contractor_id=contractor_id,
                amount=amount,
                entries=n,
            )
            for contractor_id, amount, n in PremiumDay.objects.filter(
                platform=platform,
                day__gte=first,
                day__lte=last,
                contractor__isnull=False,
            )
            .values_list("contractor_id")
            .annotate(amount=Sum("amount"), n=Sum("entries"))
            .order_by()
        ],
        batch_size=5_000,
    )
    return True


def close_premium_days(
    *,
    platform: Platform,
    now: datetime,
    through: date | None = None,
    progress: Callable[[date], None] | None = None,
) -> int:
    """Close every day of ``platform`` from its first ledger entry to ``through``
    (default: the last closable day) that is not closed yet; each in its own
    transaction. Returns how many days it closed."""
    last = min(through or last_closable_day(now), last_closable_day(now))
    first = LedgerEntry.objects.filter(platform=platform).aggregate(
        first=Min("books_on")
    )["first"]
    if first is None:
        return 0
    done = set(
        ClosedPremiumDay.objects.filter(
            platform=platform, day__gte=first, day__lte=last
        ).values_list("day", flat=True)
    )
    closed = 0
    day = first
    while day <= last:
        if day not in done:
            try:
                close_premium_day(platform=platform, day=day, now=now)
            except IntegrityError:
                # Another run closed it between our read and our insert.
                if not ClosedPremiumDay.objects.filter(
                    platform=platform, day=day
                ).exists():
                    raise
            else:
                closed += 1
                if progress is not None:
                    progress(day)
        day += timedelta(days=1)
    return closed


@dataclass(frozen=True)
class Mismatch:
    day: date
    summed: list[int]  # cents in the day's sums, each way (shape, customer, tech)
    ledger: int  # cents in its ledger entries up to through_entry
    closed: int  # the total the close recorded


def verify_closed_days(*, platform: Platform, start: date, end: date) -> list[Mismatch]:
    """Closed days whose sums differ from the ledger entries they summed: three queries."""
    closed = {
        row.day: row
        for row in ClosedPremiumDay.objects.filter(
            platform=platform, day__gte=start, day__lte=end
        )
    }
    # Per day and way (0: kind/line/state, 1: customer, 2: tech).
    summed: dict[tuple[date, int], int] = {}
    way = Case(
        When(entity__isnull=False, then=Value(1)),
        When(contractor__isnull=False, then=Value(2)),
        default=Value(0),
    )
    for day, found_way, total in (
        PremiumDay.objects.filter(platform=platform, day__in=list(closed))
        .annotate(way=way)
        .values_list("day", "way")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        summed[day, found_way] = total
    # Each day's entries up to the last one its close summed.
    through = ClosedPremiumDay.objects.filter(
        platform=platform, day=OuterRef("books_on")
    ).values("through_entry")
    ledger = dict(
        LedgerEntry.objects.filter(platform=platform, books_on__in=list(closed))
        .filter(pk__lte=Subquery(through))
        .values_list("books_on")
        .annotate(total=Sum("amount"))
        .values_list("books_on", "total")
    )
    found = []
    for day, row in sorted(closed.items()):
        held = ledger.get(day, 0)
        ways = [summed.get((day, way), 0) for way in range(3)]
        if row.total != held or any(way != held for way in ways):
            found.append(Mismatch(day=day, summed=ways, ledger=held, closed=row.total))
    return found

"""Billed, collected and refunded premium for a period, by day, customer and tech.

Billed is the premium ledger (what dispatches carry); collected and refunded are the
card collections ledger (``CollectionEntry``: money that moved). The report is
reconciled when the collections agree to the cent with the charges and refunds the
processor answered (``Charge`` / ``Refund``) and, for the sandbox, with the
processor's own records (``SandboxCharge``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum

from coverage.models import (
    Charge,
    CollectionEntry,
    LedgerEntry,
    Refund,
    SandboxCharge,
)
from portal.models import Platform


@dataclass
class Row:
    key: str
    label: str
    billed: int = 0
    collected: int = 0
    refunded: int = 0

    @property
    def net(self) -> int:
        return self.collected - self.refunded


@dataclass
class CollectionsReport:
    platform: Platform
    start: date
    end: date
    by_day: list[Row] = field(default_factory=list)
    by_customer: list[Row] = field(default_factory=list)
    by_tech: list[Row] = field(default_factory=list)
    billed: int = 0
    collected: int = 0
    refunded: int = 0
    # What the processor's answers (and, for the sandbox, its own records) say.
    processor_collected: int | None = None
    processor_refunded: int | None = None

    @property
    def reconciled(self) -> bool:
        return (
            self.collected == self.processor_collected
            and self.refunded == self.processor_refunded
        )


# (group key, label expression) per breakdown, for each of the two ledgers.
GROUPS = {
    "day": ("books_on", "books_on"),
    "customer": ("entity__public_id", "entity__name"),
    "tech": ("contractor__public_id", "contractor__last_name"),
}


def _rows(
    platform: Platform, start: date, end: date, key: str, label: str
) -> list[Row]:
    rows: dict[str, Row] = {}

    def row(k: object, text: object) -> Row:
        return rows.setdefault(str(k), Row(key=str(k), label=str(text)))

    billed = (
        LedgerEntry.objects.filter(platform=platform, books_on__range=(start, end))
        .values_list(key, label)
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for k, text, total in billed:
        row(k, text).billed += total
    moved = (
        CollectionEntry.objects.filter(platform=platform, books_on__range=(start, end))
        .values_list(key, label)
        .annotate(
            collected=Sum("amount", filter=Q(kind="charged"), default=0),
            refunded=Sum("amount", filter=Q(kind="refunded"), default=0),
        )
        .order_by()
    )
    for k, text, collected, refunded in moved:
        r = row(k, text)
        r.collected += collected
        r.refunded += -refunded
    return sorted(rows.values(), key=lambda r: r.key)


def collections_report(
    *, platform: Platform, start: date, end: date
) -> CollectionsReport:
    """Queries: two GROUP BYs per breakdown, then two for the processor's answers."""
    report = CollectionsReport(platform=platform, start=start, end=end)
    report.by_day = _rows(platform, start, end, *GROUPS["day"])
    report.by_customer = _rows(platform, start, end, *GROUPS["customer"])
    report.by_tech = _rows(platform, start, end, *GROUPS["tech"])
    report.billed = sum(r.billed for r in report.by_day)
    report.collected = sum(r.collected for r in report.by_day)
    report.refunded = sum(r.refunded for r in report.by_day)
    charged = Charge.objects.filter(
        platform=platform,
        collections__kind="charged",
        collections__books_on__range=(start, end),
    )
    report.processor_collected = charged.aggregate(total=Sum("amount", default=0))[
        "total"
    ]
    refunds = Refund.objects.filter(
        charge__platform=platform, entry__books_on__range=(start, end)
    )
    report.processor_refunded = refunds.aggregate(total=Sum("amount", default=0))[
        "total"
    ]
    return report


def sandbox_agrees(report: CollectionsReport) -> bool:
    """The sandbox processor's own records hold the same money (one query)."""
    refs = Charge.objects.filter(
        platform=report.platform,
        collections__kind="charged",
        collections__books_on__range=(report.start, report.end),
    ).values("processor_ref")
    totals = SandboxCharge.objects.filter(ref__in=refs, status="succeeded").aggregate(
        amount=Sum("amount", default=0)
    )
    return bool(totals["amount"] == report.processor_collected)

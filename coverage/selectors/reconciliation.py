"""Reconciling the ledger against an independent computation of what it should hold.

The premium report's other figures are SUMs over ledger entries; this one is not. For
every dispatch that starts in the period (the day its premium books to) or has entries
in it, the premium is computed again from the dispatch itself — per line, its recorded
net rate × the pay its premium stands on (actual pay once reported, else the estimate),
rounded half-up per line, for a dispatch that carries premium (not cancelled or
deleted, with a covering policy) and zero otherwise — and compared with what its
ledger entries in the period add up to. Every dispatch that differs is listed, to the
cent: a ledger row changed behind the services' back, a posting lost, a premium
mispriced. (Collections — charges and refunds — are the payments package's to add.)

Two queries whatever the number of dispatches: the ledger per dispatch, the dispatches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Sum

from coverage.models import Assignment, LedgerEntry
from coverage.services.dates import start_of_day
from coverage.services.terms import audited_premiums, premium_basis
from portal.models import Platform


@dataclass(frozen=True)
class Difference:
    """A dispatch whose ledger does not say what the dispatch itself says (cents)."""

    assignment: str  # public id
    tech: str
    expected: int
    booked: int

    @property
    def gap(self) -> int:
        return self.booked - self.expected


def expected_premium(assignment: Assignment) -> int:
    """The dispatch's premium computed from the dispatch alone (no ledger read)."""
    if (
        assignment.cancelled_at is not None
        or assignment.deleted_at is not None
        or assignment.policy_id is None
    ):
        return 0
    pay = premium_basis(assignment)
    return sum(audited_premiums(assignment, pay=pay).values())


def differences(*, platform: Platform, start: date, end: date) -> list[Difference]:
    """Every dispatch of ``platform`` whose ledger in [start, end] differs from its premium."""
    return differences_on(platform=platform, days=[start, end], span=True)


def differences_on(
    *, platform: Platform, days: list[date], span: bool = False
) -> list[Difference]:
    """As ``differences``, for the UTC ``days`` given (``span``: from the first to the
    last of them): the premium report recomputes only the days not closed."""
    if not days:
        return []
    if span:
        first, last = min(days), max(days)
        on_days = Q(books_on__gte=first, books_on__lte=last)
        ranges = [(start_of_day(first), start_of_day(last + timedelta(days=1)))]
    else:
        on_days = Q(books_on__in=days)
        ranges = [(start_of_day(d), start_of_day(d + timedelta(days=1))) for d in days]
    booked = dict(
        LedgerEntry.objects.filter(on_days, platform=platform)
        .values_list("assignment_id")
        .annotate(total=Sum("amount"))
        .values_list("assignment_id", "total")
    )
    starts = Q(pk__in=list(booked))
    for begins, ends in ranges:
        starts |= Q(effective_at__gte=begins, effective_at__lt=ends)
    dispatches = (
        Assignment.objects.filter(platform=platform)
        .filter(starts)
        .select_related("contractor")
        .order_by("pk")
    )
    found = []
    for assignment in dispatches:
        starts_in_period = any(b <= assignment.effective_at < e for b, e in ranges)
        expected = expected_premium(assignment) if starts_in_period else 0
        held = booked.get(assignment.pk, 0)
        if held != expected:
            found.append(
                Difference(
                    assignment=assignment.public_id,
                    tech=assignment.contractor.legal_name,
                    expected=expected,
                    booked=held,
                )
            )
    return found

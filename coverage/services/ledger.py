"""The premium ledger: append-only entries per assignment, line and day.

An eligible, bound assignment is *charged* its premium, booked to the day it starts.
Whenever its premium or its start day changes afterwards, the ledger receives
*adjustments* that bring the assignment's balance per (line, day) to the new figure;
reported actual pay posts *audit* entries (coverage.services.actuals); a cancellation
posts *reversals* back to zero. Entries are never updated or deleted
(LedgerEntry refuses both), so any total is a SUM over the entries as they stand, exact
to the cent at any moment.

Callers hold the assignment's row lock (``select_for_update``): postings for one
assignment are serialised, so the balance they read is the one they change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.db.models import Q, Sum

from coverage.models import Assignment, Contractor, Entity, LedgerEntry
from portal.models import Platform

Kind = LedgerEntry.Kind


def balances(*, assignment: Assignment) -> dict[tuple[str, date], int]:
    """The assignment's premium per (line, day) as the ledger holds it now."""
    rows = (
        LedgerEntry.objects.filter(assignment=assignment)
        .values_list("line", "books_on")
        .annotate(total=Sum("amount"))
    )
    return {(line, day): total for line, day, total in rows if total}


def _post(
    *,
    assignment: Assignment,
    entity_id: int,
    kind: str,
    differences: Mapping[tuple[str, date], int],
) -> list[LedgerEntry]:
    entries = [
        LedgerEntry(
            assignment=assignment,
            platform_id=assignment.platform_id,
            contractor_id=assignment.contractor_id,
            entity_id=entity_id,
            kind=kind,
            line=line,
            amount=amount,
            books_on=day,
        )
        for (line, day), amount in sorted(differences.items())
        if amount
    ]
    LedgerEntry.objects.bulk_create(entries)
    return entries


def _target(amounts: Mapping[str, int], books_on: date) -> dict[tuple[str, date], int]:
    return {(line, books_on): cents for line, cents in amounts.items() if cents}


# No savepoint: a failure here fails the caller's transaction, which is what the
# caller wants (a posting half-made is never kept), and a savepoint costs two
# statements per posting.
@transaction.atomic(savepoint=False)
def settle(
    *,
    assignment: Assignment,
    amounts: Mapping[str, int],
    books_on: date,
    kind: str | None = None,
) -> list[LedgerEntry]:
    """Make the assignment's balance ``amounts`` (cents per line) booked to ``books_on``.

    The first posting of an assignment is a charge; every later change is an
    adjustment (premium moved between days, raised or lowered, including to zero),
    or the ``kind`` given: ``audit`` when actual pay trues the estimate up.
    """
    current = balances(assignment=assignment)
    target = _target(amounts, books_on)
    differences = {
        key: target.get(key, 0) - current.get(key, 0) for key in {*current, *target}
    }
    first = not LedgerEntry.objects.filter(assignment=assignment).exists()
    entries = _post(
        assignment=assignment,
        entity_id=assignment.job.entity_id,
        kind=Kind.CHARGE if first else (kind or Kind.ADJUSTMENT),
        differences=differences,
    )
    assignment.premium = sum(target.values())
    return entries


def charge_new(
    *, assignment: Assignment, amounts: Mapping[str, int], books_on: date
) -> list[LedgerEntry]:
    """``settle`` for a dispatch created in this transaction: its first posting.

    Its ledger is empty, so nothing is read: the entries are the charges themselves.
    """
    target = _target(amounts, books_on)
    entries = _post(
        assignment=assignment,
        entity_id=assignment.job.entity_id,
        kind=Kind.CHARGE,
        differences=target,
    )
    assignment.premium = sum(target.values())
    return entries


@transaction.atomic(savepoint=False)
def reverse(*, assignment: Assignment) -> list[LedgerEntry]:
    """Take back all of the assignment's premium (cancellation)."""
    current = balances(assignment=assignment)
    entries = _post(
        assignment=assignment,
        entity_id=assignment.job.entity_id,
        kind=Kind.REVERSAL,
        differences={key: -amount for key, amount in current.items()},
    )
    assignment.premium = 0
    return entries


def total(
    *,
    platform: Platform,
    contractor: Contractor | None = None,
    entity: Entity | None = None,
    on: date | None = None,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """Premium in cents booked for ``platform`` (optionally one contractor / entity / day / range)."""
    query = Q(platform=platform)
    if contractor is not None:
        query &= Q(contractor=contractor)
    if entity is not None:
        query &= Q(entity=entity)
    if on is not None:
        query &= Q(books_on=on)
    if start is not None:
        query &= Q(books_on__gte=start)
    if end is not None:
        query &= Q(books_on__lte=end)
    return (
        LedgerEntry.objects.filter(query).aggregate(total=Sum("amount"))["total"] or 0
    )

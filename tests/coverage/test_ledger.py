"""coverage.services.ledger: balances per (line, day) reached only by appending entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coverage.models import Assignment, Contractor, LedgerEntry, WorkJob
from coverage.services import ledger
from tests.coverage.helpers import GL, WC

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)


@pytest.fixture
def assignment(contractor: Contractor, job: WorkJob) -> Assignment:
    start = timezone.now() + timedelta(days=1)
    return Assignment.objects.create(
        platform=contractor.platform,
        contractor=contractor,
        job=job,
        effective_at=start,
        end_at=start + timedelta(days=30),
        eligibility_message="test",
    )


def kinds(assignment: Assignment) -> list[tuple[str, str, int, date]]:
    return list(
        LedgerEntry.objects.filter(assignment=assignment)
        .order_by("pk")
        .values_list("kind", "line", "amount", "books_on")
    )


def test_first_posting_is_a_charge_later_ones_adjust(assignment: Assignment) -> None:
    ledger.settle(assignment=assignment, amounts={WC: 826, GL: 190}, books_on=DAY)
    ledger.settle(assignment=assignment, amounts={WC: 826, GL: 190}, books_on=DAY)
    assert assignment.premium == 1016
    assert kinds(assignment) == [
        ("charge", GL, 190, DAY),
        ("charge", WC, 826, DAY),
    ]  # settling to the same figure posts nothing
    ledger.settle(assignment=assignment, amounts={WC: 900}, books_on=DAY)
    assert kinds(assignment)[2:] == [
        ("adjustment", GL, -190, DAY),
        ("adjustment", WC, 74, DAY),
    ]
    assert ledger.balances(assignment=assignment) == {(WC, DAY): 900}


def test_moving_the_day_moves_the_balance(assignment: Assignment) -> None:
    ledger.settle(assignment=assignment, amounts={WC: 826}, books_on=DAY)
    later = DAY + timedelta(days=3)
    ledger.settle(assignment=assignment, amounts={WC: 826}, books_on=later)
    assert ledger.balances(assignment=assignment) == {(WC, later): 826}
    assert ledger.total(platform=assignment.platform, on=DAY) == 0
    assert ledger.total(platform=assignment.platform, start=DAY, end=later) == 826


def test_reverse_brings_every_line_and_day_to_zero(assignment: Assignment) -> None:
    ledger.settle(assignment=assignment, amounts={WC: 826, GL: 190}, books_on=DAY)
    ledger.reverse(assignment=assignment)
    assert assignment.premium == 0
    assert ledger.balances(assignment=assignment) == {}
    assert [k for k, *_ in kinds(assignment)] == [
        "charge",
        "charge",
        "reversal",
        "reversal",
    ]
    ledger.reverse(assignment=assignment)  # nothing left: nothing posted
    assert len(kinds(assignment)) == 4


def test_a_zero_premium_line_posts_nothing(assignment: Assignment) -> None:
    ledger.settle(assignment=assignment, amounts={WC: 0, GL: 3}, books_on=DAY)
    assert kinds(assignment) == [("charge", GL, 3, DAY)]


@pytest.mark.parametrize(
    ("kind", "amount"),
    [("charge", -5), ("reversal", 5), ("adjustment", 0)],
)
def test_the_database_refuses_entries_against_their_kind(
    assignment: Assignment, kind: str, amount: int
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            assignment=assignment,
            platform=assignment.platform,
            contractor=assignment.contractor,
            entity=assignment.job.entity,
            kind=kind,
            line=WC,
            amount=amount,
            books_on=DAY,
        )

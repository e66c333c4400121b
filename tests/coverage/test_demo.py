"""seed_demo's contractor side: a realistic day on the demo dispatcher's board."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from coverage.demo import OPTED_IN_EMAIL, PAST_DAYS
from coverage.models import (
    ApplicationSession,
    Assignment,
    Certificate,
    Contractor,
    LedgerEntry,
)
from coverage.selectors import board, tickets
from coverage.services.eligibility import (
    CATEGORY_MISMATCH,
    ELIGIBLE,
    NO_ACTIVE_POLICY,
    WORK_STATE_MISMATCH,
)
from policies.models import Policy
from portal.models import Platform, User

pytestmark = pytest.mark.django_db

# A fixed clock: the demo seeds "today", and a test must not straddle midnight.
MORNING = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    moment = [MORNING]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    return moment


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (
            Contractor,
            Policy,
            Assignment,
            LedgerEntry,
            ApplicationSession,
            Certificate,
        )
    )


def todays_tickets() -> list[tickets.Ticket]:
    dispatcher = User.objects.get(username="dispatcher")
    found = board.board_queryset(
        dispatcher, board.BoardFilters(day=MORNING.date()), at=MORNING
    )
    rows = tickets.for_display(found, at=MORNING).order_by("effective_at")
    return [tickets.ticket(a) for a in rows]


def test_the_demo_board_shows_a_day_across_nj_pa_ny(clock: list[datetime]) -> None:
    call_command("seed_demo", stdout=StringIO())
    today = todays_tickets()
    assert len(today) == 8
    assert {t.assignment.job.address_region for t in today} == {"NJ", "PA", "NY"}
    assert Counter(t.status for t in today) == {
        tickets.Status.COVERED: 4,
        tickets.Status.NOT_COVERED: 2,
        tickets.Status.CANCELLED: 1,
        tickets.Status.PENDING: 1,
    }
    reasons = {t.assignment.eligibility_message for t in today}
    assert reasons == {
        ELIGIBLE,
        WORK_STATE_MISMATCH,
        CATEGORY_MISMATCH,
        NO_ACTIVE_POLICY,
    }
    # Covered tickets carry premium; the board's total is the ledger's for the day.
    premium = sum(t.assignment.premium for t in today)
    assert premium > 0
    booked = LedgerEntry.objects.filter(books_on=MORNING.date())
    assert sum(e.amount for e in booked) == premium


def test_the_demo_has_history_and_tomorrow(clock: list[datetime]) -> None:
    call_command("seed_demo", stdout=StringIO())
    days = set(
        Assignment.objects.values_list("effective_at__date", flat=True).distinct()
    )
    first = MORNING.date() - timedelta(days=PAST_DAYS)
    assert days == {first + timedelta(days=n) for n in range(PAST_DAYS + 2)}
    tech = Contractor.objects.get(email=OPTED_IN_EMAIL)
    assert tech.policies.get().status == "active"
    assert Platform.objects.get().assignments.filter(eligible=True).exists()


def test_seed_demo_twice_the_same_day_adds_nothing(clock: list[datetime]) -> None:
    call_command("seed_demo", stdout=StringIO())
    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before


def test_seed_demo_on_a_later_day_fills_that_day(clock: list[datetime]) -> None:
    call_command("seed_demo", stdout=StringIO())
    policies = Policy.objects.count()
    clock[0] = MORNING + timedelta(days=2)
    call_command("seed_demo", stdout=StringIO())
    later = Assignment.objects.filter(effective_at__date=clock[0].date())
    assert later.count() == 8
    assert Policy.objects.count() == policies  # the opt-ins are not repeated


def test_the_covered_dispatches_certificates_are_rendered(
    clock: list[datetime],
) -> None:
    call_command("seed_demo", stdout=StringIO())
    covered = Assignment.objects.filter(eligible=True, cancelled_at__isnull=True)
    issued = Certificate.objects.filter(assignment__in=covered, status="issued")
    # One per line each covered dispatch carries (Empire Towers requires GL only).
    assert issued.count() == sum(len(a.lines) for a in covered)
    assert all(c.is_rendered and not c.render_pending for c in issued)
    assert all(default_storage.exists(c.pdf.name) for c in issued)


def test_certificates_are_added_to_a_database_seeded_without_them(
    clock: list[datetime],
) -> None:
    call_command("seed_demo", stdout=StringIO())
    expected = Certificate.objects.filter(status="issued").count()
    Certificate.objects.all().delete()
    call_command("seed_demo", stdout=StringIO())
    assert Certificate.objects.filter(status="issued").count() == expected

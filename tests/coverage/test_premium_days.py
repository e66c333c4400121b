"""Closed premium days: the report reads a closed day's sums and stored reconciliation,
and says exactly what it said from the ledger; later entries still count."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coverage.models import Assignment, ClosedPremiumDay, PremiumDay, PremiumMonth
from coverage.selectors import premium
from coverage.selectors.premium import month_days
from coverage.services import cancel_assignment, ledger
from coverage.services.premium_days import (
    close_premium_day,
    close_premium_days,
    verify_closed_days,
)
from portal.models import Platform, User
from tests.coverage import test_views_premium
from tests.coverage.portal_helpers import at
from tests.coverage.test_views_premium import period

# Two days of premium (a charge, an adjustment, a reversal, two states): the premium
# page's own fixture (``booked`` there).
two_days = test_views_premium.booked

pytestmark = pytest.mark.django_db


def later(two_days: dict) -> datetime:
    """A moment when both of the fixture's days may close."""
    return at(two_days["day2"] + timedelta(days=4), 12)


def report(platform: Platform, two_days: dict) -> premium.PremiumReport:
    return premium.premium_report(
        platform=platform, start=two_days["day1"], end=two_days["day2"]
    )


def figures(found: premium.PremiumReport) -> tuple:
    return (
        found.total,
        found.entries,
        found.by_kind,
        found.by_day,
        found.by_customer,
        found.by_tech,
        found.by_state,
        found.differences,
    )


def test_a_closed_period_reports_what_the_ledger_says(
    platform: Platform, two_days
) -> None:
    before = report(platform, two_days)
    assert (
        close_premium_days(
            platform=platform, now=later(two_days), through=two_days["day2"]
        )
        == 2
    )
    closed = ClosedPremiumDay.objects.filter(platform=platform).order_by("day")
    assert [(row.day, row.total, row.entries) for row in closed] == [
        (two_days["day1"], 1524, 4),
        (two_days["day2"], 750, 6),
    ]
    after = report(platform, two_days)
    assert figures(after) == figures(before)
    assert after.total == 2274 and after.reconciled
    # Closing again changes nothing.
    assert (
        close_premium_days(
            platform=platform, now=later(two_days), through=two_days["day2"]
        )
        == 0
    )
    assert (
        verify_closed_days(
            platform=platform, start=two_days["day1"], end=two_days["day2"]
        )
        == []
    )


def test_entries_booked_to_a_closed_day_later_count(
    platform: Platform, two_days
) -> None:
    close_premium_days(platform=platform, now=later(two_days), through=two_days["day2"])
    first = two_days["first"]
    # Cancelled (as of before it started) after its day closed: the reversals book
    # to that day, with ids above the close's last entry.
    cancel_assignment(assignment=first, now=first.effective_at - timedelta(hours=1))
    found = report(platform, two_days)
    assert found.total == ledger.total(
        platform=platform, start=two_days["day1"], end=two_days["day2"]
    )
    assert found.total == 750
    day1 = {row.key: row.amount for row in found.by_day}[two_days["day1"].isoformat()]
    assert day1 == 0
    # The day's reconciliation is computed again, with the cancellation.
    assert found.reconciled


def test_a_difference_found_at_closing_stays_on_the_report(
    platform: Platform, two_days
) -> None:
    # A ticket's pay changed behind the services' back before its day closed.
    Assignment.objects.filter(pk=two_days["first"].pk).update(pay=1)
    close_premium_days(platform=platform, now=later(two_days), through=two_days["day2"])
    found = report(platform, two_days)
    assert [d.assignment for d in found.differences] == [two_days["first"].public_id]
    assert not found.reconciled


def test_verify_finds_sums_that_differ_from_the_ledger(
    platform: Platform, two_days
) -> None:
    close_premium_days(platform=platform, now=later(two_days), through=two_days["day2"])
    row = PremiumDay.objects.filter(day=two_days["day2"], contractor__isnull=False)[0]
    PremiumDay.objects.filter(pk=row.pk).update(amount=row.amount + 1)
    found = verify_closed_days(platform=platform, start=date.min, end=date.max)
    assert [m.day for m in found] == [two_days["day2"]]
    assert found[0].ledger == 750 and found[0].summed == [750, 750, 751]


def test_the_command_closes_settled_days_and_verifies(
    platform: Platform, two_days, capsys
) -> None:
    call_command("close_premium_days", "--verify")
    # The fixture's days are tomorrow and after: not settled, nothing closed.
    assert ClosedPremiumDay.objects.count() == 0
    assert "closed 0 day(s)" in capsys.readouterr().out
    close_premium_days(platform=platform, now=later(two_days), through=two_days["day2"])
    PremiumDay.objects.filter(day=two_days["day1"]).update(amount=1)
    with pytest.raises(CommandError, match="1 closed day"):
        call_command("close_premium_days", "--verify")


def test_a_day_closes_only_once_it_has_settled(platform: Platform, two_days) -> None:
    with pytest.raises(ValueError, match="less than 3 days past"):
        close_premium_day(
            platform=platform,
            day=two_days["day1"],
            now=at(two_days["day1"] + timedelta(days=2), 23),
        )


def test_the_premium_page_of_closed_days(
    dispatcher: User, platform: Platform, two_days, client_as, django_assert_num_queries
) -> None:
    close_premium_days(platform=platform, now=later(two_days), through=two_days["day2"])
    client = client_as(dispatcher)
    # 1 session, 2 user with their platform, 3 the closed days, 4 the total of the
    # entries no close summed, one GROUP BY of them each: 5 kind, 6 day, 7 customer,
    # 8 tech, 9 state; the closed days' sums: 10 kind/line/state, 11 customer,
    # 12 tech. Nothing to reconcile again: both days are closed and untouched.
    with django_assert_num_queries(12):
        page = client.get("/premium/", period(two_days)).content.decode()
    assert 'data-testid="premium-total">$22.74<' in page
    assert 'data-testid="reconciled"' in page


def test_a_whole_closed_month_reads_one_row_per_tech(
    platform: Platform, two_days
) -> None:
    first, last = month_days(two_days["day1"])
    before = premium.premium_report(platform=platform, start=first, end=last)
    now = at(last + timedelta(days=4), 12)
    day = first
    while day <= last:
        close_premium_day(platform=platform, day=day, now=now)
        day += timedelta(days=1)
    # Rolled up when its last day closed: a row per tech of the month.
    months = PremiumMonth.objects.filter(platform=platform, month=first)
    assert months.count() == len([r for r in before.by_tech if r.entries])
    after = premium.premium_report(platform=platform, start=first, end=last)
    assert figures(after) == figures(before) and after.reconciled
    # The tech sums of the month come from its one row per tech: changing a day's
    # tech sum (which verify_closed_days reports) no longer moves the report.
    PremiumDay.objects.filter(day=two_days["day1"], contractor__isnull=False).update(
        amount=0
    )
    assert premium.premium_report(platform=platform, start=first, end=last).by_tech == (
        before.by_tech
    )

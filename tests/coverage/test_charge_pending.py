"""A card payer's dispatch before its charge runs: the board's "Charge pending" chip, and
a wage change that moves the pending charge with the premium (assignment, charge,
ledger and collections agree to the cent)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from coverage.models import (
    Assignment,
    BillingSettings,
    Charge,
    CollectionEntry,
    Contractor,
    Notice,
    WorkJob,
)
from coverage.payments import charging, rules, sandbox
from coverage.payments.cards import save_card
from coverage.services import ledger
from coverage.services.eligibility import ELIGIBLE
from portal.models import Platform
from tests.coverage.helpers import ApiClient, bound_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_payer(platform: Platform, contractor: Contractor, job: WorkJob, product):
    BillingSettings.objects.create(platform=platform, contractors_pay_by_card=True)
    bound_policy(contractor, category=job.category_code)
    save_card(contractor=contractor, card_token=sandbox.SUCCEEDS, now=timezone.now())
    return contractor


def dispatch(api: ApiClient, contractor: Contractor, job: WorkJob) -> Assignment:
    response = api.post(
        "/assignments",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "effective_date": int((timezone.now() + timedelta(days=3)).timestamp()),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["eligible"]["message"] == rules.CHARGE_PENDING
    return Assignment.objects.get(public_id=response.json()["id"])


def collected(platform: Platform) -> int:
    total = CollectionEntry.objects.filter(platform=platform).aggregate(
        s=Sum("amount")
    )["s"]
    return total or 0


def board_row(page: str, assignment: Assignment) -> str:
    start = page.index(f'id="row-{assignment.public_id}"')
    return page[start : page.index("</tr>", start)]


def test_the_board_shows_charge_pending_until_the_charge_runs(
    api: ApiClient,
    card_payer: Contractor,
    job: WorkJob,
    dispatcher,
    client_as,
) -> None:
    assignment = dispatch(api, card_payer, job)
    portal = client_as(dispatcher)
    day = assignment.effective_at.date().isoformat()
    row = board_row(portal.get(f"/board/?day={day}").content.decode(), assignment)
    assert 'data-testid="charge-pending"' in row and "Charge pending" in row
    assert 'data-status="not_covered"' in row

    charge = Charge.objects.get()
    charging.run_due_charges(now=charge.due_at)
    row = board_row(portal.get(f"/board/?day={day}").content.decode(), assignment)
    assert 'data-testid="charge-pending"' not in row
    assert 'data-status="covered"' in row


def test_a_wage_change_before_the_charge_moves_the_pending_charge(
    api: ApiClient,
    platform: Platform,
    card_payer: Contractor,
    job: WorkJob,
    django_capture_on_commit_callbacks,
) -> None:
    assignment = dispatch(api, card_payer, job)
    first = Charge.objects.get()
    assert first.amount > 0
    # Nothing is booked (the assignment's premium is what the ledger holds) while
    # the premium is uncollected.
    assert assignment.premium == ledger.total(platform=platform) == 0

    with django_capture_on_commit_callbacks(execute=True):
        changed = api.put(f"/jobs/{job.public_id}", {"wage": job.wage * 2})
    assert changed.status_code == 200, changed.content
    assignment.refresh_from_db()
    live = Charge.objects.exclude(status=Charge.Status.CANCELLED)
    [pending] = live
    assert pending.status == Charge.Status.PENDING
    # Twice the pay, twice the premium (to the cent, per line).
    assert pending.amount == 2 * first.amount
    assert pending.lines == {line: 2 * c for line, c in first.lines.items()}
    first.refresh_from_db()
    assert first.status == Charge.Status.CANCELLED
    assert not assignment.eligible
    assert assignment.eligibility_message == rules.CHARGE_PENDING
    assert assignment.premium == ledger.total(platform=platform) == 0
    # The contractor is told the new amount before it is charged.
    notices = Notice.objects.filter(kind="charge_notice").order_by("pk")
    assert notices.count() == 2
    assert charging.dollars(first.amount) in notices.first().text
    assert charging.dollars(pending.amount) in notices.last().text

    charging.run_due_charges(now=pending.due_at)
    assignment.refresh_from_db()
    pending.refresh_from_db()
    assert assignment.eligible and assignment.eligibility_message == ELIGIBLE
    assert pending.status == Charge.Status.SUCCEEDED
    # Assignment, charge, premium ledger and collections say the same.
    assert (
        assignment.premium
        == pending.amount
        == ledger.total(platform=platform)
        == collected(platform)
    )
    assert Charge.objects.filter(status=Charge.Status.SUCCEEDED).count() == 1

"""Premium on actuals: an invoice's gross pay trues the dispatch's estimate up (the audit),
with the unmodified ten99policy SDK as the client and the ticket page showing it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import ten99policy
from django.utils import timezone

from coverage.models import LedgerEntry
from coverage.services.dates import next_day
from portal.models import Platform, User
from tests.coverage.helpers import (
    GL,
    WC,
    approved_janitorial,
    bound_policy,
    make_job,
    unix,
)
from tests.coverage.test_sdk_e2e import sdk  # noqa: F401 (the fixture)
from tests.policies.helpers import contractor_product, make_contractor


def audit_entries(assignment_id: str) -> list[tuple[str, int]]:
    return sorted(
        (e.line, e.amount)
        for e in LedgerEntry.objects.filter(
            assignment__public_id=assignment_id, kind=LedgerEntry.Kind.AUDIT
        )
    )


@pytest.mark.django_db(transaction=True)
def test_an_invoice_trues_the_premium_up_to_gross_pay(
    sdk: None,  # noqa: F811
    platform: Platform,
    dispatcher: User,
    client_as,
) -> None:
    contractor_product()
    category = approved_janitorial(platform)
    tech = make_contractor(platform)
    bound_policy(tech, category=category)
    job = make_job(platform, category=category)  # $200 flat
    start = next_day(timezone.now())
    assignment = ten99policy.Assignments.create(
        contractor=tech.public_id, job=job.public_id
    )
    # The estimate: $200 × (413 + 95) / 10000.
    assert (assignment.premium, assignment.pay, assignment.actual_pay) == (
        1016,
        20000,
        None,
    )

    invoice = ten99policy.Invoices.create(
        contractor=tech.public_id,
        job=job.public_id,
        gross_pay=25000,
        paycycle_startdate=unix(start),
        paycycle_enddate=unix(start + timedelta(days=14)),
    )
    audited = ten99policy.Assignments.retrieve(assignment.id)
    # $250 really paid: WC 1032.5 → 1033, GL 237.5 → 238.
    assert (audited.premium, audited.actual_pay) == (1033 + 238, 25000)
    assert audit_entries(assignment.id) == [(GL, 48), (WC, 207)]

    page = client_as(dispatcher).get(f"/tickets/{assignment.id}/")
    assert page.status_code == 200
    html = page.content.decode()
    for testid, text in (
        ("pay-estimate", "$200.00"),
        ("pay-actual", "$250.00"),
        ("premium-estimate", "$10.16"),
        ("ticket-premium", "$12.71"),
    ):
        assert f'data-testid="{testid}">{text}<' in html, testid
    assert "$50.00 of pay; $2.55 of premium (audit to actuals)" in html

    # A corrected invoice audits again; deleting it returns to the estimate.
    ten99policy.Invoices.modify(invoice.id, gross_pay=15000)
    assert ten99policy.Assignments.retrieve(assignment.id).premium == 620 + 143
    ten99policy.Invoices.delete(invoice.id)
    back = ten99policy.Assignments.retrieve(assignment.id)
    assert (back.premium, back.actual_pay) == (1016, None)
    # Every step is on the ledger, append-only, and adds up.
    total = sum(
        LedgerEntry.objects.filter(assignment__public_id=assignment.id).values_list(
            "amount", flat=True
        )
    )
    assert total == 1016

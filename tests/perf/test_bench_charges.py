"""The charge path: reporting a card payer's dispatch, then charging it (sandbox processor).

Prints the median / p95 wall time and the queries of each step; the bounds are sanity
checks, not targets.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage.models import BillingSettings, Charge
from coverage.payments import charging, sandbox
from coverage.payments.cards import save_card
from coverage.services import create_assignment
from portal.models import Platform
from tests.coverage.helpers import approved_janitorial, bound_policy, make_job
from tests.perf.conftest import measure
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db


def test_bench_the_charge_path(platform: Platform) -> None:
    BillingSettings.objects.create(platform=platform)
    contractor_product()
    category = approved_janitorial(platform)
    contractor = make_contractor(platform, email="bench@example.com", state="NJ")
    job = make_job(platform, category=category)
    bound_policy(contractor, category=category)
    save_card(contractor=contractor, card_token=sandbox.SUCCEEDS, now=timezone.now())
    starts = [timezone.now() + timedelta(days=2, minutes=n) for n in range(40)]

    def report() -> None:
        # Half a minute each: one live dispatch per contractor, job and window.
        start = starts.pop()
        create_assignment(
            contractor=contractor,
            job=job,
            lines=None,
            effective_at=start,
            end_at=start + timedelta(seconds=30),
            now=timezone.now(),
        )

    with CaptureQueriesContext(connection) as reported:
        report()
    report_times = measure(report, runs=30)
    pending = list(Charge.objects.filter(status="pending").values_list("pk", flat=True))
    first = pending.pop()
    with CaptureQueriesContext(connection) as charged:
        charging.run_charge(charge_id=first, now=timezone.now())
    charge_times = measure(
        lambda: charging.run_charge(charge_id=pending.pop(), now=timezone.now()),
        runs=30,
    )
    print(
        f"\nreport card payer's dispatch: {report_times}, {len(reported)} queries"
        f"\nrun its charge (covered, certificates, events): {charge_times}, "
        f"{len(charged)} queries"
    )
    assert Charge.objects.filter(status="succeeded").count() == 31
    assert len(charged) < 60 and charge_times["median_ms"] < 1000

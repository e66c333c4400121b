"""Actuals reported on the assignment itself (issue 12): ``actual_pay`` / ``actual_hours`` on
PUT /api/v1/assignments/{id} true the premium up through the same audit as an invoice's
gross pay, even after the window ended and once a paid invoice exists."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from coverage.models import (
    Assignment,
    CategoryCode,
    Contractor,
    Event,
    Invoice,
    LedgerEntry,
    WorkJob,
)
from coverage.services import create_assignment, ledger, mark_invoice_paid
from coverage.services.actuals import (
    ACTUAL_HOURS_NOT_HOURLY,
    ACTUAL_HOURS_OUT_OF_RANGE,
    ACTUAL_PAY_OUT_OF_RANGE,
    ACTUALS_CANCELLED,
    ACTUALS_TWICE,
    audited_premiums,
)
from coverage.services.assignments import JOB_INVOICE_PAID
from coverage.services.dates import next_day
from policies.models import Policy
from portal.models import Platform, User
from tests.conftest import bearer, field_errors
from tests.coverage.helpers import (
    GL,
    WC,
    ApiClient,
    approved_janitorial,
    bound_policy,
    event_types,
    make_job,
    unix,
)
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(contractor: Contractor, category: CategoryCode, product) -> Policy:
    return bound_policy(
        contractor, category=category, starts=timezone.now() - timedelta(days=10)
    )


def dispatch(api: ApiClient, contractor: Contractor, job: WorkJob) -> dict:
    response = api.post(
        "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
    )
    assert response.status_code == 201, response.content
    return response.json()


def audit_entries(assignment_id: str) -> list[tuple[str, int]]:
    return sorted(
        (e.line, e.amount)
        for e in LedgerEntry.objects.filter(
            assignment__public_id=assignment_id, kind=LedgerEntry.Kind.AUDIT
        )
    )


def balance(assignment_id: str) -> int:
    return sum(
        LedgerEntry.objects.filter(assignment__public_id=assignment_id).values_list(
            "amount", flat=True
        )
    )


def test_actual_pay_trues_the_premium_up_and_the_ticket_shows_it(
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
    dispatcher: User,
    client_as,
) -> None:
    estimate = dispatch(api, contractor, job)  # $200 flat: WC 826 + GL 190
    assert (estimate["premium"], estimate["pay"], estimate["actual_pay"]) == (
        1016,
        20000,
        None,
    )

    response = api.put(f"/assignments/{estimate['id']}", {"actual_pay": 25000})
    assert response.status_code == 200, response.content
    body = response.json()
    # $250 really paid: WC 1032.5 → 1033, GL 237.5 → 238.
    assert (body["premium"], body["pay"], body["actual_pay"]) == (1271, 20000, 25000)
    assert audit_entries(estimate["id"]) == [(GL, 48), (WC, 207)]
    assert balance(estimate["id"]) == 1271
    assert event_types(platform)[-1] == "assignment.updated"
    # The eligibility and routing did not move: it is the same dispatch, audited.
    assert body["rating"] == estimate["rating"]

    html = client_as(dispatcher).get(f"/tickets/{estimate['id']}/").content.decode()
    for testid, text in (
        ("pay-estimate", "$200.00"),
        ("pay-actual", "$250.00"),
        ("premium-estimate", "$10.16"),
        ("ticket-premium", "$12.71"),
    ):
        assert f'data-testid="{testid}">{text}<' in html, testid
    assert "$50.00 of pay; $2.55 of premium (audit to actuals)" in html

    # Reported again lower, then withdrawn: each step is an audit entry, append-only.
    lower = api.put(f"/assignments/{estimate['id']}", {"actual_pay": 15000}).json()
    assert (lower["premium"], lower["actual_pay"]) == (620 + 143, 15000)
    back = api.put(f"/assignments/{estimate['id']}", {"actual_pay": None}).json()
    assert (back["premium"], back["actual_pay"]) == (1016, None)
    assert balance(estimate["id"]) == 1016
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.AUDIT).count() == 6


def test_after_the_window_and_a_paid_invoice_actuals_are_still_taken(
    api: ApiClient,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
) -> None:
    now = timezone.now()
    start = now - timedelta(days=3)
    # Reported before it started, three days ago; it ended two hours later.
    past = create_assignment(
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=start,
        end_at=start + timedelta(hours=2),
        now=start - timedelta(hours=1),
    )
    invoice = api.post(
        "/invoices",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "gross_pay": 30000,
            "paycycle_startdate": unix(start - timedelta(days=1)),
            "paycycle_enddate": unix(now - timedelta(days=1)),
        },
    )
    assert invoice.status_code == 201, invoice.content
    mark_invoice_paid(
        invoice=Invoice.objects.get(public_id=invoice.json()["id"]), at=now
    )
    assert api.get(f"/assignments/{past.public_id}").json()["actual_pay"] == 30000

    # Changing the dispatch itself is refused once the job's invoice is paid...
    refused = api.put(f"/assignments/{past.public_id}", {"bind": True})
    assert refused.status_code == 400
    assert refused.json()["error_code"] == "invoice_already_paid"
    assert refused.json()["message"] == JOB_INVOICE_PAID
    # ...reporting what the work really paid is not: the latest report wins.
    response = api.put(f"/assignments/{past.public_id}", {"actual_pay": 22000})
    assert response.status_code == 200, response.content
    # $220: WC 908.6 → 909, GL 209.
    assert (response.json()["actual_pay"], response.json()["premium"]) == (
        22000,
        909 + 209,
    )
    assert balance(past.public_id) == 909 + 209


def test_actual_hours_of_an_hourly_job(
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
) -> None:
    hourly = api.put(
        f"/jobs/{job.public_id}",
        {"wage": 8000, "wage_type": "hourly", "duration_hours": 2},
    )
    assert hourly.status_code == 200, hourly.content
    estimate = dispatch(api, contractor, job)
    assert estimate["pay"] == 16000  # $80/h × 2 h

    body = api.put(f"/assignments/{estimate['id']}", {"actual_hours": 2.75}).json()
    # $80 × 2.75 h = $220: WC 909, GL 209.
    assert (body["actual_pay"], body["premium"]) == (22000, 909 + 209)
    assert balance(estimate["id"]) == 909 + 209
    assert Assignment.objects.get(public_id=estimate["id"]).actual_pay == 22000


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"actual_pay": -1}, {"actual_pay": ACTUAL_PAY_OUT_OF_RANGE}),
        ({"actual_pay": 100_000_001}, {"actual_pay": ACTUAL_PAY_OUT_OF_RANGE}),
        ({"actual_hours": 2.555}, {"actual_hours": ACTUAL_HOURS_OUT_OF_RANGE}),
        ({"actual_hours": -1}, {"actual_hours": ACTUAL_HOURS_OUT_OF_RANGE}),
        (
            {"actual_hours": 3},
            {"actual_hours": ACTUAL_HOURS_NOT_HOURLY.format(wage_type="flat fee")},
        ),
        ({"actual_pay": 100, "actual_hours": 1}, ACTUALS_TWICE),
        # A change refused with a report: neither is written.
        ({"actual_pay": 30000, "coverage_type": ["nonsense"]}, None),
    ],
    ids=[
        "negative",
        "too-much",
        "thousandths",
        "negative-hours",
        "flat",
        "both",
        "with-bad-change",
    ],
)
def test_bad_reports_are_refused_and_write_nothing(
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
    body: dict,
    message: object,
) -> None:
    estimate = dispatch(api, contractor, job)
    rows, events = LedgerEntry.objects.count(), Event.objects.count()

    response = api.put(f"/assignments/{estimate['id']}", body)

    assert response.status_code == 400, response.content
    if message is not None:
        body = response.json()
        seen = field_errors(body) if isinstance(message, dict) else body
        assert seen == {"message": message, "error_code": "invalid_input"}
    assert (LedgerEntry.objects.count(), Event.objects.count()) == (rows, events)
    after = api.get(f"/assignments/{estimate['id']}").json()
    assert (after["premium"], after["actual_pay"]) == (1016, None)


def test_a_cancelled_dispatch_takes_no_actuals(
    api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
) -> None:
    estimate = dispatch(api, contractor, job)
    cancelled = api.post("/assignments/cancel", {"job_id": job.public_id})
    assert cancelled.status_code == 200, cancelled.content

    response = api.put(f"/assignments/{estimate['id']}", {"actual_pay": 25000})

    assert response.status_code == 400
    assert response.json() == {
        "message": ACTUALS_CANCELLED,
        "error_code": "invalid_input",
    }
    assert balance(estimate["id"]) == 0


def test_an_uncovered_dispatch_records_actual_pay_without_premium(
    api: ApiClient, contractor: Contractor, job: WorkJob, product
) -> None:
    estimate = dispatch(api, contractor, job)  # no policy: not eligible
    assert estimate["eligible"]["result"] is False

    body = api.put(f"/assignments/{estimate['id']}", {"actual_pay": 25000}).json()

    assert (body["actual_pay"], body["premium"]) == (25000, 0)
    assert balance(estimate["id"]) == 0


def test_other_platforms_cannot_report(
    other_api: ApiClient, api: ApiClient, contractor: Contractor, job: WorkJob, policy
) -> None:
    estimate = dispatch(api, contractor, job)
    response = other_api.put(f"/assignments/{estimate['id']}", {"actual_pay": 1})
    assert response.status_code == 404
    assert api.get(f"/assignments/{estimate['id']}").json()["actual_pay"] is None


@pytest.mark.django_db(transaction=True)
def test_reports_racing_an_invoice_end_consistent(
    requires_postgres: None, platform: Platform, platform_key: str
) -> None:
    """Actuals reported at once on the assignment and by an invoice: the latest wins,
    and the assignment, its ledger and its premium agree to the cent."""
    category = approved_janitorial(platform)
    contractor_product()
    tech = make_contractor(platform)
    bound_policy(tech, category=category, starts=timezone.now() - timedelta(days=10))
    job = make_job(platform, category=category)
    api = ApiClient(platform_key)
    estimate = dispatch(api, tech, job)
    start = next_day(timezone.now())
    reports = [21000, 23000, 27000, 31000]
    calls = [
        ("put", f"/api/v1/assignments/{estimate['id']}", {"actual_pay": pay})
        for pay in reports
    ]
    calls.append(
        (
            "post",
            "/api/v1/invoices",
            {
                "contractor": tech.public_id,
                "job": job.public_id,
                "gross_pay": 29000,
                "paycycle_startdate": unix(start - timedelta(days=1)),
                "paycycle_enddate": unix(start + timedelta(days=7)),
            },
        )
    )
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []
    lock = threading.Lock()

    def call(method: str, path: str, body: dict) -> None:
        try:
            barrier.wait()
            response = getattr(Client(), method)(
                path,
                json.dumps(body),
                content_type="application/json",
                headers=bearer(platform_key),
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=c) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert sorted(statuses) == [200] * len(reports) + [201]
    after = Assignment.objects.get(public_id=estimate["id"])
    assert after.actual_pay in [*reports, 29000]
    assert balance(estimate["id"]) == after.premium
    assert after.premium == sum(audited_premiums(after, pay=after.actual_pay).values())
    assert ledger.total(platform=platform) == after.premium

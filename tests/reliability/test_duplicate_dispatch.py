"""Duplicate dispatches (issue 14, item 6): one live dispatch per contractor, job and window.

Idempotency keys protect a retry; these requests carry *different* keys for the same
dispatch, which used to book it once per request. The database refuses the second
(an exclusion constraint); the API answers 409 in its own format, the portal inline.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from coverage.models import Assignment, LedgerEntry
from coverage.services import ledger
from coverage.services.dates import next_day
from coverage.services.dispatch_windows import DUPLICATE_DISPATCH
from portal.models import Platform, User
from tests.conftest import bearer
from tests.coverage.helpers import (
    GL,
    WC,
    ApiClient,
    approved_janitorial,
    bound_policy,
    make_job,
    unix,
)
from tests.coverage.portal_helpers import at, tomorrow
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db

RACERS = 50
# $200 of pay at NJ's net rates: WC 826 ¢ + GL 190 ¢.
PREMIUM = 1016
REFUSED = {"message": DUPLICATE_DISPATCH, "error_code": "duplicate_assignment"}


@pytest.fixture
def api(platform_key: str) -> ApiClient:
    return ApiClient(platform_key)


@pytest.fixture
def parties(platform: Platform):
    category = approved_janitorial(platform)
    contractor_product()
    contractor = make_contractor(platform, email="terry@example.com", state="NJ")
    job = make_job(platform, category=category)
    bound_policy(contractor, category=category)
    return contractor, job


def dispatch(api: ApiClient, contractor, job, **body):
    return api.post(
        "/assignments",
        {"contractor": contractor.public_id, "job": job.public_id, **body},
    )


@pytest.mark.django_db(transaction=True)
def test_racing_dispatches_with_distinct_keys_make_one_assignment(
    requires_postgres: None, platform: Platform, platform_key: str, parties
) -> None:
    contractor, job = parties
    body = f'{{"contractor": "{contractor.public_id}", "job": "{job.public_id}"}}'
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    bodies: list[dict] = []
    lock = threading.Lock()

    def racer(n: int) -> None:
        try:
            barrier.wait()
            response = Client().post(
                "/api/v1/assignments",
                body,
                content_type="application/json",
                headers={
                    **bearer(platform_key),
                    "Ten99Policy-Idempotent-Key": f"dispatch-{n}",
                    "Idempotency-Key": f"sdk-{n}",
                },
            )
            with lock:
                statuses.append(response.status_code)
                if response.status_code != 201:
                    bodies.append(response.json())
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.monotonic() - started

    charges = LedgerEntry.objects.filter(kind="charge").count()
    print(
        f"\n{RACERS} racing dispatches, distinct keys: {dict(Counter(statuses))}; "
        f"{Assignment.objects.count()} assignment, {charges} ledger charges, "
        f"{ledger.total(platform=platform)} ¢ booked in {elapsed:.1f} s"
    )
    assert Counter(statuses) == {201: 1, 409: RACERS - 1}
    assert all(b == REFUSED for b in bodies)
    assert Assignment.objects.count() == 1
    assert charges == 2
    assert ledger.total(platform=platform) == PREMIUM


def test_a_second_identical_dispatch_is_refused(
    api: ApiClient, platform: Platform, parties
) -> None:
    contractor, job = parties
    first = dispatch(api, contractor, job)
    assert first.status_code == 201, first.content
    second = dispatch(api, contractor, job)
    assert second.status_code == 409
    assert second.json() == REFUSED
    # Any overlap is refused, not only the same window.
    start = next_day(timezone.now()) + timedelta(days=3)
    overlapping = dispatch(api, contractor, job, effective_date=unix(start))
    assert overlapping.status_code == 409
    print(
        f"\nsequential identical dispatches: {first.status_code}, "
        f"{second.status_code}, overlapping {overlapping.status_code}; "
        f"{Assignment.objects.count()} assignment"
    )
    assert Assignment.objects.count() == 1
    assert ledger.total(platform=platform) == PREMIUM


def test_back_to_back_windows_other_jobs_and_cancelled_ones_are_not_duplicates(
    api: ApiClient, platform: Platform, parties
) -> None:
    contractor, job = parties
    morning = at(tomorrow(), 8)
    body = {"effective_date": unix(morning), "end_date": unix(morning.replace(hour=10))}
    assert dispatch(api, contractor, job, **body).status_code == 201
    # The afternoon shift on the same job: both are covered to midnight, but the
    # work does not overlap.
    afternoon = {
        "effective_date": unix(morning.replace(hour=10)),
        "end_date": unix(morning.replace(hour=12)),
    }
    assert dispatch(api, contractor, job, **afternoon).status_code == 201
    other_job = make_job(platform, category=job.category_code, name="Second site")
    assert dispatch(api, contractor, other_job, **body).status_code == 201
    # Another tech on the same job and window.
    other_tech = make_contractor(platform, email="tina@example.com", state="NJ")
    bound_policy(other_tech, category=job.category_code)
    assert dispatch(api, other_tech, job, **body).status_code == 201
    # A cancelled dispatch frees its window.
    cancelled = api.post(
        "/assignments/cancel",
        {"job_id": job.public_id, "contractor": contractor.public_id},
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["effective_date"] == afternoon["effective_date"]
    again = dispatch(api, contractor, job, **afternoon)
    assert again.status_code == 201, again.content
    print(
        f"\nback to back, other job, other tech, re-dispatch: {Assignment.objects.count()} assignments"
    )
    assert Assignment.objects.count() == 5


def test_moving_or_extending_into_another_dispatch_is_refused(
    api: ApiClient, platform: Platform, parties
) -> None:
    contractor, job = parties
    nine = at(tomorrow(), 9)

    def window(start: int, end: int) -> dict[str, int]:
        return {
            "effective_date": unix(nine.replace(hour=start)),
            "end_date": unix(nine.replace(hour=end)),
        }

    noon = dispatch(api, contractor, job, **window(12, 13)).json()
    # Reported second, so /extend (the job's latest assignment) picks this one.
    morning = dispatch(api, contractor, job, **window(9, 11)).json()
    moved = api.put(
        f"/assignments/{morning['id']}",
        {"effective_date": unix(nine.replace(hour=11))},  # 11:00-13:00
    )
    assert (moved.status_code, moved.json()) == (409, REFUSED)
    extended = api.post(
        "/assignments/extend",
        {
            "job_id": job.public_id,
            "contractor": contractor.public_id,
            "end_date": unix(nine.replace(hour=12, minute=30)),
        },
    )
    assert (extended.status_code, extended.json()) == (409, REFUSED)
    # Nothing changed, and the refusal left nothing behind.
    for before in (morning, noon):
        after = api.get(f"/assignments/{before['id']}").json()
        assert (after["effective_date"], after["end_date"]) == (
            before["effective_date"],
            before["end_date"],
        )
    assert ledger.total(platform=platform) == 2 * PREMIUM
    # Up to the next one's start is fine.
    up_to_noon = api.post(
        "/assignments/extend",
        {
            "job_id": job.public_id,
            "contractor": contractor.public_id,
            "end_date": unix(nine.replace(hour=12)),
        },
    )
    assert up_to_noon.status_code == 200, up_to_noon.content


def test_the_portal_shows_the_refusal_on_the_new_ticket_form(
    dispatcher: User, client_as, platform: Platform, parties
) -> None:
    contractor, job = parties
    start = at(tomorrow(), 9)
    data = {
        "tech": contractor.public_id,
        "customer": job.entity.public_id,
        "job": job.public_id,
        "trade": "",
        "site_line1": "1 Main St",
        "site_city": "Newark",
        "site_state": "NJ",
        "site_postalcode": "07102",
        "wage": "200",
        "wage_type": "flatfee",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "lines": [WC, GL],
    }
    client = client_as(dispatcher)
    assert client.post("/tickets/new/", data).status_code == 302
    again = client.post("/tickets/new/", data)
    assert again.status_code == 422
    assert DUPLICATE_DISPATCH in again.content.decode()
    assert Assignment.objects.count() == 1

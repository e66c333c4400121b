"""Writes record their events in the same transaction, carrying the resource as the API shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage.models import Contractor, Event, WorkJob
from tests.coverage.helpers import GL, WC, ApiClient, unix

pytestmark = pytest.mark.django_db


def last_event(type: str) -> dict:
    return Event.objects.filter(type=type).latest("pk").data


def test_each_write_records_its_event_with_the_resource_json(
    api: ApiClient, contractor: Contractor, job: WorkJob, product
) -> None:
    quote = api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [WC, GL],
        },
    ).json()
    session = api.post("/apply/sessions", {"quote": quote["id"]}).json()
    assert last_event("application.created") == session

    policy = api.post("/policies", {"quote": quote["id"]}).json()
    assert last_event("policy.created") == policy
    assert last_event("policy.active") == policy

    created = api.post(
        "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
    ).json()
    assert last_event("assignment.created") == created
    assert last_event("assignment.active") == created

    updated = api.put(f"/assignments/{created['id']}", {"coverage_type": [GL]}).json()
    assert last_event("assignment.updated") == updated

    cancelled = api.post("/assignments/cancel", {"job_id": job.public_id}).json()
    assert last_event("assignment.cancelled") == cancelled

    start = timezone.now() + timedelta(days=2)
    invoice = api.post(
        "/invoices",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "gross_pay": 100000,
            "paycycle_startdate": unix(start),
            "paycycle_enddate": unix(start + timedelta(days=7)),
        },
    ).json()
    assert last_event("invoice.created") == invoice
    changed = api.put(f"/invoices/{invoice['id']}", {"gross_pay": 200000}).json()
    assert last_event("invoice.updated") == changed

    off = api.put(f"/policies/{policy['id']}", {"is_active": False}).json()
    assert last_event("policy.cancelled") == off
    on = api.put(f"/policies/{policy['id']}", {"is_active": True}).json()
    assert last_event("policy.reactivated") == on
    assert all(e.platform_id == contractor.platform_id for e in Event.objects.all())


def test_a_refused_write_records_no_event(
    api: ApiClient, contractor: Contractor, job: WorkJob, product
) -> None:
    body = {
        "contractor": contractor.public_id,
        "job": job.public_id,
        "coverage_type": [GL],
    }
    first = api.post("/quotes", body).json()["id"]
    second = api.post("/quotes", body).json()["id"]
    api.post("/policies", {"quote": first})
    before = Event.objects.count()
    assert api.post("/policies", {"quote": second}).status_code == 400
    assert api.post("/assignments/cancel", {"job_id": job.public_id}).status_code == 404
    assert Event.objects.count() == before

"""manage.py purge_records: bookkeeping past its retention goes, the rest stays."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from coverage.models import (
    ApplicationSession,
    Delivery,
    DeliveryAttempt,
    Event,
    WebhookEndpoint,
)
from portal.models import IdempotencyRecord, Platform, WorkerHeartbeat
from tests.coverage.helpers import (
    GL,
    WC,
    ApiClient,
    approved_janitorial,
    make_job,
)
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def task_result(*, status: str, finished_days_ago: float | None) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="coverage.webhooks.delivery.deliver",
        backend_name="default",
        queue_name="default",
        run_after=now,
        finished_at=None
        if finished_days_ago is None
        else now - finished_days_ago * DAY,
    )


def attempts(platform: Platform, *, status: str, days_ago: float) -> Delivery:
    event = Event.objects.create(platform=platform, type="policy.created", data={})
    endpoint = WebhookEndpoint.objects.create(
        platform=platform, url="https://hooks.example.com/", secret="s"
    )
    delivery = Delivery.objects.create(event=event, endpoint=endpoint, status=status)
    for number in (1, 2):
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=timezone.now() - days_ago * DAY,
        )
    return delivery


def application_session(api: ApiClient, platform: Platform, n: int) -> str:
    category = approved_janitorial(platform)
    contractor = make_contractor(platform, email=f"tech{n}@example.com", state="NJ")
    job = make_job(platform, category=category, name=f"Job {n}")
    quote = api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [WC, GL],
        },
    ).json()["id"]
    response = api.post("/apply/sessions", {"quote": quote})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_purge_deletes_only_what_retention_allows(
    platform: Platform, platform_key: str, settings
) -> None:
    settings.RETENTION_TASK_RESULT_DAYS = 14
    settings.RETENTION_WEBHOOK_ATTEMPT_DAYS = 30
    settings.RETENTION_APPLICATION_SESSION_DAYS = 30
    now = timezone.now()
    # Idempotency records: one past the 24 h replay window, one inside it.
    old_key = IdempotencyRecord.objects.create(
        scope="s", key="old", request_fingerprint="f"
    )
    IdempotencyRecord.objects.create(scope="s", key="new", request_fingerprint="f")
    IdempotencyRecord.objects.filter(pk=old_key.pk).update(created_at=now - 2 * DAY)
    # Task results: finished long ago (both outcomes), finished lately, still to run.
    task_result(status="SUCCESSFUL", finished_days_ago=20)
    task_result(status="FAILED", finished_days_ago=20)
    kept_tasks = {
        task_result(status="SUCCESSFUL", finished_days_ago=1).pk,
        task_result(status="READY", finished_days_ago=None).pk,
    }
    # Webhook attempts: an old finished delivery's go; a pending one's and a recent
    # one's stay, and so does every delivery.
    attempts(platform, status=Delivery.Status.SUCCEEDED, days_ago=40)
    pending = attempts(platform, status=Delivery.Status.PENDING, days_ago=40)
    recent = attempts(platform, status=Delivery.Status.FAILED, days_ago=5)
    # Django sessions: one expired, one live.
    for age in (-DAY, DAY):
        store = SessionStore()
        store["x"] = 1
        store.set_expiry(now + age)
        store.save()
    # Application sessions: lapsed long ago, lapsed lately, completed long ago.
    contractor_product()
    api = ApiClient(platform_key)
    lapsed, lately, done = (application_session(api, platform, n) for n in (1, 2, 3))
    ApplicationSession.objects.filter(public_id=lapsed).update(
        expires_at=now - 40 * DAY
    )
    ApplicationSession.objects.filter(public_id=lately).update(expires_at=now - 5 * DAY)
    ApplicationSession.objects.filter(public_id=done).update(
        expires_at=now - 40 * DAY, completed_at=now - 40 * DAY
    )
    # Worker heartbeats: a worker gone for two days, and a live one.
    for worker_id, age in (("gone", 2 * DAY), ("alive", timedelta(seconds=1))):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname="h",
            pid=1,
            queues="default",
            started_at=now - 3 * DAY,
            seen_at=now - age,
        )

    # Deliveries are written with their event (an outbox), so the application sessions'
    # events have theirs to the three endpoints too: none of them may go.
    deliveries = set(Delivery.objects.values_list("pk", flat=True))
    assert len(deliveries) == 3 + 3 * 3
    out = StringIO()
    call_command("purge_records", stdout=out)
    print(f"\n{out.getvalue().strip()}")
    assert out.getvalue().strip() == (
        "Purged 1 idempotency_records, 2 task_results, 2 webhook_attempts, "
        "1 application_sessions, 1 sessions, 1 worker_heartbeats."
    )
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == kept_tasks
    assert set(DeliveryAttempt.objects.values_list("delivery_id", flat=True)) == {
        pending.pk,
        recent.pk,
    }
    assert set(Delivery.objects.values_list("pk", flat=True)) == deliveries
    assert Session.objects.count() == 1
    assert set(ApplicationSession.objects.values_list("public_id", flat=True)) == {
        lately,
        done,
    }
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == [
        "alive"
    ]

    # Idempotent: a second run finds nothing more.
    again = StringIO()
    call_command("purge_records", stdout=again)
    assert again.getvalue().strip() == (
        "Purged 0 idempotency_records, 0 task_results, 0 webhook_attempts, "
        "0 application_sessions, 0 sessions, 0 worker_heartbeats."
    )

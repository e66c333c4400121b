"""Delivering events to a real receiver on 127.0.0.1: signatures, retries, give-up, races."""

from __future__ import annotations

import json
import random
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from coverage.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from coverage.webhooks import delivery as webhook_delivery
from coverage.webhooks import endpoints, signing
from coverage.webhooks.events import emit
from coverage.webhooks.payloads import event_json
from portal import outbox, queues
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.webhook_receiver import (
    Receiver,
    closed_port_url,
    local_receivers,
    running_receiver,
)

pytestmark = pytest.mark.django_db

POLICY = {"id": "pl_WzFRszJhoY", "object": "policy", "status": "active"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


def endpoint_for(platform: Platform, url: str, **fields: Any) -> WebhookEndpoint:
    return endpoints.create_endpoint(platform=platform, url=url, **fields)


def committed_event(
    platform: Platform, capture: Callable[..., Any], type: str = "policy.created"
) -> Event:
    """Emit as a service would, and run what happens once its transaction commits."""
    with capture(execute=True):
        event = emit(platform=platform, type=type, data=POLICY)
    return event


def make_due(delivery: Delivery) -> None:
    """Time travel: the next attempt's moment has come."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def attempts_of(delivery: Delivery) -> list[DeliveryAttempt]:
    return list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))


def test_a_committed_event_reaches_the_receiver_signed(
    platform: Platform,
    platform_key: str,
    receiver: Receiver,
    django_capture_on_commit_callbacks,
) -> None:
    endpoint = endpoint_for(platform, receiver.url)
    event = committed_event(platform, django_capture_on_commit_callbacks)

    [got] = receiver.requests
    assert got.path == "/hooks/coverage"
    assert got.headers["content-type"] == "application/json"
    # The receiver checks the signature the way the public SDKs do.
    signing.verify(
        secret=endpoint.secret,
        header=got.headers["ten99policy-signature"],
        body=got.body,
    )
    # The body is the event exactly as the events API shows it.
    shown = Client().get(
        f"/api/v1/events/{event.public_id}", headers=bearer(platform_key)
    )
    assert json.loads(got.body) == shown.json() == event_json(event)
    assert json.loads(got.body) == {
        "id": event.public_id,
        "object": "event",
        "type": "policy.created",
        "created": int(event.created_at.timestamp()),
        "data": POLICY,
    }

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.next_attempt_at is None and delivery.completed_at is not None
    [attempt] = attempts_of(delivery)
    assert attempt.succeeded and attempt.status_code == 200
    assert attempt.response_excerpt == '{"received": true}'
    assert attempt.error == "" and attempt.duration_ms is not None


def test_only_live_subscribed_endpoints_of_the_platform_receive(
    platform: Platform,
    other_platform: Platform,
    receiver: Receiver,
    django_capture_on_commit_callbacks,
) -> None:
    everything = endpoint_for(platform, receiver.url + "/all")
    policies = endpoint_for(
        platform, receiver.url + "/policies", events=["policy.created"]
    )
    endpoint_for(platform, receiver.url + "/assignments", events=["assignment.created"])
    gone = endpoint_for(platform, receiver.url + "/gone")
    endpoints.delete_endpoint(endpoint=gone)
    endpoint_for(other_platform, receiver.url + "/rival")

    committed_event(platform, django_capture_on_commit_callbacks)

    assert sorted(r.path for r in receiver.requests) == [
        "/hooks/coverage/all",
        "/hooks/coverage/policies",
    ]
    assert {d.endpoint_id for d in Delivery.objects.all()} == {
        everything.pk,
        policies.pk,
    }


def test_an_event_nobody_subscribed_to_costs_one_lookup(
    platform: Platform,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
) -> None:
    # Other services' query counts must not grow with webhooks they do not use.
    with django_assert_num_queries(2):  # the event's INSERT, the endpoint lookup
        committed_event(platform, django_capture_on_commit_callbacks)
    assert not Delivery.objects.exists()


def test_deliveries_are_written_with_the_event_and_vanish_with_its_rollback(
    platform: Platform, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    endpoint_for(platform, receiver.url)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        transaction.atomic(),
    ):
        event = emit(platform=platform, type="policy.created", data=POLICY)
        # The outbox: the delivery exists in the event's own transaction.
        assert Delivery.objects.filter(event=event).count() == 1
        transaction.set_rollback(True)
    assert not Event.objects.exists() and not Delivery.objects.exists()
    assert callbacks == []  # nothing queued for a change that never happened
    assert receiver.requests == []


def test_a_failure_to_queue_never_fails_the_committed_change(
    platform: Platform,
    receiver: Receiver,
    django_capture_on_commit_callbacks,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    endpoint_for(platform, receiver.url)

    def broken(*args: Any) -> None:
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(outbox, "send", broken)
    event = committed_event(platform, django_capture_on_commit_callbacks)
    assert Event.objects.filter(pk=event.pk).exists()
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert "queue unavailable" in caplog.text


def test_a_delivery_whose_task_was_never_queued_is_swept_up(
    platform: Platform,
    receiver: Receiver,
    django_capture_on_commit_callbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    endpoint_for(platform, receiver.url)

    def queue_down(*args: Any) -> None:
        raise RuntimeError("queue unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(outbox, "send", queue_down)
        committed_event(platform, django_capture_on_commit_callbacks)
    assert receiver.requests == []
    assert Delivery.objects.get().status == Delivery.Status.PENDING

    assert webhook_delivery.deliver_due() == 1
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED


def test_a_failing_receiver_is_retried_with_growing_delays_until_it_recovers(
    platform: Platform, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    endpoint_for(platform, receiver.url)
    receiver.statuses = [500, 503]
    committed_event(platform, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()

    delivery.refresh_from_db()
    [first] = attempts_of(delivery)
    assert (first.status_code, first.succeeded) == (500, False)
    assert first.response_excerpt == "receiver says no"
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at == first.finished_at + timedelta(minutes=1)
    # Not due yet: a sweep leaves it alone.
    assert webhook_delivery.deliver_due() == 0
    assert webhook_delivery.deliver.call(delivery.pk) == "not due"

    make_due(delivery)
    assert webhook_delivery.deliver_due() == 1
    delivery.refresh_from_db()
    second = attempts_of(delivery)[1]
    assert second.status_code == 503
    assert delivery.next_attempt_at == second.finished_at + timedelta(minutes=5)

    make_due(delivery)
    assert webhook_delivery.deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [a.status_code for a in attempts_of(delivery)] == [500, 503, 200]
    # Each attempt is signed afresh and carries the same event.
    assert len({r.body for r in receiver.requests}) == 1
    assert len(receiver.requests) == 3


def test_a_closed_port_records_the_connection_error(
    platform: Platform, django_capture_on_commit_callbacks
) -> None:
    with local_receivers():
        endpoint_for(platform, closed_port_url())
        committed_event(platform, django_capture_on_commit_callbacks)

    [attempt] = DeliveryAttempt.objects.all()
    assert attempt.status_code is None and not attempt.succeeded
    assert attempt.error.startswith("Connection failed: ")
    assert "refused" in attempt.error.lower()
    assert Delivery.objects.get().status == Delivery.Status.PENDING


def test_delivery_fails_for_good_after_the_last_attempt(
    platform: Platform, django_capture_on_commit_callbacks, settings
) -> None:
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]
    endpoint_for(platform, closed_port_url())
    committed_event(platform, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()

    delays = []
    for _ in range(webhook_delivery.MAX_ATTEMPTS - 1):
        delivery.refresh_from_db()
        last = attempts_of(delivery)[-1]
        delays.append(delivery.next_attempt_at - last.finished_at)
        make_due(delivery)
        assert webhook_delivery.deliver_due() == 1

    delivery.refresh_from_db()
    assert delays == list(webhook_delivery.RETRY_DELAYS)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempt_count == webhook_delivery.MAX_ATTEMPTS
    assert len(attempts_of(delivery)) == webhook_delivery.MAX_ATTEMPTS
    assert delivery.next_attempt_at is None and delivery.completed_at is not None
    assert webhook_delivery.deliver_due() == 0


def test_redirects_are_not_followed(
    platform: Platform, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    with running_receiver() as elsewhere:
        receiver.statuses = [302]
        receiver.location = elsewhere.url
        endpoint_for(platform, receiver.url)
        committed_event(platform, django_capture_on_commit_callbacks)
        assert elsewhere.requests == []

    [attempt] = DeliveryAttempt.objects.all()
    assert attempt.status_code == 302 and not attempt.succeeded
    assert attempt.error == webhook_delivery.REDIRECT_REFUSED.format(
        location=elsewhere.url
    )
    assert Delivery.objects.get().status == Delivery.Status.PENDING


def test_a_slow_receiver_times_out(
    platform: Platform,
    receiver: Receiver,
    django_capture_on_commit_callbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(webhook_delivery, "DELIVERY_TIMEOUT_SECONDS", 0.3)
    receiver.delay_seconds = 1.0
    endpoint_for(platform, receiver.url)
    committed_event(platform, django_capture_on_commit_callbacks)

    [attempt] = DeliveryAttempt.objects.all()
    assert attempt.status_code is None
    assert attempt.error == "Timed out after 0.3 s"
    assert 300 <= attempt.duration_ms < 1000


def test_deleting_the_endpoint_cancels_what_is_still_pending(
    platform: Platform, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    endpoint = endpoint_for(platform, receiver.url)
    receiver.statuses = [500]
    committed_event(platform, django_capture_on_commit_callbacks)

    endpoints.delete_endpoint(endpoint=endpoint)
    delivery = Delivery.objects.get()
    make_due(delivery)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.CANCELLED
    assert webhook_delivery.deliver_due() == 0
    assert len(receiver.requests) == 1


def test_an_attempt_whose_worker_died_is_kept_and_retried_after_the_lease(
    platform: Platform, receiver: Receiver
) -> None:
    endpoint = endpoint_for(platform, receiver.url)
    event = emit(platform=platform, type="policy.created", data=POLICY)
    # Scheduled with the event (its task waits for a commit this test never makes).
    [delivery] = Delivery.objects.filter(event=event, endpoint=endpoint)

    # A worker claims the attempt, then dies before posting.
    lost = webhook_delivery._claim(delivery_id=delivery.pk)
    assert lost is not None
    delivery.refresh_from_db()
    assert delivery.next_attempt_at > timezone.now() + timedelta(minutes=1)
    assert webhook_delivery.deliver_due() == 0  # the lease still holds

    make_due(delivery)  # the lease ran out
    assert webhook_delivery.deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    first, second = attempts_of(delivery)
    assert first.finished_at is None and first.status_code is None
    assert second.number == 2 and second.succeeded
    # A late answer from the first worker no longer moves the delivery.
    outcome = webhook_delivery.Outcome(
        status_code=500, error="", response_excerpt="", duration_ms=5
    )
    assert (
        webhook_delivery._record(
            delivery=lost.delivery, attempt=lost.attempt, outcome=outcome
        )
        == "superseded"
    )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_an_event_rolled_back_with_its_change_is_never_delivered(
    platform: Platform, receiver: Receiver
) -> None:
    endpoint_for(platform, receiver.url)

    class ChangeFailed(Exception):
        pass

    with pytest.raises(ChangeFailed), transaction.atomic():
        emit(platform=platform, type="policy.created", data=POLICY)
        raise ChangeFailed

    assert not Event.objects.exists() and not Delivery.objects.exists()
    assert receiver.requests == []

    # The same change committed is delivered (from the real on-commit hook).
    with transaction.atomic():
        event = emit(platform=platform, type="policy.created", data=POLICY)
    [got] = receiver.requests
    assert json.loads(got.body)["id"] == event.public_id


@pytest.mark.django_db(transaction=True)
def test_racing_workers_make_each_attempt_once(
    platform: Platform, receiver: Receiver, requires_postgres: None
) -> None:
    endpoint = endpoint_for(platform, receiver.url)
    receiver.delay_seconds = 0.005  # keep each POST in flight while others claim
    now = timezone.now()
    events = Event.objects.bulk_create(
        Event(platform=platform, type="policy.created", data={"n": n})
        for n in range(40)
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(event=e, endpoint=endpoint, next_attempt_at=now) for e in events
    )
    ids = [d.pk for d in deliveries]
    barrier = threading.Barrier(8)
    made: list[int] = []

    def sweeper() -> None:
        try:
            barrier.wait()
            made.append(webhook_delivery.deliver_due())
        finally:
            connection.close()

    def task_runner() -> None:
        # Tasks for every delivery, in another order, racing the sweepers.
        try:
            order = random.sample(ids, len(ids))
            barrier.wait()
            for pk in order:
                if webhook_delivery.deliver.call(pk) != "not due":
                    made.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    threads += [threading.Thread(target=task_runner) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    received = Counter(json.loads(r.body)["id"] for r in receiver.requests)
    assert sum(made) == 40
    assert len(received) == 40 and set(received.values()) == {1}
    assert DeliveryAttempt.objects.count() == 40
    assert set(Delivery.objects.values_list("status", "attempt_count")) == {
        (Delivery.Status.SUCCEEDED, 1)
    }


@pytest.mark.django_db(transaction=True)
def test_the_production_task_backend_defers_retries_to_the_worker(
    platform: Platform, receiver: Receiver, settings
) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": list(queues.ALL),
        }
    }
    endpoint_for(platform, receiver.url)
    receiver.statuses = [500]

    def run_worker() -> None:
        # db_worker installs its own signal handlers; give pytest's back after.
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                verbosity=0,
                stdout=StringIO(),
            )
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)

    with transaction.atomic():
        emit(platform=platform, type="policy.created", data=POLICY)
    assert receiver.requests == []  # queued, not run in the request
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and len(receiver.requests) == 1

    # The retry is a task that the worker will not start before it is due.
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.task_path == "coverage.webhooks.delivery.deliver"
    assert retry.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    assert retry.run_after == delivery.next_attempt_at
    run_worker()
    assert len(receiver.requests) == 1

    due = timezone.now()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=due)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=due)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and len(receiver.requests) == 2


def test_the_sweep_command_reports_what_it_did(
    platform: Platform, receiver: Receiver
) -> None:
    endpoint = endpoint_for(platform, receiver.url)
    event = Event.objects.create(platform=platform, type="policy.created", data=POLICY)
    Delivery.objects.create(
        event=event, endpoint=endpoint, next_attempt_at=timezone.now()
    )
    out = StringIO()
    call_command("deliver_webhooks", stdout=out)
    assert out.getvalue() == "Made 1 delivery attempt(s).\n"
    assert len(receiver.requests) == 1

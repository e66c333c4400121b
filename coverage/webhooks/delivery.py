"""Webhook delivery: scheduling, signed attempts, retries.

The body is the event exactly as GET /api/v1/events/{id} shows it. A 2xx
answer within ``DELIVERY_TIMEOUT_SECONDS`` is success; anything else (another
status, a redirect, a refused connection, a timeout) is a failed attempt, retried
after each of ``RETRY_DELAYS`` in turn and then given up.

The ``Delivery`` row is the source of truth, not the task queue: a worker claims an
attempt by locking the row (``select_for_update(skip_locked=True)``) and moving
``next_attempt_at`` past the end of its lease, so no two workers make the same
attempt. The ``deliver`` task does one delivery when it is due; ``deliver_due()``
(``manage.py deliver_webhooks``) sweeps every due one, which covers retries on a
task backend that cannot wait (the tests' ImmediateBackend) and tasks lost with
a worker that died.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from coverage.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from coverage.webhooks import targets
from coverage.webhooks.payloads import event_json
from coverage.webhooks.signing import SIGNATURE_HEADER, sign
from portal import outbox, queues

logger = logging.getLogger(__name__)

USER_AGENT = "DispatchCoverage-Webhooks/1.0"

DELIVERY_TIMEOUT_SECONDS = 10.0
# Delays after failed attempts 1, 2, 3...; the attempt after the last delay is the
# last one. Seven attempts over about a day and a half.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# How long a claimed attempt belongs to its worker. Well beyond the timeout, so a
# live worker always finishes first; a dead one's delivery is due again after it.
CLAIM_LEASE = timedelta(minutes=2)
RESPONSE_EXCERPT_BYTES = 1000
DEFAULT_SWEEP_LIMIT = 100
REDIRECT_REFUSED = (
    "Redirect to {location} not followed; webhooks go to the endpoint's own URL only."
)


def schedule_deliveries(
    *, event: Event, endpoints: Iterable[WebhookEndpoint] | None = None
) -> list[Delivery]:
    """One new delivery of ``event`` per live endpoint of its platform subscribed to it.

    ``endpoints`` narrows the choice (the admin's re-send to one endpoint).
    """
    return schedule_all(events=[event], endpoints=endpoints)


def schedule_all(
    *, events: Sequence[Event], endpoints: Iterable[WebhookEndpoint] | None = None
) -> list[Delivery]:
    """``schedule_deliveries`` for events of one platform: one read of its endpoints.

    Called in the transaction that records the events: the deliveries (and, with the
    database task backend, their tasks: ``portal.outbox``) exist exactly when the
    events do, so a crash after the commit loses none, and a rolled-back change is
    never delivered. A worker never looks for a delivery that is not committed.
    """
    if not events:
        return []
    platform_id = events[0].platform_id
    assert all(event.platform_id == platform_id for event in events)
    if endpoints is None:
        endpoints = WebhookEndpoint.objects.filter(platform_id=platform_id).live()
    found = [
        endpoint
        for endpoint in endpoints
        if endpoint.is_live and endpoint.platform_id == platform_id
    ]
    now = timezone.now()
    # A list, not a generator: bulk_create of nothing issues no query at all.
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(event=event, endpoint=endpoint, next_attempt_at=now)
            for event in events
            for endpoint in found
            if endpoint.subscribes_to(event.type)
        ]
    )
    for delivery in deliveries:
        outbox.enqueue(deliver, delivery.pk)
    return deliveries


def retry_delay(*, attempt: int) -> timedelta | None:
    """How long to wait after failed attempt number ``attempt``; None after the last."""
    if 1 <= attempt < MAX_ATTEMPTS:
        return RETRY_DELAYS[attempt - 1]
    return None


def _enqueue(*, delivery_id: int, run_after: datetime | None) -> None:
    job = deliver
    if run_after is not None:
        if not job.get_backend().supports_defer:
            # This backend runs tasks at once and cannot wait; the row stays due
            # at run_after and the sweep (deliver_due) makes the attempt then.
            return
        job = job.using(run_after=run_after)
    job.enqueue(delivery_id)


# ---------------------------------------------------------------------------
# Delivering


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    response_excerpt: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _excerpt(raw: bytes) -> str:
    return raw[:RESPONSE_EXCERPT_BYTES].decode("utf-8", errors="replace")


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST once, with a timeout and no redirects, and say what happened.

    The host is resolved and checked here, right before connecting, and the
    connection goes to the checked address (see targets): a URL that passed at
    registration but points inside now is a failed attempt, not a request.
    Redirects are never followed: that would send the signed event wherever the
    receiver (or whoever took over its host) points; a 3xx is a failed attempt.
    """
    started = time.monotonic()
    status: int | None = None
    error = ""
    excerpt = ""
    connection: http.client.HTTPConnection | None = None
    try:
        target = targets.resolve(url)
        connection = targets.pinned_connection(target, timeout=DELIVERY_TIMEOUT_SECONDS)
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        status = response.status
        excerpt = _excerpt(response.read(RESPONSE_EXCERPT_BYTES))
        if 300 <= status < 400:
            error = REDIRECT_REFUSED.format(
                location=response.getheader("Location", "?")
            )
    except targets.UnsafeTarget as exc:
        error = f"Not delivered: {exc}"
    except TimeoutError:
        error = f"Timed out after {DELIVERY_TIMEOUT_SECONDS:g} s"
    except OSError as exc:
        error = f"Connection failed: {exc}"
    except (http.client.HTTPException, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    finally:
        if connection is not None:
            connection.close()
    duration_ms = round((time.monotonic() - started) * 1000)
    return Outcome(
        status_code=status,
        error=error,
        response_excerpt=excerpt,
        duration_ms=duration_ms,
    )


@dataclass(frozen=True)
class _Claim:
    delivery: Delivery
    attempt: DeliveryAttempt


def _claim(*, delivery_id: int | None) -> _Claim | None:
    """Take the next attempt of one due delivery (that one, or the longest due).

    The row lock keeps two workers from picking the same delivery at once, and
    skip_locked sends the second to another one instead of making it wait. The
    conditional update makes the claim safe even where rows do not lock (SQLite):
    whoever moves the attempt count first owns the attempt.
    """
    now = timezone.now()
    with transaction.atomic():
        due = Delivery.objects.due(at=now).select_for_update(skip_locked=True)
        if delivery_id is not None:
            due = due.filter(pk=delivery_id)
        row = due.order_by("next_attempt_at").values_list("pk", "attempt_count").first()
        if row is None:
            return None
        pk, count = row
        number = count + 1
        taken = Delivery.objects.filter(
            pk=pk, attempt_count=count, status=Delivery.Status.PENDING
        ).update(attempt_count=number, next_attempt_at=now + CLAIM_LEASE)
        if not taken:
            return None
        # Recorded before the POST: an attempt whose worker dies still shows.
        attempt = DeliveryAttempt.objects.create(
            delivery_id=pk, number=number, started_at=now
        )
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=pk)
    return _Claim(delivery=delivery, attempt=attempt)


def _attempt(claim: _Claim) -> str:
    delivery, attempt = claim.delivery, claim.attempt
    body = json.dumps(event_json(delivery.event), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(
            secret=delivery.endpoint.secret, timestamp=int(time.time()), body=body
        ),
    }
    outcome = post(url=delivery.endpoint.url, body=body, headers=headers)
    return _record(delivery=delivery, attempt=attempt, outcome=outcome)


def _record(*, delivery: Delivery, attempt: DeliveryAttempt, outcome: Outcome) -> str:
    finished = timezone.now()
    next_at: datetime | None = None
    if outcome.succeeded:
        status = Delivery.Status.SUCCEEDED
    else:
        delay = retry_delay(attempt=attempt.number)
        status = Delivery.Status.PENDING if delay else Delivery.Status.FAILED
        next_at = finished + delay if delay else None
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=finished,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            error=outcome.error,
            response_excerpt=outcome.response_excerpt,
            succeeded=outcome.succeeded,
        )
        # Only the holder of the latest claim moves the delivery on; if the
        # endpoint was deleted meanwhile, the delivery stays cancelled.
        moved = Delivery.objects.filter(
            pk=delivery.pk,
            attempt_count=attempt.number,
            status=Delivery.Status.PENDING,
        ).update(
            status=status,
            next_attempt_at=next_at,
            completed_at=None if next_at else finished,
        )
    if not moved:
        return "superseded"
    if status == Delivery.Status.FAILED:
        logger.warning(
            "Gave up delivering event %s to %s after %d attempts (last: %s)",
            delivery.event.public_id,
            delivery.endpoint.public_id,
            attempt.number,
            outcome.status_code or outcome.error,
        )
    if next_at is not None:
        _enqueue(delivery_id=delivery.pk, run_after=next_at)
    return str(status)


@task(queue_name=queues.WEBHOOKS)
def deliver(delivery_id: int) -> str:
    """Make the next attempt of one delivery if it is due; schedule the one after if it fails."""
    claim = _claim(delivery_id=delivery_id)
    if claim is None:
        return "not due"
    return _attempt(claim)


def release_dead_claim(*, delivery_id: int) -> bool:
    """Make a delivery due now when its worker died mid-attempt; whether it was.

    Called when the worker that held the ``deliver`` task is known to be gone
    (``portal.workers.task_recovered``): waiting out ``CLAIM_LEASE`` would only
    delay the event. The cut-off attempt stays recorded, unfinished; the next one
    takes the next number. A live claim (its attempt finished) is left alone.
    """
    now = timezone.now()
    cut_off = DeliveryAttempt.objects.filter(
        delivery_id=OuterRef("pk"),
        number=OuterRef("attempt_count"),
        finished_at__isnull=True,
    )
    released = (
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__gt=now
        )
        .filter(Exists(cut_off))
        .update(next_attempt_at=now)
    )
    return released > 0


def deliver_due(*, limit: int = DEFAULT_SWEEP_LIMIT) -> int:
    """Attempt every due delivery, oldest due first, up to ``limit``; return how many.

    Safe to run in many processes at once: each claims one delivery at a time.
    """
    made = 0
    while made < limit:
        claim = _claim(delivery_id=None)
        if claim is None:
            break
        _attempt(claim)
        made += 1
    return made


def redeliver(*, deliveries: Iterable[Delivery]) -> list[Delivery]:
    """Send the events of ``deliveries`` again, each to its own endpoint (if still live)."""
    scheduled: list[Delivery] = []
    for delivery in deliveries:
        scheduled += schedule_deliveries(
            event=delivery.event, endpoints=[delivery.endpoint]
        )
    return scheduled

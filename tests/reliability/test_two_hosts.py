"""Several hosts on one PostgreSQL and one S3 bucket: nothing done twice, nothing lost.

Issue 14's CI test, and the deployment the README's "Production" section describes:
two web hosts (gunicorn) and two worker hosts (``manage.py db_worker``), separate
processes sharing only the database, the bucket (moto in server mode on 127.0.0.1)
and their settings; each has its own empty media folder. A platform integrates
through both web hosts at once — webhook endpoint, parties, card payers' cards
(payment session and hosted card page), quotes and policies, then dispatches with
idempotency keys, each retried with its key on the *other* host, and dispatches
posted to both hosts at the same moment (distinct keys, and one key). Then the
workers drain the queue, and the test counts:

- one assignment per idempotency key and per tech, job and window; premium booked once;
- every certificate rendered exactly once (the bucket is versioned: one write each,
  no replaced object) and its PDF served from the bucket by either web host;
- every event delivered to the local receiver, signed, once (count per event id);
- every card payer's premium charged once at the sandbox processor, collected once;
- every e-mail notice sent once (a local SMTP server);
- both workers did work, and no task was claimed twice.

Delivery is at least once: a worker killed after a receiver answered but before the
attempt was recorded would send that event again (test_worker_resilience.py covers
the kill); with no crash, as here, duplicates must be zero.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from coverage.models import (
    Assignment,
    BillingSettings,
    Certificate,
    Charge,
    CollectionEntry,
    Delivery,
    Event,
    Notice,
    SandboxCharge,
    WebhookEndpoint,
)
from coverage.payments import sandbox
from coverage.services import ledger
from portal.models import Platform
from tests.coverage.helpers import GL, WC, approved_janitorial, unix
from tests.coverage.smtp_server import smtp_server
from tests.coverage.webhook_receiver import Receiver, serving
from tests.policies.helpers import contractor_product
from tests.reliability.deployment import Deployment, deployment
from tests.reliability.load import Host, at_once, in_parallel, p50
from tests.s3_server import CREDENTIALS, s3_server

CONTRACTORS = 4  # the first half pay by card, the rest are invoiced (withheld)
CARD_PAYERS = CONTRACTORS // 2
REGULAR_JOBS = 4  # every contractor is dispatched to each, one key per dispatch
RACES = 2  # tech/job pairs posted to both hosts at once: distinct keys, then one key
PREMIUM = 1016  # $200 flat fee at NJ's net rates: WC 826 ¢ + GL 190 ¢
SETTLE_SECONDS = 60
RETURN_HOST = "dispatch.example.com"
NJ = {"line1": "1 Main St", "locality": "Newark", "region": "NJ", "postalcode": "07102"}


def dispatch_body(contractor: str, job: str, starts: int) -> dict[str, Any]:
    return {
        "contractor": contractor,
        "job": job,
        # Starts within the hour: a card payer's premium is charged at once.
        "effective_date": starts,
        "end_date": starts + 3 * 3600,
    }


def open_work() -> dict[str, int]:
    """What is still to do; empty once the workers have drained everything."""
    counts = {
        "tasks": DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count(),
        "renders": Certificate.objects.filter(render_pending=True).count(),
        "charges": Charge.objects.filter(status=Charge.Status.PENDING).count(),
        "deliveries": Delivery.objects.filter(status=Delivery.Status.PENDING).count(),
        "notices": Notice.objects.filter(sent_at__isnull=True).count(),
    }
    return {name: n for name, n in counts.items() if n}


def settle(running: Deployment) -> float:
    started = time.monotonic()
    while left := open_work():
        if time.monotonic() - started > SETTLE_SECONDS:
            raise AssertionError(f"still open: {left}\n{running.log_tail()}")
        time.sleep(0.3)
    return time.monotonic() - started


def verified(received: Receiver, secret: str) -> list[str]:
    """The event id of every request that arrived, each signature checked."""
    ids = []
    for request in received.requests:
        signature = dict(
            part.split("=", 1)
            for part in request.headers["ten99policy-signature"].split(",")
        )
        expected = hmac.new(
            secret.encode(),
            f"{signature['t']}.".encode() + request.body,
            hashlib.sha256,
        ).hexdigest()
        assert hmac.compare_digest(signature["v1"], expected)
        ids.append(json.loads(request.body)["id"])
    return ids


@pytest.mark.django_db(transaction=True)
def test_two_web_hosts_and_two_workers_do_everything_exactly_once(
    requires_postgres: None, platform: Platform, platform_key: str, tmp_path: Path
) -> None:
    began = time.monotonic()
    contractor_product()
    category = approved_janitorial(platform).public_id
    BillingSettings.objects.create(platform=platform, contractors_pay_by_card=True)
    platform.hosted_flow_allowed_redirect_hosts = [RETURN_HOST]
    platform.save(update_fields=["hosted_flow_allowed_redirect_hosts"])

    with (
        s3_server() as s3,
        serving() as receiver,
        smtp_server() as (inbox, smtp_port),
    ):
        bucket = s3.new_bucket()
        env = {
            "DJANGO_STORAGE_BACKEND": "s3",
            "DJANGO_STORAGE_OPTIONS": json.dumps(s3.options(bucket)),
            **CREDENTIALS,
            "DJANGO_WEBHOOK_ALLOWED_INTERNAL_HOSTS": "127.0.0.1",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        }
        with deployment(tmp=tmp_path, env=env) as running:
            booted = time.monotonic() - began
            hosts = [Host(url, platform_key) for url in running.web]
            a, b = hosts

            def on(n: int) -> Host:
                return hosts[n % 2]

            # Parties, through both hosts ------------------------------------------
            endpoint = a.post(
                "/webhook_endpoints", {"url": receiver.url, "events": ["*"]}
            )
            entity = b.post(
                "/entities",
                {
                    "name": "Harbor Property Group",
                    "required_coverage": [GL, WC],
                    "address": NJ,
                },
            )["id"]
            jobs = in_parallel(
                [
                    lambda n=n: on(n).post(
                        "/jobs",
                        {
                            "name": f"Site {n}",
                            "entity": entity,
                            "category_code": category,
                            "wage": 20000,
                            "wage_type": "flatfee",
                            "address": NJ,
                        },
                    )["id"]
                    for n in range(REGULAR_JOBS + 2)
                ]
            )
            regular_jobs, distinct_race_job, same_key_race_job = (
                jobs[:REGULAR_JOBS],
                jobs[-2],
                jobs[-1],
            )
            contractors = in_parallel(
                [
                    lambda n=n: on(n).post(
                        "/contractors",
                        {
                            "first_name": "Terry",
                            "last_name": f"Tech{n}",
                            "email": f"tech{n}@example.com",
                            "phone": "415-474-9088",
                            "address": NJ,
                            "withhold_premium": n >= CARD_PAYERS,
                        },
                    )["id"]
                    for n in range(CONTRACTORS)
                ]
            )

            def card_then_policy(n: int) -> str:
                contractor = contractors[n]
                if n < CARD_PAYERS:
                    session = on(n).post(
                        "/payment/sessions",
                        {
                            "contractor": contractor,
                            "return_url": f"https://{RETURN_HOST}/done",
                        },
                    )
                    back = on(n + 1).save_card(session["url"], sandbox.SUCCEEDS)
                    assert "status=completed" in back, back
                quote = on(n + 1).post(
                    "/quotes",
                    {
                        "contractor": contractor,
                        "job": regular_jobs[0],
                        "coverage_type": [WC, GL],
                        # Cover from a minute on (not tomorrow): today's dispatches.
                        "effective_date": unix(timezone.now() + timedelta(minutes=1)),
                    },
                )
                return on(n).post(
                    "/policies", {"quote_id": quote["id"], "is_active": True}
                )["id"]

            in_parallel([lambda n=n: card_then_policy(n) for n in range(CONTRACTORS)])

            # Dispatches: one key each, then the same key again on the other host -
            starts = unix(timezone.now() + timedelta(minutes=15))
            planned = [
                (n * REGULAR_JOBS + j, dispatch_body(contractors[n], job, starts))
                for n in range(CONTRACTORS)
                for j, job in enumerate(regular_jobs)
            ]
            first = in_parallel(
                [
                    lambda i=i, body=body: on(i).post(
                        "/assignments", body, key=f"dispatch-{i}"
                    )
                    for i, body in planned
                ]
            )
            retried = in_parallel(
                [
                    lambda i=i, body=body: on(i + 1).send(
                        "POST", "/api/v1/assignments", body, key=f"dispatch-{i}"
                    )
                    for i, body in planned
                ]
            )
            # The same dispatch on both hosts at the same moment: with distinct keys
            # one is refused as a duplicate; with one key both get the same answer.
            raced = [n for n in range(CONTRACTORS) if n % 2 == 0]
            same_key = [n for n in range(CONTRACTORS) if n % 2 == 1]
            distinct_races = [
                at_once(
                    [
                        lambda h=h, n=n: h.send(
                            "POST",
                            "/api/v1/assignments",
                            dispatch_body(contractors[n], distinct_race_job, starts),
                            key=f"race-{n}-{h.url}",
                        )
                        for h in hosts
                    ]
                )
                for n in raced[:RACES]
            ]
            same_key_races = [
                at_once(
                    [
                        lambda h=h, n=n: h.send(
                            "POST",
                            "/api/v1/assignments",
                            dispatch_body(contractors[n], same_key_race_job, starts),
                            key=f"twin-{n}",
                        )
                        for h in hosts
                    ]
                )
                for n in same_key[:RACES]
            ]
            loaded = time.monotonic() - began - booted

            # The workers drain the queue ------------------------------------------
            settled_in = settle(running)

            # Every PDF from the bucket, through either web host ------------------
            certificates = list(Certificate.objects.filter(platform=platform))

            def download(n: int, certificate: Certificate) -> float:
                stored = s3.body(bucket, certificate.pdf.name)
                t0 = time.perf_counter()
                status, headers, body = on(n).send(
                    "GET", f"/api/v1/certificates/{certificate.number}/pdf"
                )
                took = (time.perf_counter() - t0) * 1000
                assert (status, headers["Content-Type"]) == (200, "application/pdf")
                assert body == stored and body.startswith(b"%PDF-")
                return took

            pdf_ms = in_parallel(
                [lambda n=n, c=c: download(n, c) for n, c in enumerate(certificates)]
            )
            served = len(pdf_ms)

            # The baseline, at the same concurrency: an assignment's JSON.
            def read_json(n: int, assignment_id: str) -> float:
                t0 = time.perf_counter()
                status, _, _ = on(n).send("GET", f"/api/v1/assignments/{assignment_id}")
                assert status == 200
                return (time.perf_counter() - t0) * 1000

            json_ms = in_parallel(
                [
                    lambda n=n, r=r: read_json(n, r["id"])
                    for n, r in enumerate(first * 2)
                ]
            )
            local = running.local_files()
            worker_ids = running.worker_ids
            stopping = time.monotonic()
            worked = stopping - began - booted
        stopped_in = time.monotonic() - stopping
        versions, delete_markers = s3.versions(bucket)
    # Nothing failed quietly on any host (a 500, a task's exception, a lost connection).
    tracebacks = sum(
        log.read_text(errors="replace").count("Traceback")
        for log in running.logs.glob("*.log")
    )

    # Counts ----------------------------------------------------------------------
    dispatches = len(planned) + 2 * RACES
    card_dispatches = CARD_PAYERS * REGULAR_JOBS + sum(
        1 for n in raced[:RACES] + same_key[:RACES] if n < CARD_PAYERS
    )
    assignments = Assignment.objects.filter(platform=platform)
    per_window = Counter(
        assignments.values_list("contractor_id", "job_id", "effective_at", "end_at")
    )
    replays = [
        (status, json.loads(raw)["id"], headers.get("Idempotent-Replayed"))
        for status, headers, raw in retried
    ]
    distinct_statuses = [sorted(s for s, _, _ in pair) for pair in distinct_races]
    refused = [
        json.loads(raw)["error_code"]
        for pair in distinct_races
        for s, _, raw in pair
        if s == 409
    ]
    twins = [
        ([s for s, _, _ in pair], {json.loads(raw)["id"] for _, _, raw in pair})
        for pair in same_key_races
    ]
    writes_per_key = Counter(v["Key"] for v in versions)
    received = verified(receiver, endpoint["secret"])
    delivered_twice = sum(c - 1 for c in Counter(received).values())
    deliveries = Delivery.objects.filter(endpoint__public_id=endpoint["id"])
    registered = WebhookEndpoint.objects.get(public_id=endpoint["id"]).created_at
    events = Event.objects.filter(platform=platform, created_at__gte=registered)
    charges = Charge.objects.filter(platform=platform)
    processor = Counter(SandboxCharge.objects.values_list("idempotency_key", flat=True))
    collected = Counter(
        CollectionEntry.objects.filter(kind=CollectionEntry.Kind.CHARGED).values_list(
            "charge_id", flat=True
        )
    )
    sent = Counter((m["To"], m["Subject"]) for m in inbox.messages)
    recorded = Counter(Notice.objects.values_list("to", "subject"))
    results = list(
        DBTaskResult.objects.values_list("status", "worker_ids", "task_path")
    )
    by_worker = Counter(ids[-1] for _, ids, _ in results if ids)
    claimed_twice = sum(1 for _, ids, _ in results if len(ids) > 1)
    tasks_by_kind = Counter(path.rsplit(".", 1)[-1] for _, _, path in results)

    print(
        f"\ntwo web hosts + two workers, one PostgreSQL, one S3 bucket "
        f"(up in {booted:.1f} s; load {loaded:.1f} s, drained in {settled_in:.1f} s: "
        f"{worked:.1f} s of work; stopped in {stopped_in:.1f} s; "
        f"{time.monotonic() - began:.1f} s in all; machine shared, under load):\n"
        f"  dispatches: {dispatches} planned, {assignments.count()} assignments "
        f"({assignments.filter(eligible=True).count()} covered), "
        f"max {max(per_window.values())} per tech/job/window; {len(retried)} retries on the "
        f"other host: {dict(Counter(s for s, _, _ in replays))}; distinct-key races "
        f"{distinct_statuses} ({Counter(refused)}); same-key races {[s for s, _ in twins]}\n"
        f"  premium: {ledger.total(platform=platform)} ¢ booked "
        f"(expected {dispatches * PREMIUM}); {charges.count()} charges "
        f"{dict(Counter(charges.values_list('status', flat=True)))}, {sum(processor.values())} "
        f"at the processor, {sum(collected.values())} collected\n"
        f"  certificates: {len(certificates)}, {len(versions)} S3 writes, "
        f"{len(delete_markers)} replaced, {served} PDFs served from S3 (p50 "
        f"{p50(pdf_ms):.0f} ms vs {p50(json_ms):.0f} ms for an "
        f"assignment's JSON); {len(local)} files on local disks\n"
        f"  webhooks: {len(events)} events, {deliveries.count()} deliveries, "
        f"{len(received)} POSTs received, {delivered_twice} duplicates\n"
        f"  e-mail: {Notice.objects.count()} notices, {len(inbox.messages)} sent\n"
        f"  tasks: {len(results)} {dict(Counter(s for s, _, _ in results))} {dict(tasks_by_kind)}; "
        f"by worker {dict(by_worker)}; {claimed_twice} claimed twice; "
        f"{tracebacks} tracebacks in the hosts' logs"
    )

    # One assignment per key and per window; premium booked once each.
    assert assignments.count() == dispatches
    assert set(per_window.values()) == {1}
    assert all(status == 201 and replayed == "true" for status, _, replayed in replays)
    assert [i for _, i, _ in replays] == [r["id"] for r in first]
    assert distinct_statuses == [[201, 409]] * RACES
    assert refused == ["duplicate_assignment"] * RACES
    assert all(statuses == [201, 201] and len(ids) == 1 for statuses, ids in twins)
    assert ledger.total(platform=platform) == dispatches * PREMIUM
    # Every certificate rendered once, stored once, served by both hosts.
    assert len(certificates) == 2 * dispatches
    assert sorted(writes_per_key) == sorted(c.pdf.name for c in certificates)
    assert set(writes_per_key.values()) == {1} and delete_markers == []
    assert served == len(certificates)
    assert local == []
    # Every event delivered, once.
    assert sorted(received) == sorted(events.values_list("public_id", flat=True))
    assert delivered_twice == 0
    assert set(deliveries.values_list("status", "attempt_count")) == {("succeeded", 1)}
    # Each card payer's premium charged once, at the processor and in the books.
    assert charges.count() == card_dispatches
    assert set(charges.values_list("status", "attempt")) == {("succeeded", 1)}
    assert processor == Counter(charges.values_list("idempotency_key", flat=True))
    assert collected == Counter(charges.values_list("pk", flat=True))
    # Every e-mail once.
    assert sent == recorded and Notice.objects.exists()
    # Both workers worked; nothing was claimed twice or left over.
    assert {s for s, _, _ in results} == {"SUCCESSFUL"}
    assert set(by_worker) == set(worker_ids) and min(by_worker.values()) > 0
    assert claimed_twice == 0
    assert tracebacks == 0, running.log_tail()
    # Bounded: the work itself (load, drain, downloads, checks) within 90 s; starting
    # and stopping the four processes are bounded by their own timeouts.
    assert worked < 90

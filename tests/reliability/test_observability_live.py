"""Observability of a live host (issue 14): JSON log lines that carry the request id the
caller got, background tasks' lines that carry theirs, and /metrics that follow real work.

A ``manage.py runserver`` process with debug off (its production defaults: JSON logs)
serves the API; ``manage.py db_worker --batch`` runs what it enqueued.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coverage.models import WebhookEndpoint
from portal.models import Platform
from tests.reliability.observed import (
    call,
    dispatch_parties,
    log_lines,
    receiver,
    run_worker_batch,
    scrape,
    value,
)
from tests.reliability.servers import web_hosts

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "metrics-scraper-token-0123456789"


def test_every_log_line_is_json_and_carries_the_request_id_the_caller_got(
    platform: Platform, platform_key: str, tmp_path: Path
) -> None:
    contractor, job = dispatch_parties(platform)
    media = tmp_path / "media"
    env = {"DJANGO_MEDIA_ROOT": str(media)}
    with web_hosts(1, log_dir=tmp_path, **env) as (host,):
        answers = {
            "list": call("GET", f"{host}/api/v1/contractors", key=platform_key),
            "unknown path": call("GET", f"{host}/api/v1/nowhere", key=platform_key),
            "bad body": call(
                "POST", f"{host}/api/v1/contractors", key=platform_key, body={}
            ),
            "no key": call("GET", f"{host}/api/v1/contractors"),
            "own id": call(
                "GET",
                f"{host}/api/v1/contractors",
                key=platform_key,
                headers={"X-Request-Id": "platform-call-0042"},
            ),
            "dispatch": call(
                "POST",
                f"{host}/api/v1/assignments",
                key=platform_key,
                body={"contractor": contractor, "job": job},
            ),
            "health": call("GET", f"{host}/healthz"),
        }
    run_worker_batch(tmp_path / "worker.log", **env)

    web = log_lines(tmp_path / "web-0.log")
    worker = log_lines(tmp_path / "worker.log")
    statuses = {what: status for what, (status, _, _) in answers.items()}
    print(
        f"\n{len(web)} web log lines, {len(worker)} worker lines, all JSON; "
        f"responses: {statuses}"
    )
    assert statuses == {
        "list": 200,
        "unknown path": 404,
        "bad body": 400,
        "no key": 401,
        "own id": 200,
        "dispatch": 201,
        "health": 200,
    }
    ids = {what: headers["request-id"] for what, (_, headers, _) in answers.items()}
    assert ids["own id"] == "platform-call-0042"
    assert len(set(ids.values())) == len(ids)

    # One access line per request, under the id its response carried.
    access = [line for line in web if line["logger"] == "portal.access"]
    assert len(access) == len(answers) + 1  # and runserver's own /healthz probe
    by_id = {line["request_id"]: line for line in access}
    for what, (status, _, _) in answers.items():
        line = by_id[ids[what]]
        assert line["status"] == status, (what, line)
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert line["method"] in ("GET", "POST")
    assert by_id[ids["dispatch"]]["route"] == "/api/v1/assignments"
    assert by_id[ids["unknown path"]]["path"] == "/api/v1/nowhere"
    # Django's own line about each error response carries the same id.
    errors = {
        line["request_id"]: line["message"]
        for line in web
        if line["logger"] == "django.request"
    }
    assert errors == {
        ids["unknown path"]: "Not Found: /api/v1/nowhere",
        ids["bad body"]: "Bad Request: /api/v1/contractors",
        ids["no key"]: "Unauthorized: /api/v1/contractors",
    }
    # Every line written while serving a request carries one of the ids handed out
    # (or the readiness probe's, the one request the test did not make).
    probes = {
        line["request_id"]
        for line in access
        if line["path"] == "/healthz" and line["request_id"] != ids["health"]
    }
    assert len(probes) == 1
    served = {line["request_id"] for line in web if line["request_id"] != "-"}
    assert served == set(ids.values()) | probes

    # The worker's lines for the dispatch's tasks carry each task's id and the id of
    # the request that enqueued them.
    task_lines = [line for line in worker if "task_id" in line]
    assert task_lines, worker
    assert {line["request_id"] for line in task_lines} == {ids["dispatch"]}
    finished = [
        line
        for line in task_lines
        if line["logger"] == "django_tasks" and "state=SUCCESSFUL" in line["message"]
    ]
    assert finished and all(line["task_id"] in line["message"] for line in finished)
    print(f"{len(finished)} tasks ran for request {ids['dispatch']}")


def test_metrics_follow_real_work_and_need_the_token(
    platform: Platform, platform_key: str, tmp_path: Path
) -> None:
    contractor, job = dispatch_parties(platform)
    with receiver() as (hook_url, received):
        WebhookEndpoint.objects.create(
            platform=platform, url=f"{hook_url}/hooks", secret="whsec_test"
        )
        env = {
            "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
            "DJANGO_WEBHOOK_ALLOWED_INTERNAL_HOSTS": "127.0.0.1",
        }
        with web_hosts(1, DJANGO_METRICS_TOKEN=TOKEN, **env) as (host,):
            refused = {
                "no token": call("GET", f"{host}/metrics")[0],
                "wrong token": call("GET", f"{host}/metrics", key="guess")[0],
            }
            before = scrape(host, TOKEN)
            status, _, body = call(
                "POST",
                f"{host}/api/v1/assignments",
                key=platform_key,
                body={"contractor": contractor, "job": job},
            )
            assert status == 201, body
            waiting = scrape(host, TOKEN)
            run_worker_batch(tmp_path / "worker.log", **env)
            after = scrape(host, TOKEN)
        with web_hosts(1, **env) as (unconfigured,):
            off = call("GET", f"{unconfigured}/metrics", key=TOKEN)[0]

    gauges = (
        "dcp_certificate_renders_waiting",
        "dcp_webhook_deliveries_overdue",
        "dcp_workers_live",
    )
    for name, samples in (("before", before), ("waiting", waiting), ("after", after)):
        print(
            f"\n{name}: "
            + ", ".join(f"{g}={value(samples, g):g}" for g in gauges)
            + f", renders queue ready={value(samples, 'dcp_task_queue_ready', queue='renders'):g}"
            + f" lag={value(samples, 'dcp_task_queue_lag_seconds', queue='renders'):.3f} s"
        )
    print(f"refused: {refused}, without DJANGO_METRICS_TOKEN: {off}")
    assert refused == {"no token": 401, "wrong token": 401}
    assert off == 404

    assert value(before, "dcp_certificate_renders_waiting") == 0
    assert value(before, "dcp_webhook_deliveries_overdue") == 0
    assert value(before, "dcp_task_queue_ready", queue="renders") == 0
    assert value(before, "dcp_workers_live") == 0
    # The dispatch issued a certificate per line (WC, GL), each waiting for its PDF,
    # and events waiting for delivery; their tasks wait in the queue.
    assert value(waiting, "dcp_certificate_renders_waiting") == 2
    assert value(waiting, "dcp_certificate_render_wait_seconds") > 0
    assert value(waiting, "dcp_webhook_deliveries_overdue") >= 1
    # One render task for both certificates, and the deliveries on their own queue.
    assert value(waiting, "dcp_task_queue_ready", queue="renders") == 1
    assert value(waiting, "dcp_task_queue_ready", queue="webhooks") >= 1
    assert value(waiting, "dcp_task_queue_lag_seconds", queue="renders") > 0
    # The worker rendered, delivered and checked in.
    assert value(after, "dcp_certificate_renders_waiting") == 0
    assert value(after, "dcp_certificate_render_wait_seconds") == 0
    assert value(after, "dcp_webhook_deliveries_overdue") == 0
    assert value(after, "dcp_task_queue_ready", queue="renders") == 0
    assert value(after, "dcp_task_queue_ready", queue="webhooks") == 0
    assert value(after, "dcp_task_queue_lag_seconds", queue="renders") == 0
    assert value(after, "dcp_workers_live") == 1
    assert len(received) == value(waiting, "dcp_webhook_deliveries_overdue")
    assert {json.loads(body)["type"] for _, _, body in received}

    # Latency by URL pattern: the dispatch once; the scrapes under their own route.
    post = {"route": "/api/v1/assignments", "method": "POST", "status": "201"}
    assert value(after, "dcp_http_request_duration_seconds_count", **post) == 1
    assert value(after, "dcp_http_request_duration_seconds_sum", **post) > 0
    scrapes = {"route": "/metrics", "method": "GET", "status": "200"}
    assert value(after, "dcp_http_request_duration_seconds_count", **scrapes) == 2
    labels = {
        dict(key)["route"]
        for name, key in after
        if name == "dcp_http_request_duration_seconds_count"
    }
    assert not any("as_" in route or "cn_" in route for route in labels), labels

"""Optional Sentry (issue 14): with SENTRY_DSN set, an unhandled error in a live host reaches
Sentry's ingest — here a local HTTP server posing as it, which the DSN names — tagged with
the request id the caller got, and without the API key or the tax id the request carried.

The error is real: the contractors table is renamed under the running server, so the
POST that creates a contractor fails in the database (a ProgrammingError no handler
expects), as a half-applied migration would make it fail.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.api_edges import SERVER_ERROR
from portal.models import Platform
from tests.reliability.observed import (
    call,
    dispatch_parties,
    log_lines,
    run_worker_batch,
)
from tests.reliability.servers import web_hosts

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_KEY = "f3a9c2b7e1d04f6a8b5c9d2e7f1a3b6c"
TAX_ID = "123-45-6789"


@contextmanager
def sentry_ingest() -> Iterator[tuple[str, list[tuple[str, dict[str, str], bytes]]]]:
    """A stand-in for Sentry's ingest on 127.0.0.1: stores each envelope, decompressed."""
    envelopes: list[tuple[str, dict[str, str], bytes]] = []

    class Ingest(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            else:
                assert encoding in ("", "identity"), f"cannot read {encoding}"
            envelopes.append((self.path, dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{PUBLIC_KEY}@127.0.0.1:{server.server_address[1]}/42", envelopes
    finally:
        server.shutdown()
        server.server_close()


def events_in(envelopes: list[tuple[str, dict[str, str], bytes]]) -> list[dict]:
    return [
        payload
        for _, _, raw in envelopes
        for header, payload in items(raw)
        if header.get("type") == "event"
    ]


def items(envelope: bytes) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """An envelope's items: (item header, payload), after the envelope's own header."""
    lines = envelope.split(b"\n")
    position = 1
    while position + 1 < len(lines):
        header = json.loads(lines[position])
        payload = lines[position + 1]
        position += 2
        yield header, json.loads(payload) if payload.strip() else {}


@contextmanager
def contractors_table_missing() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE coverage_contractor RENAME TO obs_hidden")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE obs_hidden RENAME TO coverage_contractor")


def test_an_unhandled_error_reaches_sentry_tagged_and_scrubbed(
    requires_postgres: None, platform_key: str, tmp_path: Path
) -> None:
    with sentry_ingest() as (dsn, envelopes):
        env = {
            "SENTRY_DSN": dsn,
            "SENTRY_ENVIRONMENT": "reliability",
            "SENTRY_RELEASE": "coverage@test",
        }
        with web_hosts(1, log_dir=tmp_path, **env) as (host,):
            handled = call("GET", f"{host}/api/v1/nowhere", key=platform_key)
            with contractors_table_missing():
                status, headers, body = call(
                    "POST",
                    f"{host}/api/v1/contractors",
                    key=platform_key,
                    body={
                        "first_name": "Terry",
                        "last_name": "Tech",
                        "email": "terry@example.com",
                        "tax_identification": TAX_ID,
                    },
                    headers={"Cookie": "sessionid=secret-session-cookie"},
                )
            deadline = time.monotonic() + 30
            while not envelopes and time.monotonic() < deadline:
                time.sleep(0.2)
    request_id = headers["request-id"]
    print(
        f"\nunhandled error: {status} {body.decode()} request-id={request_id}; "
        f"{len(envelopes)} envelope(s) at the ingest"
    )
    assert status == 500
    assert json.loads(body) == {"message": SERVER_ERROR, "error_code": "general_error"}
    assert handled[0] == 404

    # One unhandled error, the database's, tagged with the caller's request id. (This
    # host has no collected static files, so the 500 page fails to render too: logged
    # as an error, which Sentry receives as a second, logged event.)
    events = events_in(envelopes)
    unhandled = [
        e
        for e in events
        if e.get("exception", {}).get("values", [{}])[-1].get("mechanism", {})
        == {"type": "django", "handled": False}
    ]
    assert len(unhandled) == 1, events
    (event,) = unhandled
    assert all(e["tags"]["request_id"] == request_id for e in events)
    exception = event["exception"]["values"][-1]
    assert exception["type"] in ("ProgrammingError", "UndefinedTable"), exception
    assert "coverage_contractor" in exception["value"]
    assert event["tags"]["request_id"] == request_id
    assert event["environment"] == "reliability"
    assert event["release"] == "coverage@test"
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"].endswith("/api/v1/contractors")
    path, sent_headers, _ = envelopes[0]
    assert path == "/api/42/envelope/"
    assert PUBLIC_KEY in sent_headers.get("X-Sentry-Auth", "")

    # Nothing secret left for Sentry: not the API key, the cookie or the tax id, in
    # any spelling, anywhere in what was sent.
    everything = b"".join(raw for _, _, raw in envelopes).decode()
    for secret in (platform_key, "secret-session-cookie", TAX_ID, "123456789"):
        assert secret not in everything, f"{secret!r} reached Sentry"
    frames = [
        frame
        for value in event["exception"]["values"]
        for frame in value.get("stacktrace", {}).get("frames", [])
    ]
    assert frames and not any("vars" in frame for frame in frames)
    sent_request_headers = event["request"].get("headers", {})
    assert sent_request_headers.get("Authorization") in (None, "", "[Filtered]")
    assert sent_request_headers.get("Cookie") in (None, "", "[Filtered]")
    print(f"event {event['event_id']}: {exception['type']}, tags {event['tags']}")

    # And the host's log line for the error carries the same request id.
    web = log_lines(tmp_path / "web-0.log")
    (server_error,) = [
        line
        for line in web
        if line["logger"] == "django.request" and line["level"] == "ERROR"
    ]
    assert server_error["request_id"] == request_id
    assert server_error["level"] == "ERROR"
    assert "ProgrammingError" in server_error["exc_info"]
    assert TAX_ID not in server_error["exc_info"]


def test_a_failing_background_task_reaches_sentry_with_its_task_and_request_ids(
    platform: Platform, platform_key: str, tmp_path: Path
) -> None:
    contractor, job = dispatch_parties(platform)
    # The worker's storage cannot be written (its folder is a file): the render fails.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    with sentry_ingest() as (dsn, envelopes):
        with web_hosts(1, DJANGO_MEDIA_ROOT=str(tmp_path / "media")) as (host,):
            status, headers, body = call(
                "POST",
                f"{host}/api/v1/assignments",
                key=platform_key,
                body={"contractor": contractor, "job": job},
            )
        assert status == 201, body
        run_worker_batch(
            tmp_path / "worker.log", SENTRY_DSN=dsn, DJANGO_MEDIA_ROOT=str(blocked)
        )
        deadline = time.monotonic() + 30
        while not events_in(envelopes) and time.monotonic() < deadline:
            time.sleep(0.2)
    failed = list(DBTaskResult.objects.filter(status=TaskResultStatus.FAILED))
    events = events_in(envelopes)
    print(
        f"\n{len(failed)} task(s) failed; {len(events)} event(s) at the ingest: "
        + ", ".join(str(e["tags"]) for e in events)
    )
    assert len(failed) == 1
    (event,) = events
    assert event["tags"] == {
        "task_id": str(failed[0].pk),
        "request_id": headers["request-id"],
    }
    assert "render_certificate" in event["logentry"]["formatted"]
    assert event["exception"]["values"]

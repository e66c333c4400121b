"""Idempotent POSTs: replay, mismatch, expiry and a real race (PostgreSQL)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from portal.api import IDEMPOTENCY_MISMATCH
from portal.models import IdempotencyRecord, Platform
from tests.conftest import bearer
from tests.portal import plumbing_api

pytestmark = pytest.mark.urls("tests.portal.plumbing_urls")

URL = "/plumbing/ten99/things"


def create(
    client: Client,
    key: str | None,
    body: dict,
    raw_key: str,
    header: str = "Ten99Policy-Idempotent-Key",
):
    headers = bearer(raw_key)
    if key:
        headers[header] = key
    return client.post(
        URL, json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.mark.django_db
class TestReplay:
    def test_replay_returns_identical_status_and_body(self, platform_key: str) -> None:
        first = create(Client(), "k-1", {"name": "one"}, platform_key)
        second = create(Client(), "k-1", {"name": "one"}, platform_key)
        assert first.status_code == second.status_code == 201
        assert first.content == second.content
        assert second["Idempotent-Replayed"] == "true"
        assert second["Ten99Policy-Idempotent-Key"] == "k-1"
        assert Platform.objects.filter(name="one").count() == 1

    def test_different_body_with_same_key_is_rejected(self, platform_key: str) -> None:
        create(Client(), "k-2", {"name": "two"}, platform_key)
        response = create(Client(), "k-2", {"name": "three"}, platform_key)
        assert response.status_code == 400
        assert response.json() == {
            "message": IDEMPOTENCY_MISMATCH,
            "error_code": "idempotency_error",
        }
        assert not Platform.objects.filter(name="three").exists()

    def test_documented_header_wins_over_a_random_idempotency_key(
        self, platform_key: str
    ) -> None:
        # The SDK adds a fresh Idempotency-Key to every call; the documented header decides.
        client = Client()
        for random_key in ("uuid-a", "uuid-b"):
            client.post(
                URL,
                json.dumps({"name": "sdk"}),
                content_type="application/json",
                headers={
                    **bearer(platform_key),
                    "Ten99Policy-Idempotent-Key": "mine",
                    "Idempotency-Key": random_key,
                },
            )
        assert Platform.objects.filter(name="sdk").count() == 1

    def test_idempotency_key_alone_also_counts(self, platform_key: str) -> None:
        create(Client(), "plain", {"name": "p"}, platform_key, header="Idempotency-Key")
        replay = create(
            Client(), "plain", {"name": "p"}, platform_key, header="Idempotency-Key"
        )
        assert replay["Idempotent-Replayed"] == "true"
        assert Platform.objects.filter(name="p").count() == 1

    def test_without_a_key_each_post_creates(self, platform_key: str) -> None:
        create(Client(), None, {"name": "twice"}, platform_key)
        create(Client(), None, {"name": "twice-b"}, platform_key)
        assert Platform.objects.filter(name__startswith="twice").count() == 2

    def test_keys_are_scoped_to_the_platform(
        self, platform_key: str, other_platform_key: str
    ) -> None:
        create(Client(), "shared", {"name": "ours"}, platform_key)
        theirs = create(Client(), "shared", {"name": "theirs"}, other_platform_key)
        assert theirs.status_code == 201
        assert Platform.objects.filter(name__in=["ours", "theirs"]).count() == 2

    def test_failed_requests_are_not_stored_and_can_be_retried(
        self, platform_key: str
    ) -> None:
        assert (
            create(Client(), "retry", {"name": "forbidden"}, platform_key).status_code
            == 400
        )
        assert not IdempotencyRecord.objects.filter(key="retry").exists()

    def test_expired_key_counts_as_new(self, platform_key: str) -> None:
        create(Client(), "old", {"name": "before"}, platform_key)
        IdempotencyRecord.objects.filter(key="old").update(
            created_at=timezone.now() - timedelta(hours=25)
        )
        response = create(Client(), "old", {"name": "after"}, platform_key)
        assert response.status_code == 201
        assert not response.has_header("Idempotent-Replayed")
        assert Platform.objects.filter(name="after").exists()

    def test_too_long_key_is_400(self, platform_key: str) -> None:
        assert (
            create(Client(), "x" * 256, {"name": "long"}, platform_key).status_code
            == 400
        )


@pytest.mark.django_db(transaction=True)
def test_twenty_racing_requests_with_one_key_create_one_row(
    platform_key: str, requires_postgres: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hold each create open long enough that every thread is inside its own request.
    monkeypatch.setattr(plumbing_api, "CREATE_DELAY_SECONDS", 0.3)
    barrier = threading.Barrier(20)
    responses: list = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            response = create(Client(), "race", {"name": "raced"}, platform_key)
            with lock:
                responses.append(response)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert len(responses) == 20
    assert Platform.objects.filter(name="raced").count() == 1
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 19

"""What the shared API plumbing costs per request: key auth, paging, idempotency."""

from __future__ import annotations

import itertools
import json

import pytest
from django.db import connection
from django.test import Client

from portal.models import Platform
from tests.conftest import bearer
from tests.perf.conftest import measure

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.plumbing_urls")]

URL = "/plumbing/ten99/things"


def test_bench_authenticated_list(platform_key: str) -> None:
    Platform.objects.bulk_create([Platform(name=f"bench {i}") for i in range(500)])
    client = Client()
    figures = measure(
        lambda: client.get(f"{URL}?limit=100", headers=bearer(platform_key)), runs=200
    )
    print(f"\nGET list of 100 with key auth ({connection.vendor}): {figures}")
    assert figures["median_ms"] < 100


def test_bench_idempotent_post_and_replay(platform_key: str) -> None:
    client = Client()
    counter = itertools.count()

    def create() -> None:
        n = next(counter)
        client.post(
            URL,
            json.dumps({"name": f"idem {n}"}),
            content_type="application/json",
            headers={**bearer(platform_key), "Ten99Policy-Idempotent-Key": f"k{n}"},
        )

    def replay() -> None:
        client.post(
            URL,
            json.dumps({"name": "idem 0"}),
            content_type="application/json",
            headers={**bearer(platform_key), "Ten99Policy-Idempotent-Key": "k0"},
        )

    first = measure(create, runs=200)
    again = measure(replay, runs=200)
    print(f"\nidempotent POST (new key) ({connection.vendor}): {first}")
    print(f"idempotent POST (replay) ({connection.vendor}): {again}")
    assert first["median_ms"] < 100 and again["median_ms"] < 100

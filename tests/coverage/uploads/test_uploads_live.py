"""The upload as a platform sends it: `requests` multipart against a live server (what
`curl -u KEY: -F certificate=@coi.pdf -F contractor=cn_…` sends), and the outcome's
webhook, signed, at a real receiver."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests

from coverage.models import Contractor
from coverage.webhooks import endpoints, signing
from portal.models import Platform
from tests.coverage.uploads import corpus
from tests.coverage.webhook_receiver import Receiver, running_receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


def wait_for(predicate: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_curl_style_upload_is_reviewed_and_the_outcome_webhook_is_signed(
    live_server: Any,
    settings: Any,
    platform_key: str,
    tech: Contractor,
    with_default: Platform,
    receiver: Receiver,
    today: date,
) -> None:
    settings.PORTAL_BASE_URL = live_server.url
    endpoint = endpoints.create_endpoint(
        platform=with_default, url=receiver.url, events=["certificate.denied"]
    )
    low = corpus.flattened(today, aggregate="$1,000,000")

    response = requests.post(
        f"{live_server.url}/api/v1/files/certificates",
        auth=(platform_key, ""),  # curl -u KEY:
        files={"certificate": ("coi.pdf", low, "application/pdf")},
        data={"contractor": tech.public_id},
        timeout=30,
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "pending"
    wait_for(lambda: receiver.requests)
    [got] = receiver.requests
    signing.verify(
        secret=endpoint.secret,
        header=got.headers["ten99policy-signature"],
        body=got.body,
    )
    event = json.loads(got.body)
    assert event["type"] == "certificate.denied"
    assert event["data"]["id"] == created["id"]
    assert event["data"]["status"] == "denied"
    assert event["data"]["review_results"]["summary"]["failed"] >= 1

    # The SDK's own auth header reads the same certificate.
    shown = requests.get(
        f"{live_server.url}/api/v1/files/certificates/{created['id']}",
        headers={"Authorization": f"Bearer {platform_key}"},
        params={"expand[]": "review_results.full"},
        timeout=10,
    ).json()
    messages = [r["message"] for r in shown["review_results"]["audit_results"]]
    assert (
        "General aggregate $1,000,000 is below the $2,000,000 Acme Field Services "
        "requires." in messages
    )


def test_an_oversized_upload_is_refused_before_it_is_read(
    live_server: Any,
    platform_key: str,
    tech: Contractor,
    with_default: Platform,
    today: date,
) -> None:
    response = requests.post(
        f"{live_server.url}/api/v1/files/certificates",
        headers={"Authorization": f"Bearer {platform_key}"},
        files={
            "certificate": (
                "coi.pdf",
                corpus.sixteen_megabytes(today),
                "application/pdf",
            )
        },
        data={"contractor": tech.public_id},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "invalid_file_size"

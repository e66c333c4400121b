"""The public ten99policy SDK, unmodified, against our server: webhook endpoints and events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType

import pytest
import ten99policy
from django.db import transaction
from ten99policy import error, http_client

from coverage.api.events import NO_SUCH_EVENT
from coverage.api.webhooks import NO_SUCH_ENDPOINT
from coverage.webhooks import endpoints, signing
from coverage.webhooks.events import emit
from portal.models import Platform
from tests.coverage.webhook_receiver import Receiver, running_receiver

# live_server answers from another thread, so the data must really be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sdk(
    live_server, platform_key: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ModuleType]:
    monkeypatch.setattr(ten99policy, "api_key", platform_key)
    monkeypatch.setattr(ten99policy, "api_base", live_server.url)
    monkeypatch.setattr(ten99policy, "log", None)  # it prints every request by default
    client = http_client.RequestsClient()
    monkeypatch.setattr(ten99policy, "default_http_client", client)
    yield ten99policy
    # A kept-alive connection would hold a server thread, and with it a database
    # session that stops the test database from being dropped.
    client.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


def test_webhook_endpoint_lifecycle(sdk: ModuleType, receiver: Receiver) -> None:
    created = sdk.Webhooks.create(
        url=receiver.url, description="Dispatch board", events=["policy.created"]
    )
    assert created.id.startswith("whe_") and created.secret.startswith("whsec_")
    assert created.events == ["policy.created"]

    listed = sdk.Webhooks.list()
    assert [e.id for e in listed] == [created.id]

    retrieved = sdk.Webhooks.retrieve(created.id)
    assert (retrieved.url, retrieved.secret) == (receiver.url, created.secret)

    modified = sdk.Webhooks.modify(created.id, description="Night shift board")
    assert modified.description == "Night shift board"
    assert modified.url == receiver.url  # left unchanged

    gone = sdk.Webhooks.delete(created.id)
    assert (gone.id, gone.deleted) == (created.id, True)
    with pytest.raises(error.InvalidWebhookEndpointIdError) as raised:
        sdk.Webhooks.retrieve(created.id)
    assert raised.value.http_status == 404
    assert raised.value.user_message == NO_SUCH_ENDPOINT.format(id=created.id)


def test_events_reach_an_sdk_made_endpoint_and_the_events_list(
    sdk: ModuleType, receiver: Receiver, platform: Platform
) -> None:
    endpoint = sdk.Webhooks.create(url=receiver.url)
    with transaction.atomic():
        event = emit(
            platform=platform,
            type="policy.created",
            data={"id": "pl_WzFRszJhoY", "object": "policy", "status": "active"},
        )

    [got] = receiver.requests
    signing.verify(
        secret=endpoint.secret,
        header=got.headers["ten99policy-signature"],
        body=got.body,
    )
    assert json.loads(got.body)["id"] == event.public_id

    [listed] = sdk.Events.list(type="policy.created", limit=5)
    assert (listed.id, listed.type) == (event.public_id, "policy.created")
    retrieved = sdk.Events.retrieve(event.public_id)
    assert retrieved.data.status == "active"
    assert retrieved.created == int(event.created_at.timestamp())


def test_errors_surface_as_the_sdks_own_exceptions(
    sdk: ModuleType, other_platform_key: str
) -> None:
    with pytest.raises(error.InvalidInputError) as raised:
        sdk.Webhooks.create(url="ftp://files.example.com/in")
    assert raised.value.http_status == 400
    assert raised.value.user_message == f"url: {endpoints.URL_INVALID}"

    with pytest.raises(error.InvalidEventIdError) as raised:
        sdk.Events.retrieve("ev_nope")
    assert raised.value.user_message == NO_SUCH_EVENT.format(id="ev_nope")

    theirs = sdk.Webhooks.create(
        url="https://rival.example.com/hooks", api_key=other_platform_key
    )
    with pytest.raises(error.InvalidWebhookEndpointIdError):
        sdk.Webhooks.modify(theirs.id, url="https://evil.example.com/")
    with pytest.raises(error.InvalidWebhookEndpointIdError):
        sdk.Webhooks.delete(theirs.id)
    assert sdk.Webhooks.list() == []

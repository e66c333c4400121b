"""Support's admin for events, endpoints and deliveries: read-only history, re-send, stop."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from coverage.webhooks import endpoints
from portal.models import Platform, User
from tests.coverage.webhook_receiver import Receiver, running_receiver

pytestmark = pytest.mark.django_db

ADMIN = "/admin/coverage"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


@pytest.fixture
def as_support(support: User, client_as: Callable[[User], Client]) -> Client:
    return client_as(support)


def make_history(platform: Platform, url: str, n: int) -> WebhookEndpoint:
    """An endpoint with n events, each with a failed delivery of one recorded attempt."""
    endpoint = endpoints.create_endpoint(platform=platform, url=url)
    now = timezone.now()
    for i in range(n):
        event = Event.objects.create(
            platform=platform, type="policy.created", data={"n": i}
        )
        delivery = Delivery.objects.create(
            event=event,
            endpoint=endpoint,
            status=Delivery.Status.FAILED,
            attempt_count=1,
            completed_at=now,
        )
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=1,
            started_at=now,
            finished_at=now,
            status_code=500,
            response_excerpt="upstream exploded",
        )
    return endpoint


def test_pages_render_and_the_secret_stays_off_the_list(
    as_support: Client, platform: Platform
) -> None:
    endpoint = make_history(platform, "https://dispatch.example.com/hooks", 2)
    listing = as_support.get(f"{ADMIN}/webhookendpoint/")
    assert listing.status_code == 200
    assert endpoint.public_id in listing.text and endpoint.secret not in listing.text
    detail = as_support.get(f"{ADMIN}/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret in detail.text

    delivery = Delivery.objects.first()
    page = as_support.get(f"{ADMIN}/delivery/{delivery.pk}/change/")
    assert page.status_code == 200 and "upstream exploded" in page.text
    assert as_support.get(f"{ADMIN}/event/").status_code == 200
    assert as_support.get(f"{ADMIN}/delivery/").status_code == 200


def test_history_cannot_be_edited_or_added(
    as_support: Client, platform: Platform
) -> None:
    make_history(platform, "https://dispatch.example.com/hooks", 1)
    event = Event.objects.get()
    assert as_support.get(f"{ADMIN}/event/add/").status_code == 403
    assert as_support.get(f"{ADMIN}/webhookendpoint/add/").status_code == 403
    response = as_support.post(
        f"{ADMIN}/event/{event.pk}/change/", {"type": "policy.cancelled"}
    )
    assert response.status_code == 403
    assert as_support.post(f"{ADMIN}/event/{event.pk}/delete/").status_code == 403
    event.refresh_from_db()
    assert event.type == "policy.created"


def test_resend_selected_events(
    as_support: Client,
    platform: Platform,
    receiver: Receiver,
    django_capture_on_commit_callbacks,
) -> None:
    make_history(platform, receiver.url, 3)
    chosen = list(Event.objects.order_by("pk")[:2])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_support.post(
            f"{ADMIN}/event/",
            {"action": "resend", "_selected_action": [e.pk for e in chosen]},
        )
    assert response.status_code == 302
    assert Delivery.objects.filter(status=Delivery.Status.SUCCEEDED).count() == 2
    assert len(receiver.requests) == 2


def test_resend_selected_deliveries_to_their_own_endpoints(
    as_support: Client,
    platform: Platform,
    receiver: Receiver,
    django_capture_on_commit_callbacks,
) -> None:
    make_history(platform, receiver.url, 1)
    # Another live endpoint must not get the re-send of this delivery.
    endpoints.create_endpoint(platform=platform, url=receiver.url + "/other")
    failed = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        as_support.post(
            f"{ADMIN}/delivery/", {"action": "resend", "_selected_action": [failed.pk]}
        )
    [got] = receiver.requests
    assert got.path == "/hooks/coverage"
    assert Delivery.objects.filter(status=Delivery.Status.SUCCEEDED).count() == 1


def test_stop_deletes_endpoints_and_keeps_their_history(
    as_support: Client, platform: Platform
) -> None:
    endpoint = make_history(platform, "https://dispatch.example.com/hooks", 2)
    as_support.post(
        f"{ADMIN}/webhookendpoint/",
        {"action": "stop", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is not None
    assert Delivery.objects.filter(endpoint=endpoint).count() == 2


def test_dispatchers_cannot_open_the_admin(
    dispatcher: User, client_as: Callable[[User], Client]
) -> None:
    response = client_as(dispatcher).get(f"{ADMIN}/delivery/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("page", ["event", "webhookendpoint", "delivery"])
def test_list_pages_run_the_same_queries_for_many_rows(
    as_support: Client, platform: Platform, page: str
) -> None:
    make_history(platform, "https://a.example.com/hooks", 2)
    as_support.get(f"{ADMIN}/{page}/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        as_support.get(f"{ADMIN}/{page}/")
    make_history(platform, "https://b.example.com/hooks", 40)
    with CaptureQueriesContext(connection) as many:
        assert as_support.get(f"{ADMIN}/{page}/").status_code == 200
    assert len(many) == len(few)

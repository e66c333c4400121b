"""Events: the one way a state change is announced (GET /api/v1/events, webhooks).

``emit`` records the event and schedules its webhook deliveries in the writing
transaction: the deliveries exist exactly when the event does (an outbox; see
``delivery.schedule_all``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Exists, Subquery

from coverage.models import Event, WebhookEndpoint
from coverage.webhooks import delivery
from coverage.webhooks.payloads import EVENT_TYPES
from portal import json_rows
from portal.models import Platform


def _checked(type: str) -> str:
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}")
    return type


def emit(*, platform: Platform, type: str, data: Mapping[str, object]) -> Event:
    """Record that ``type`` happened, with ``data`` (the resource's JSON as the API shows it).

    Call it inside the writing transaction: the event exists exactly when the change
    does, and a rolled-back change takes its event and deliveries with it.
    """
    (event,) = emit_each(platform=platform, events=[(type, data)])
    return event


def emit_each(
    *,
    platform: Platform,
    events: Sequence[tuple[str, Mapping[str, object]]],
    has_endpoints: bool | None = None,
    endpoints: Sequence[WebhookEndpoint] | None = None,
) -> list[Event]:
    """Several events of one platform, in order: one INSERT, one read of its endpoints.

    ``has_endpoints``: whether the platform has a live endpoint, when the caller read
    it with another row (``endpoints_exist``); False saves the endpoint read.
    ``endpoints``: its live endpoints themselves, read with another row
    (``live_endpoints``): no read at all.
    """
    created = Event.objects.bulk_create(
        [
            Event(platform=platform, type=_checked(type), data=data)
            for type, data in events
        ]
    )
    if endpoints is None and has_endpoints is False:
        endpoints = []
    delivery.schedule_all(events=created, endpoints=endpoints)
    return created


def endpoints_exist(platform_id: Any) -> Exists:
    """Whether the platform has a live webhook endpoint, as an annotation."""
    return Exists(
        WebhookEndpoint.objects.filter(platform_id=platform_id, deleted_at__isnull=True)
    )


def live_endpoints(platform_id: Any) -> Subquery:
    """The platform's live webhook endpoints as a JSON annotation (PostgreSQL;
    ``endpoints_of`` reads it back), oldest first."""
    return json_rows.rows(
        WebhookEndpoint.objects.filter(
            platform_id=platform_id, deleted_at__isnull=True
        ),
        order_by=("id",),
    )


def endpoints_of(rows: list[dict[str, Any]] | None) -> list[WebhookEndpoint]:
    return [json_rows.instance(WebhookEndpoint, row) for row in rows or []]


def emit_many(
    *, platform: Platform, type: str, data: list[dict[str, Any]]
) -> list[Event]:
    """``emit`` for several resources at once (one INSERT), e.g. a batch of approved trades."""
    return emit_each(platform=platform, events=[(type, item) for item in data])

"""Events: the one way a state change is announced (GET /api/v1/events, webhooks).

``emit`` records the event and schedules its webhook deliveries in the writing
transaction: the deliveries exist exactly when the event does (an outbox; see
``delivery.schedule_all``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Exists

from coverage.models import Event, WebhookEndpoint
from coverage.webhooks import delivery
from coverage.webhooks.payloads import EVENT_TYPES
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
) -> list[Event]:
    """Several events of one platform, in order: one INSERT, one read of its endpoints.

    ``has_endpoints``: whether the platform has a live endpoint, when the caller read
    it with another row (``endpoints_exist``); False saves the endpoint read.
    """
    created = Event.objects.bulk_create(
        [
            Event(platform=platform, type=_checked(type), data=data)
            for type, data in events
        ]
    )
    delivery.schedule_all(
        events=created, endpoints=[] if has_endpoints is False else None
    )
    return created


def endpoints_exist(platform_id: Any) -> Exists:
    """Whether the platform has a live webhook endpoint, as an annotation."""
    return Exists(
        WebhookEndpoint.objects.filter(platform_id=platform_id, deleted_at__isnull=True)
    )


def emit_many(
    *, platform: Platform, type: str, data: list[dict[str, Any]]
) -> list[Event]:
    """``emit`` for several resources at once (one INSERT), e.g. a batch of approved trades."""
    return emit_each(platform=platform, events=[(type, item) for item in data])

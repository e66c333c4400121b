"""Events: the one way a state change is announced (GET /api/v1/events, webhooks).

``emit`` records the event in the writing transaction and, once it commits, schedules
its webhook deliveries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from coverage.models import Event
from coverage.webhooks import delivery
from coverage.webhooks.payloads import EVENT_TYPES
from portal.models import Platform


def emit(*, platform: Platform, type: str, data: Mapping[str, object]) -> Event:
    """Record that ``type`` happened, with ``data`` (the resource's JSON as the API shows it).

    Call it inside the writing transaction: the event exists exactly when the change does.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}")
    event = Event.objects.create(platform=platform, type=type, data=data)

    def schedule_deliveries() -> None:
        delivery.schedule_deliveries(event=event)

    # Webhooks go out only once the change is durable: a rolled-back transaction
    # discards this callback, so its event is never delivered. `robust` because the
    # caller's change has already committed by then: a failure to schedule is logged
    # rather than turned into an error response (the event stays listed, and support
    # can re-send it from the admin). A named function, not a partial: Django logs
    # a robust callback's failure by its __qualname__.
    transaction.on_commit(schedule_deliveries, robust=True)
    return event


def emit_many(
    *, platform: Platform, type: str, data: list[dict[str, Any]]
) -> list[Event]:
    """``emit`` for several resources at once (one INSERT), e.g. a batch of approved trades."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}")
    created = Event.objects.bulk_create(
        Event(platform=platform, type=type, data=item) for item in data
    )

    def schedule_deliveries() -> None:
        for event in created:
            delivery.schedule_deliveries(event=event)

    transaction.on_commit(schedule_deliveries, robust=True)
    return created

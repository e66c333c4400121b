"""Events: the one way a state change is announced (GET /api/v1/events, webhooks)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from coverage.models import Event
from portal.models import Platform

# Types this product emits; the contractor API's documented names where one exists.
EVENT_TYPES = frozenset(
    {
        "application.created",
        "application.started",
        "application.complete",
        "application.expired",
        "application.ineligible",
        "policy.created",
        "policy.active",
        "policy.cancelled",
        "policy.reactivated",
        "policy.renewed",
        "assignment.created",
        "assignment.active",
        "assignment.updated",
        "assignment.cancelled",
        "invoice.created",
        "invoice.updated",
        "category_code.added",
    }
)


def emit(*, platform: Platform, type: str, data: dict[str, Any]) -> Event:
    """Record that ``type`` happened, with ``data`` (the resource's JSON as the API shows it).

    Call it inside the writing transaction: the event exists exactly when the change does.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}")
    event = Event.objects.create(platform=platform, type=type, data=data)

    def schedule_deliveries() -> None:
        # Imported here because coverage.webhooks needs this module's EVENT_TYPES.
        from coverage import webhooks

        webhooks.schedule_deliveries(event=event)

    # Webhooks go out only once the change is durable: a rolled-back transaction
    # discards this callback, so its event is never delivered. `robust` because the
    # caller's change has already committed by then: a failure to schedule is logged
    # rather than turned into an error response (the event stays listed, and support
    # can re-send it from the admin). A named function, not a partial: Django logs
    # a robust callback's failure by its __qualname__.
    transaction.on_commit(schedule_deliveries, robust=True)
    return event


def event_json(event: Event) -> dict[str, Any]:
    """An event as GET /api/v1/events shows it and as a webhook delivers it.

    ``data`` is the resource itself, as the documented policy and assignment
    examples show (not Stripe's ``data.object`` wrapper some guides use).
    """
    return {
        "id": event.public_id,
        "object": "event",
        "type": event.type,
        # Unix seconds, as coverage.api.wire.unix writes them; importing that would
        # load the API package, whose resource modules import this one.
        "created": int(event.created_at.timestamp()),
        "data": event.data,
    }

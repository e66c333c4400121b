"""Events: the one way a state change is announced (GET /api/v1/events, webhooks)."""

from __future__ import annotations

from typing import Any

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
    return Event.objects.create(platform=platform, type=type, data=data)

"""What an event says on the wire: the types this product emits, and the JSON that
GET /api/v1/events shows and a webhook delivers."""

from __future__ import annotations

from typing import Any

from coverage.api.wire import unix
from coverage.models import Event

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
        "invoice.charge_card_succeeded",
        "invoice.charge_card_failed",
        "payment.session.completed",
        "payment.session.cancelled",
        "payment.session.expired",
        "category_code.added",
        "certificate.approved",
        "certificate.flagged",
        "certificate.denied",
    }
)


def event_json(event: Event) -> dict[str, Any]:
    """An event as GET /api/v1/events shows it and as a webhook delivers it.

    ``data`` is the resource itself, as the documented policy and assignment
    examples show (not Stripe's ``data.object`` wrapper some guides use).
    """
    return {
        "id": event.public_id,
        "object": "event",
        "type": event.type,
        "created": unix(event.created_at),
        "data": event.data,
    }

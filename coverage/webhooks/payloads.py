"""What an event says on the wire: the types this product emits, and the JSON that
GET /api/v1/events shows and a webhook delivers."""

from __future__ import annotations

from typing import Any

from coverage.api.wire import unix
from coverage.models import Event

# Every event type the contractor API documents (1099policy-api.md §3.8, with those its
# guides mention elsewhere): a webhook endpoint may subscribe to any of them, whether or
# not this deployment has sent one yet.
DOCUMENTED_EVENT_TYPES = frozenset(
    {
        "policy.active",
        "policy.active.media",
        "policy.cancelled",
        "policy.reactivated",
        "application.created",
        "application.started",
        "application.complete",
        "application.expired",
        "application.ineligible",
        "application.manual_review",
        "application.manual_review_approved",
        "assignment.active",
        "assignment.cancelled",
        "invoice.charge_card_succeeded",
        "invoice.charge_card_failed",
        "payment.session.completed",
        "payment.session.cancelled",
        "payment.session.expired",
        "category_code.added",
        "certificate.approved",
        "certificate.flagged",
        "certificate.denied",
        "certificate.error",
    }
)

# Our additions, for changes the documented list has no name for.
OWN_EVENT_TYPES = frozenset(
    {
        "policy.created",
        "policy.renewed",
        "assignment.created",
        "assignment.updated",
        "invoice.created",
        "invoice.updated",
    }
)

# The one registry: what emit() may record, GET /api/v1/events may filter by, and a
# webhook endpoint may subscribe to.
EVENT_TYPES = DOCUMENTED_EVENT_TYPES | OWN_EVENT_TYPES


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

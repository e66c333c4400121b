"""/api/v1/events: what happened to a platform's data, newest first."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from coverage.api.site import api
from coverage.models import Event
from coverage.webhooks.payloads import EVENT_TYPES, event_json
from portal.api import ApiError, cursor_page, platform_of

NO_SUCH_EVENT = "No such event: {id}."
UNKNOWN_TYPE_FILTER = "Unknown event type: {type}."


@api.get("/events", response=list[dict])
def list_events(
    request: HttpRequest,
    type: str | None = None,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[dict[str, Any]]:
    events = Event.objects.for_platform(platform_of(request))
    if type:
        # A misspelt type would otherwise look like a quiet day.
        if type not in EVENT_TYPES:
            raise ApiError(
                {"type": UNKNOWN_TYPE_FILTER.format(type=type)}, code="invalid_input"
            )
        events = events.filter(type=type)
    page = cursor_page(
        events, limit=limit, starting_after=starting_after, ending_before=ending_before
    )
    return [event_json(e) for e in page]


@api.get("/events/{event_id}", response=dict)
def retrieve_event(request: HttpRequest, event_id: str) -> dict[str, Any]:
    event = None
    # An id with a NUL in it names nothing (and PostgreSQL would refuse the query).
    if "\x00" not in event_id:
        event = (
            Event.objects.for_platform(platform_of(request))
            .filter(public_id=event_id)
            .first()
        )
    if event is None:
        raise ApiError(
            NO_SUCH_EVENT.format(id=event_id), status=404, code="invalid_event_id"
        )
    return event_json(event)

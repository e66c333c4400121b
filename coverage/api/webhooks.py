"""/api/v1/webhook_endpoints: where a platform wants its events delivered."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Status

from coverage.api.inputs import WireIn
from coverage.api.site import api
from coverage.api.wire import deleted, unix
from coverage.models import WebhookEndpoint
from coverage.webhooks import endpoints
from portal.api import ApiError, cursor_page, platform_of

NO_SUCH_ENDPOINT = "No such webhook endpoint: {id}."


class WebhookEndpointIn(WireIn):
    # All optional here so that a missing url gets this API's own message, and so
    # that PUT can change any subset.
    url: str | None = None
    description: str | None = None
    events: list[str] | None = None


def endpoint_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    # The secret is part of the documented object: the platform needs it to
    # verify our signatures, and it is theirs to read with their own key.
    return {
        "id": endpoint.public_id,
        "object": "webhook_endpoint",
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "secret": endpoint.secret,
        "created": unix(endpoint.created_at),
    }


def _endpoint(request: HttpRequest, endpoint_id: str) -> WebhookEndpoint:
    endpoint = None
    # An id with a NUL in it names nothing (and PostgreSQL would refuse the query).
    if "\x00" not in endpoint_id:
        endpoint = (
            WebhookEndpoint.objects.for_platform(platform_of(request))
            .live()
            .filter(public_id=endpoint_id)
            .first()
        )
    if endpoint is None:
        raise ApiError(
            NO_SUCH_ENDPOINT.format(id=endpoint_id),
            status=404,
            code="invalid_webhook_endpoint_id",
        )
    return endpoint


@api.post("/webhook_endpoints", response={201: dict})
def create_webhook_endpoint(request: HttpRequest, payload: WebhookEndpointIn) -> Status:
    endpoint = endpoints.create_endpoint(
        platform=platform_of(request),
        url=payload.url,
        description=payload.description,
        events=payload.events,
    )
    return Status(201, endpoint_json(endpoint))


@api.get("/webhook_endpoints", response=list[dict])
def list_webhook_endpoints(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[dict[str, Any]]:
    page = cursor_page(
        WebhookEndpoint.objects.for_platform(platform_of(request)).live(),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [endpoint_json(e) for e in page]


@api.get("/webhook_endpoints/{endpoint_id}", response=dict)
def retrieve_webhook_endpoint(request: HttpRequest, endpoint_id: str) -> dict[str, Any]:
    return endpoint_json(_endpoint(request, endpoint_id))


@api.put("/webhook_endpoints/{endpoint_id}", response=dict)
def update_webhook_endpoint(
    request: HttpRequest, endpoint_id: str, payload: WebhookEndpointIn
) -> dict[str, Any]:
    endpoint = endpoints.update_endpoint(
        endpoint=_endpoint(request, endpoint_id),
        url=payload.url,
        description=payload.description,
        events=payload.events,
    )
    return endpoint_json(endpoint)


@api.delete("/webhook_endpoints/{endpoint_id}", response=dict)
def delete_webhook_endpoint(request: HttpRequest, endpoint_id: str) -> dict[str, Any]:
    endpoint = endpoints.delete_endpoint(endpoint=_endpoint(request, endpoint_id))
    return deleted(endpoint.public_id, "webhook_endpoint", at=endpoint.deleted_at)

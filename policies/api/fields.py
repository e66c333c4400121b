"""Sparse field sets: ``fields=a,b`` on any GET of /job/v1 and /policy/v1.

``fields`` names the attributes each returned resource keeps (``id`` always stays, as do
``checksum`` and ``links``); ``*all``, ``*detail`` and ``*summary`` keep every attribute —
our resources have one view, so the default views are the full one. Applied to the
response the operation rendered (its schema already checked it), so every resource gets
it without each operation knowing.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

from portal.api import CLOUD, ApiError

VIEWS = frozenset({"*all", "*detail", "*summary"})
UNKNOWN_FIELD = (
    "Unknown field '{field}' in the 'fields' query parameter. Fields: {fields}."
)
EMPTY_FIELDS = "The 'fields' query parameter names no field."


def requested(request: HttpRequest) -> set[str] | None:
    """The attributes asked for, or None for the whole resource."""
    names = {
        name.strip()
        for value in request.GET.getlist("fields")
        for name in value.split(",")
        if name.strip()
    }
    if not names and "fields" in request.GET:
        raise ApiError(EMPTY_FIELDS)
    if not names or names & VIEWS:
        return None
    return names


def _keep(resource: dict[str, Any], names: set[str]) -> None:
    attributes = resource.get("attributes")
    if not isinstance(attributes, dict):
        return
    unknown = sorted(names - set(attributes))
    if unknown:
        raise ApiError(
            UNKNOWN_FIELD.format(field=unknown[0], fields=", ".join(sorted(attributes)))
        )
    resource["attributes"] = {
        key: value for key, value in attributes.items() if key in names or key == "id"
    }


def apply_fields(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``response`` with each resource cut down to the requested attributes."""
    if request.method != "GET" or response.status_code != 200:
        return response
    try:
        names = requested(request)
    except ApiError as exc:
        return CLOUD.response(exc, request)
    if names is None:
        return response
    body = json.loads(response.content)
    data = body.get("data")
    try:
        for resource in data if isinstance(data, list) else [data]:
            if isinstance(resource, dict):
                _keep(resource, names)
    except ApiError as exc:
        return CLOUD.response(exc, request)
    response.content = json.dumps(body).encode()
    return response

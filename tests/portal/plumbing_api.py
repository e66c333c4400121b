"""A tiny API built only from the shared plumbing, to test it without any app's domain.

"Things" are platforms: creating one is a real row, so idempotency and paging are
exercised against the database exactly as the real APIs will be.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Schema, Status

from portal.api import CLOUD, TEN99, build_api, cursor_page, offset_page
from portal.models import Platform

ten99_api = build_api(namespace="plumbing_ten99", style=TEN99, key_kind="platform")
cloud_api = build_api(namespace="plumbing_cloud", style=CLOUD, key_kind="staff")
# How long a create holds its transaction open, so racing requests overlap.
CREATE_DELAY_SECONDS = 0.0


class ThingIn(Schema):
    name: str
    size: int = 1


def thing_json(p: Platform) -> dict[str, object]:
    return {"id": p.public_id, "name": p.name}


@ten99_api.post("/things", response={201: dict})
def create_thing(request: HttpRequest, payload: ThingIn) -> Status:
    if payload.name == "forbidden":
        raise ValidationError("That name is not allowed.", code="invalid_input")
    thing = Platform.objects.create(name=payload.name)
    if CREATE_DELAY_SECONDS:
        time.sleep(CREATE_DELAY_SECONDS)
    return Status(201, thing_json(thing))


@ten99_api.get("/things", response=list[dict])
def list_things(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[dict[str, object]]:
    page = cursor_page(
        Platform.objects.all(),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [thing_json(p) for p in page]


@ten99_api.get("/things/{thing_id}", response=dict)
def get_thing(request: HttpRequest, thing_id: str) -> dict[str, object]:
    return thing_json(Platform.objects.get(public_id=thing_id))


@cloud_api.get("/things", response=dict)
def cloud_things(
    request: HttpRequest, pageSize: str | None = None, pageOffset: str | None = None
) -> dict[str, object]:
    page = offset_page(
        Platform.objects.order_by("pk"),
        path=request.path,
        page_size=pageSize,
        page_offset=pageOffset,
    )
    return {
        "count": len(page.items),
        "data": [{"attributes": thing_json(p)} for p in page.items],
        "links": page.links,
    }


@cloud_api.post("/things", response={201: dict})
def cloud_create(request: HttpRequest, payload: ThingIn) -> Status:
    thing = Platform.objects.create(name=payload.name)
    return Status(201, {"data": {"attributes": thing_json(thing)}})

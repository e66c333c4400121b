"""``include=`` on a job or a policy: its contents, once, in a top-level ``included``.

As the Cloud API guide describes it: the primary resource gets a ``related`` section
naming the ids and type of each included child, and the full children appear once in
``included``, grouped by resource type. Each content module registers what it can be
included as (``register``); the job and policy GETs answer through ``apply_includes``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

from policies.api.wire import Owner, policy_owner, transaction_owner
from portal.api import CLOUD, ApiError

UNKNOWN_INCLUDE = (
    "Unknown resource '{name}' in the 'include' query parameter. Includable: {names}."
)
NOT_INCLUDABLE = (
    "The 'include' query parameter is only supported on a single job or policy."
)


@dataclass(frozen=True)
class Includable:
    type: str  # the resource type named in "related" and "included"
    load: Callable[[Owner], list[dict[str, Any]]]


INCLUDES: dict[str, Includable] = {}


def register(
    name: str, type: str, load: Callable[[Owner], list[dict[str, Any]]]
) -> None:
    INCLUDES[name] = Includable(type, load)


def _names(request: HttpRequest) -> list[str]:
    names: list[str] = []
    for value in request.GET.getlist("include"):
        for name in value.split(","):
            if name.strip() and name.strip() not in names:
                names.append(name.strip())
    return names


def _owner(request: HttpRequest) -> Owner | None:
    match = request.resolver_match
    kwargs = dict(match.kwargs) if match else {}
    if set(kwargs) == {"jobId"}:
        return transaction_owner(kwargs["jobId"])
    if set(kwargs) == {"policyId"}:
        return policy_owner(kwargs["policyId"])
    return None


def _without_none(value: Any) -> Any:
    # Included resources skip the response schema; leave out nulls as it does
    # (the routers' exclude_none), so an included child reads as its own GET.
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def apply_includes(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if "include" not in request.GET or request.method != "GET":
        return response
    if response.status_code != 200:
        return response
    body = json.loads(response.content)
    data = body.get("data")
    owner = _owner(request) if isinstance(data, dict) else None
    if owner is None:
        return CLOUD.response(ApiError(NOT_INCLUDABLE), request)
    names = _names(request)
    for name in names:
        if name not in INCLUDES:
            return CLOUD.response(
                ApiError(
                    UNKNOWN_INCLUDE.format(name=name, names=", ".join(sorted(INCLUDES)))
                ),
                request,
            )
    related: dict[str, Any] = {}
    included: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        spec = INCLUDES[name]
        children = [_without_none(c) for c in spec.load(owner)]
        related[name] = {
            "count": len(children),
            "data": [
                {"id": c["attributes"]["id"], "type": spec.type} for c in children
            ],
        }
        included.setdefault(spec.type, []).extend(children)
    data["related"] = related
    body["included"] = included
    response.content = json.dumps(body).encode()
    return response

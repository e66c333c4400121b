"""The OpenAPI documents of the JSON APIs, completed where ninja leaves gaps.

ninja documents what each operation answers when it succeeds. Clients (and generated
SDKs) also need what it answers when it fails, in the API's own error body, and how to
authenticate; and a schema an operation embeds by hand (``openapi_extra``) may carry
its own ``$defs``, which nothing outside that schema can resolve. ``DocumentedApi``
fixes all three, once, for every API ``build_api`` makes.
"""

from __future__ import annotations

import copy
from typing import Any

from ninja import NinjaAPI

WRITE_METHODS = ("post", "put", "patch", "delete")

# What each status means, whichever operation answers it.
ERROR_STATUSES: dict[int, str] = {
    400: "The request is not valid: a field, a parameter or the body as a whole.",
    401: "No API key, or one that is not valid.",
    403: "The key may not be used here.",
    404: "Nothing with that id exists for this key (or the path is unknown).",
    409: "A conflict: the resource changed since it was read, or an idempotency key "
    "was reused for another request.",
    413: "The request body is too large.",
    415: "The request body is not JSON (send Content-Type: application/json).",
    429: "Too many requests for this key; wait the seconds in Retry-After.",
    500: "A fault on our side; quote the request id.",
    503: "The database is unavailable for a moment; retry after Retry-After seconds.",
}
# Statuses only a request with a body can meet.
BODY_STATUSES = (409, 413, 415)
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


class DocumentedApi(NinjaAPI):
    """A ninja API whose document declares its errors, its security and no loose $defs."""

    error_schema: dict[str, Any] = {}
    error_schema_name = "Error"

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        # A copy: ninja's document shares dicts with the operations' openapi_extra,
        # which must stay as they are for the next time the document is built.
        document = copy.deepcopy(super().get_openapi_schema(*args, **kwargs))
        components = document.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        _hoist_defs(document, schemas)
        schemas[self.error_schema_name] = self.error_schema
        ref = {"$ref": f"#/components/schemas/{self.error_schema_name}"}
        for path_item in document.get("paths", {}).values():
            for method, operation in path_item.items():
                _document_errors(operation, method, ref)
        return document


def _document_errors(
    operation: dict[str, Any], method: str, ref: dict[str, Any]
) -> None:
    responses = operation.setdefault("responses", {})
    for status, description in ERROR_STATUSES.items():
        if status in BODY_STATUSES and method not in WRITE_METHODS:
            continue
        if status in responses or str(status) in responses:
            continue
        response: dict[str, Any] = {
            "description": description,
            "content": {"application/json": {"schema": ref}},
        }
        if status in (429, 503):
            response["headers"] = RETRY_AFTER_HEADER
        responses[status] = response


def _hoist_defs(document: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Move every embedded ``$defs`` into components and point its refs there."""
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            defs = node.pop("$defs", None)
            if defs:
                for name, schema in defs.items():
                    schemas.setdefault(name, schema)
                    stack.append(schemas[name])
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node["$ref"] = "#/components/schemas/" + ref.removeprefix("#/$defs/")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)

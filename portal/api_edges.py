"""What every API path answers, whatever the view did.

``ApiEdgeMiddleware`` keeps the JSON APIs JSON at their edges: a body larger than Django
accepts is refused with 413 before anything reads it, and any error response an API path
gets from outside the API's own handlers (Django's HTML 404, 400, 500 pages) is rewritten
into that API's error dialect. Unknown paths and wrong methods are answered inside each
API (``answer_unknown_paths``); this is the net under them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router

from portal.api import (
    NOT_FOUND,
    STYLES_BY_NAMESPACE,
    ApiError,
    ErrorStyle,
    database_unavailable_error,
)
from portal.api_bodies import body_refusal
from portal.rate_limits import rate_limit_refusal

BODY_TOO_LARGE = "The request body is larger than {limit} bytes."
SERVER_ERROR = (
    "Something went wrong on our side. Try again; if it persists, quote the request id."
)
METHOD_NOT_ALLOWED = "{method} is not allowed on {path}. Allowed: {allowed}."

# Where each API is mounted (portal/urls.py), by the namespace its ErrorStyle is filed under.
API_PREFIXES: dict[str, str] = {
    "/api/v1/": "api_v1",
    "/job/v1/": "job_v1",
    "/policy/v1/": "policy_v1",
}


def style_for_path(path: str) -> ErrorStyle | None:
    for prefix, namespace in API_PREFIXES.items():
        if path.startswith(prefix):
            return STYLES_BY_NAMESPACE.get(namespace)
    return None


class ApiEdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        style = style_for_path(request.path)
        if style is None:
            return self.get_response(request)
        throttled = rate_limit_refusal(request)
        if throttled is not None:
            return style.response(throttled, request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # Django's limit counts a multipart body's fields, not its files: a route that
        # takes files (uploaded certificates) caps them itself, while they stream in.
        multipart = request.META.get("CONTENT_TYPE", "").startswith(
            "multipart/form-data"
        )
        if limit is not None and length > limit and not multipart:
            return style.response(
                ApiError(BODY_TOO_LARGE.format(limit=limit), status=413),
                request,
            )
        try:
            refusal = body_refusal(request)
            if refusal is not None:
                return style.response(refusal, request)
            response = self.get_response(request)
        except RequestDataTooBig:
            # A chunked body without Content-Length is only measured as it is read.
            return style.response(
                ApiError(BODY_TOO_LARGE.format(limit=limit), status=413),
                request,
            )
        if response.status_code >= 400 and not _is_json(response):
            return _rewritten(response, style, request)
        return response


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _rewritten(
    response: HttpResponse, style: ErrorStyle, request: HttpRequest
) -> HttpResponse:
    status = response.status_code
    if status == 404:
        error = ApiError(NOT_FOUND, status=404)
    elif status == 503 and "Retry-After" in response:
        # The portal's handler500 answered a lost database connection (portal/views.py).
        error = database_unavailable_error()
    elif status >= 500:
        error = ApiError(SERVER_ERROR, status=status)
    else:
        error = ApiError(response.reason_phrase or "Bad request.", status=status)
    rewritten = style.response(error, request)
    for header in ("Allow", "Retry-After"):
        if header in response:
            rewritten[header] = response[header]
    # Django marks a response it has logged (the 500 with its traceback); the new one
    # keeps the mark, or django.request would log the same error a second time.
    if getattr(response, "_has_been_logged", False):
        rewritten._has_been_logged = True  # type: ignore[attr-defined]
    return rewritten


def answer_unknown_paths(api: NinjaAPI, style: ErrorStyle) -> None:
    """Unknown paths under ``api`` answer 404, and wrong methods 405, in ``style``.

    Call it once every operation is registered: the catch-all route is added last so it
    matches only what nothing else does.
    """
    catch_all = Router()

    @catch_all.api_operation(
        ["GET", "POST", "PUT", "PATCH", "DELETE"],
        "/{path:rest}",
        include_in_schema=False,
    )
    def unknown_path(request: HttpRequest, rest: str) -> Any:
        raise ApiError(NOT_FOUND, status=404)

    api.add_router("", catch_all)
    # ninja clones each router's path views when it binds them to the API; the bound
    # clones are the views Django calls, so those are the ones to adjust.
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            _answer_wrong_methods(path_view, style)


def _answer_wrong_methods(path_view: Any, style: ErrorStyle) -> None:
    allowed: Sequence[str] = sorted(
        {m for op in path_view.operations for m in op.methods}
    )
    run = path_view._sync_view

    def sync_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if path_view._find_operation(request) is None:
            message = METHOD_NOT_ALLOWED.format(
                method=request.method, path=request.path, allowed=", ".join(allowed)
            )
            response = style.response(ApiError(message, status=405), request)
            response["Allow"] = ", ".join(allowed)
            return response
        return run(request, *args, **kwargs)

    path_view._sync_view = sync_view

"""One access line and one latency observation per request.

``AccessLogMiddleware`` sits just inside ``RequestIdMiddleware``: it times the rest of
the stack, then logs ``portal.access`` — ``GET /api/v1/contractors 200 12.3 ms`` with
``method``, ``path``, ``route``, ``status`` and ``duration_ms`` as fields of the JSON
line — and observes ``dcp_http_request_duration_seconds`` (portal.metrics). The time is
to the response leaving Django (a streamed PDF's bytes are not counted).

Paths whose URL pattern captures a secret (a hosted page's ``<token>``, which is the
key to that page) are logged with the secret replaced: ``/apply/[Filtered]/``
(``portal.log_redaction``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch

from portal import metrics
from portal.log_redaction import redacted_path

logger = logging.getLogger("portal.access")

UNMATCHED = "unmatched"


def route_of(match: ResolverMatch | None) -> str:
    """The URL pattern that served a request, e.g. ``/api/v1/contractors/<contractor_id>``."""
    if match is None or not match.route:
        return UNMATCHED
    return "/" + match.route


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = request.resolver_match
        route = route_of(match)
        metrics.observe_request(
            route=route,
            method=request.method or "",
            status=response.status_code,
            seconds=seconds,
        )
        path = redacted_path(request.path, match) if match else request.path
        duration_ms = round(seconds * 1000, 1)
        logger.info(
            "%s %s %s %.1f ms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "route": route,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response

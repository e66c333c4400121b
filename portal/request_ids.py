"""Request ids: one per request, in the ``request-id`` response header and in every log line.

``RequestIdMiddleware`` takes the caller's own ``Request-Id`` / ``X-Request-Id`` when it is
a sane token (so a platform can follow one call through its logs and ours), else makes
``req_`` + random base-62. It is echoed in the ``request-id`` response header (the
contractor SDK reads it into its errors) and stamped on every log record emitted while the
request runs (``RequestIdLogFilter``: ``%(request_id)s``). This module imports no models:
the logging configuration loads it before the apps are ready.
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
import string
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "request-id"
_INCOMING = ("Request-Id", "X-Request-Id")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_ALPHABET = string.digits + string.ascii_letters

_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)


def current_request_id() -> str:
    """The id of the request being served in this context, or "-" outside one."""
    return _current.get()


def new_request_id() -> str:
    return "req_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every record, so a log line can be matched to a response."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx response (django.request) after the middleware has
        # returned, with the request attached: take the id from there when it is.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = next(
            (request.headers[h] for h in _INCOMING if h in request.headers), ""
        )
        request_id = incoming if _SANE_ID.match(incoming) else new_request_id()
        # A plain attribute on the request: HttpRequest declares no slot for it.
        setattr(request, "request_id", request_id)  # noqa: B010
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response

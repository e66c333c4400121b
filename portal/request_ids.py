"""Request ids: one per request, in the ``request-id`` response header and in every log line.

``RequestIdMiddleware`` takes the caller's own ``Request-Id`` / ``X-Request-Id`` when it is
a sane token (so a platform can follow one call through its logs and ours), else makes
``req_`` + random base-62. It is echoed in the ``request-id`` response header (the
contractor SDK reads it into its errors) and stamped on every log record emitted while the
request runs (``RequestIdLogFilter``: ``%(request_id)s``).

A background task runs under ``running_task``: its lines carry ``task_id`` and the id of
the request that enqueued it (kept in the task row by ``remember_enqueuing_request``).
This module imports no models: the logging configuration loads it before the apps are
ready.
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "request-id"
_INCOMING = ("Request-Id", "X-Request-Id")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_ALPHABET = string.digits + string.ascii_letters

_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)
_task: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")
# Where a task row keeps the id of the request that enqueued it (beside the library's
# own "args" and "kwargs", which it reads by name).
ENQUEUED_BY_KEY = "request_id"


def current_request_id() -> str:
    """The id of the request being served in this context, or "-" outside one."""
    return _current.get()


def current_task_id() -> str:
    """The id of the background task running in this context, or ""."""
    return _task.get()


@contextmanager
def running_task(*, task_id: str, request_id: str | None) -> Iterator[None]:
    """Lines logged inside carry ``task_id`` and the enqueuing request's id."""
    task_token = _task.set(task_id)
    request_token = _current.set(request_id or "-")
    try:
        yield
    finally:
        _current.reset(request_token)
        _task.reset(task_token)


def remember_enqueuing_request(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_save of a database task row: note the request that enqueues it.

    Costs no statement: the id rides in the INSERT the backend makes anyway. Only on
    creation, and only inside a request (a sweeper's tasks have none).
    """
    request_id = current_request_id()
    if instance._state.adding and request_id != "-":
        instance.args_kwargs = {**instance.args_kwargs, ENQUEUED_BY_KEY: request_id}


def new_request_id() -> str:
    return "req_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every record, so a log line can be matched to a response."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx response (django.request) after the middleware has
        # returned, with the request attached: take the id from there when it is.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or current_request_id()
        record.task_id = current_task_id()
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

"""Idempotent POSTs for both JSON APIs.

A POST that carries a key runs inside one transaction together with the record of
its response. A second request with the same key inserts the same (scope, key) row,
so PostgreSQL makes it wait on the unique index until the first one commits; it then
finds the stored response and replays it. Two racing requests therefore create one
thing, and both answer with the same status and body.

Only successful responses are stored. A failed request wrote nothing (its
transaction rolled back), so retrying it with the same key is safe and runs again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portal.api import IDEMPOTENCY_MISMATCH, STYLES_BY_NAMESPACE, ApiError, ErrorStyle
from portal.api_keys import authenticate_request
from portal.models import IdempotencyRecord

# The documented header wins; the SDK also sends a fresh random Idempotency-Key on
# every call, which must not defeat a caller's deliberate Ten99Policy-Idempotent-Key.
PRIMARY_HEADER = "Ten99Policy-Idempotent-Key"
FALLBACK_HEADER = "Idempotency-Key"
KEY_TOO_LONG = "Idempotency keys are at most 255 characters."
REPLAYED_HEADER = "Idempotent-Replayed"


def idempotency_key(request: HttpRequest) -> str | None:
    return (
        request.headers.get(PRIMARY_HEADER)
        or request.headers.get(FALLBACK_HEADER)
        or None
    )


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (
        request.method or "",
        request.path,
        request.META.get("QUERY_STRING", ""),
    ):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


class _Unsaved(Exception):
    """Carries a response out of the transaction so that its writes roll back."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


_STORED_FIELDS = (
    "request_fingerprint",
    "status_code",
    "content_type",
    "body",
    "created_at",
)


def _claim(*, scope: str, key: str, request_print: str) -> IdempotencyRecord | None:
    """Insert the key's row, or None when it exists already (then lock and read it).

    One statement instead of get_or_create's SELECT, SAVEPOINT, INSERT, RELEASE: ON
    CONFLICT DO NOTHING waits on the unique index for a racing twin exactly as a plain
    INSERT does, and answers no row (rather than an IntegrityError that would need a
    savepoint) when the twin committed.
    """
    quote = connection.ops.quote_name
    table = quote(IdempotencyRecord._meta.db_table)
    columns = ", ".join(
        quote(c) for c in ("scope", "key", "request_fingerprint", "content_type")
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {quote('body')}, {quote('created_at')}) "
            f"VALUES (%s, %s, %s, '', %s, %s) ON CONFLICT ({quote('scope')}, "
            f"{quote('key')}) DO NOTHING RETURNING {quote('id')}",
            [
                scope,
                key,
                request_print,
                b"",
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return IdempotencyRecord(
        pk=row[0],
        scope=scope,
        key=key,
        request_fingerprint=request_print,
        status_code=None,
        content_type="",
        body=b"",
        created_at=now,
    )


def run_idempotently(
    request: HttpRequest,
    *,
    scope: str,
    key: str,
    style: ErrorStyle,
    call: Callable[[], HttpResponse],
) -> HttpResponse:
    if len(key) > 255:
        return style.response(ApiError(KEY_TOO_LONG), request)
    request_print = fingerprint(request)
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    try:
        with transaction.atomic():
            record = _claim(scope=scope, key=key, request_print=request_print)
            if record is None:
                record = IdempotencyRecord.objects.select_for_update().get(
                    scope=scope, key=key
                )
                if record.created_at < cutoff:
                    # An expired key counts as new.
                    record.created_at = timezone.now()
                    record.request_fingerprint = request_print
                elif record.request_fingerprint != request_print:
                    raise _Unsaved(
                        style.response(
                            ApiError(IDEMPOTENCY_MISMATCH, code=style.idempotency_code),
                            request,
                        )
                    )
                else:
                    return _replay(record, key)
            response = call()
            if not 200 <= response.status_code < 300:
                raise _Unsaved(response)
            record.status_code = response.status_code
            record.content_type = response.get("Content-Type", "application/json")
            record.body = response.content
            record.save(update_fields=_STORED_FIELDS)
    except _Unsaved as unsaved:
        return unsaved.response
    response[PRIMARY_HEADER] = key
    return response


def _replay(record: IdempotencyRecord, key: str) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response[PRIMARY_HEADER] = key
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    """Runs keyed POSTs to the JSON APIs through ``run_idempotently``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if request.method != "POST":
            return None
        if request.content_type == "multipart/form-data":
            # An upload is fingerprinted by its whole body, which would read a file
            # of up to 15 MB into memory before the view's streaming cap could stop
            # it; uploads are not idempotent (each one is a new review).
            return None
        key = idempotency_key(request)
        match = request.resolver_match
        if not key or match is None or not match.namespaces:
            return None
        style = STYLES_BY_NAMESPACE.get(match.namespaces[-1])
        if style is None:
            return None
        # Authenticate before the transaction opens: the key's last-used stamp must
        # not hold a row lock while this request waits for a racing twin.
        api_key = authenticate_request(request)
        if api_key is None:
            return None  # the API itself answers 401 in its own format
        return run_idempotently(
            request,
            scope=api_key.idempotency_scope,
            key=key,
            style=style,
            call=lambda: view_func(request, *view_args, **view_kwargs),
        )

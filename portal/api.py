"""Plumbing shared by both JSON APIs: key authentication, error bodies, paging.

The contractor API (/api/v1) speaks the public contractor-insurance API's dialect:
errors are ``{"message", "error_code"}``, lists are plain arrays with cursors. The
policy-administration API (/job/v1, /policy/v1) speaks the Cloud API dialect:
errors are ``{"status", "errorCode", "userMessage", "details"}``, lists are pages
with links. Each dialect is an ``ErrorStyle``; ``build_api`` wires one into a
django-ninja API so that every way a request can fail ends in that API's own body.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from portal.api_keys import authenticate_request
from portal.models import ApiKey, Platform
from portal.openapi import DocumentedApi

M = TypeVar("M", bound=Model)
logger = logging.getLogger(__name__)

INVALID_API_KEY = "Invalid API key provided."
WRONG_KEY_KIND = "This API key cannot be used with this API."
NOT_FOUND = "No such resource."
VALUE_NOT_STORABLE = "A value in the request is out of range or contains characters that are not allowed."
DATABASE_UNAVAILABLE = (
    "The service cannot reach its database right now. Retry after {seconds} seconds."
)
# How long a client is asked to wait when the database is away (a restart or a
# fail-over takes seconds, not minutes).
DATABASE_RETRY_AFTER_SECONDS = 5
IDEMPOTENCY_MISMATCH = (
    "Keys for idempotent requests can only be used with the same parameters they "
    "were first used with. Use another key to make a different request."
)


@dataclass
class ApiError(Exception):
    """A failure an API handler reports on purpose, in whichever API's dialect."""

    message: str | dict[str, Any]
    status: int = 400
    code: str = ""
    details: list[dict[str, Any]] = field(default_factory=list)
    # Seconds a client should wait before trying again (503, 429): the Retry-After header.
    retry_after: int | None = None

    def __str__(self) -> str:
        return str(self.message)


class ErrorStyle:
    """How one API writes an error body. Subclasses choose the wire format."""

    default_codes: dict[int, str] = {}
    # The error body's JSON schema, for the API's OpenAPI document (portal/openapi.py).
    openapi_schema: dict[str, Any] = {}
    # The code for reusing an idempotency key with a different request ("" = the 400 default).
    idempotency_code = ""

    def body(self, error: ApiError, request: HttpRequest) -> dict[str, Any]:
        raise NotImplementedError

    def response(self, error: ApiError, request: HttpRequest) -> HttpResponse:
        if not error.code:
            error = replace(
                error,
                code=self.default_codes.get(error.status, self.default_codes[400]),
            )
        response = JsonResponse(self.body(error, request), status=error.status)
        if error.retry_after is not None:
            response["Retry-After"] = str(error.retry_after)
        return response

    def schema_error(self, errors: Sequence[dict[str, Any]]) -> ApiError:
        raise NotImplementedError


def _field_path(loc: Sequence[Any]) -> str:
    # ninja prefixes locations with where the value came from and the parameter name
    # ("body", "payload", ...); callers only know the field path inside the body.
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form", "cookie"):
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    return ".".join(parts) or "body"


class Ten99Style(ErrorStyle):
    """``{"message": ..., "error_code": ...}``; the SDK maps error_code to its exception class."""

    default_codes = {
        400: "invalid_input",
        401: "invalid_api_key",
        403: "insufficient_permissions",
        404: "resource_not_found",
        405: "bad_request",
        409: "bad_request",
        413: "invalid_input",
        415: "invalid_input",
        # The SDK raises RateLimitError and DatabaseOperationalError for these.
        429: "rate_limit",
        500: "general_error",
        503: "database_operational_error",
    }
    idempotency_code = "idempotency_error"  # the SDK raises IdempotencyError
    openapi_schema = {
        "type": "object",
        "required": ["message", "error_code"],
        "properties": {
            "message": {"type": "string"},
            "error_code": {"type": "string"},
            "fields": {
                "type": "object",
                "description": "Per-field messages, when the error is about fields.",
                "additionalProperties": {"type": "string"},
            },
        },
    }

    def body(self, error: ApiError, request: HttpRequest) -> dict[str, Any]:
        if not isinstance(error.message, dict):
            return {"message": error.message, "error_code": error.code}
        # ``message`` is always text, written the way the SDK prints a field map
        # ("field: text, field2: text"); the map itself goes in ``fields`` for code.
        fields = {name: str(text) for name, text in error.message.items()}
        return {
            "message": ", ".join(f"{name}: {text}" for name, text in fields.items()),
            "error_code": error.code,
            "fields": fields,
        }

    def schema_error(self, errors: Sequence[dict[str, Any]]) -> ApiError:
        message: dict[str, str] = {}
        for e in errors:
            message.setdefault(
                _field_path(e.get("loc", ())), e.get("msg", "Invalid value.")
            )
        return ApiError(message, status=400, code="invalid_input")


class CloudStyle(ErrorStyle):
    """``{"status", "errorCode", "userMessage", "details": [{"message", "properties"}]}``."""

    openapi_schema = {
        "type": "object",
        "required": ["status", "errorCode", "userMessage", "details"],
        "properties": {
            "status": {"type": "integer"},
            "errorCode": {"type": "string"},
            "userMessage": {"type": "string"},
            "details": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "message": {"type": "string"},
                        "properties": {"type": "object"},
                    },
                },
            },
        },
    }

    default_codes = {
        400: "gw.api.rest.exceptions.BadInputException",
        401: "gw.api.rest.exceptions.AuthenticationException",
        403: "gw.api.rest.exceptions.NotAuthorizedException",
        404: "gw.api.rest.exceptions.NotFoundException",
        405: "gw.api.rest.exceptions.MethodNotAllowedException",
        409: "gw.api.rest.exceptions.ChecksumMismatchException",
        413: "gw.api.rest.exceptions.BadInputException",
        415: "gw.api.rest.exceptions.BadInputException",
        429: "gw.api.rest.exceptions.TooManyRequestsException",
        500: "gw.api.rest.exceptions.InternalServerErrorException",
        503: "gw.api.rest.exceptions.ServiceUnavailableException",
    }

    def body(self, error: ApiError, request: HttpRequest) -> dict[str, Any]:
        message = error.message
        if error.status == 404 and message == NOT_FOUND:
            message = f"No resource was found at path {request.path}"
        elif isinstance(message, dict):
            # userMessage is text in this dialect; field errors become "field - message".
            message = " ".join(f"{name} - {text}" for name, text in message.items())
        code = error.code
        if not code.startswith("gw."):
            # Services name a refusal by the contractor API's snake_case codes
            # ("invalid_state", "invalid_input"); this dialect names the exception
            # class its status stands for (a wrong-state action is BadInputException).
            code = self.default_codes.get(error.status, self.default_codes[400])
        return {
            "status": error.status,
            "errorCode": code,
            "userMessage": message,
            "details": error.details,
        }

    def schema_error(self, errors: Sequence[dict[str, Any]]) -> ApiError:
        details = [
            {
                "message": f"{_field_path(e.get('loc', ()))} - {e.get('msg', 'Invalid value.')}",
                "properties": {"field": _field_path(e.get("loc", ()))},
            }
            for e in errors
        ]
        user_message = (
            str(details[0]["message"]) if details else "The request is not valid."
        )
        return ApiError(user_message, status=400, details=details)


TEN99 = Ten99Style()
CLOUD = CloudStyle()

# The style of each API by its URL namespace, for code that runs outside ninja's own
# exception handling (the idempotency middleware).
STYLES_BY_NAMESPACE: dict[str, ErrorStyle] = {}


def validation_error_to_api_error(exc: ValidationError) -> ApiError:
    """A domain rule's ValidationError as an ApiError: its code, its exact message."""
    if hasattr(exc, "error_dict"):
        message: str | dict[str, Any] = {
            name: " ".join(str(m) for e in errors for m in e.messages)
            for name, errors in exc.error_dict.items()
        }
        codes = [e.code for errors in exc.error_dict.values() for e in errors if e.code]
        details = [
            {"message": str(m), "properties": {"field": name}}
            for name, errors in exc.error_dict.items()
            for e in errors
            for m in e.messages
        ]
    else:
        messages = exc.messages
        message = " ".join(messages)
        codes = [e.code for e in exc.error_list if e.code]
        details = [{"message": m, "properties": {}} for m in messages]
    code = codes[0] if codes and codes[0] not in ("invalid", None) else ""
    status = 400
    if code and ":" in code:
        # "409:checksum_mismatch" lets a rule choose its HTTP status as well.
        raw_status, code = code.split(":", 1)
        status = int(raw_status)
    return ApiError(message, status=status, code=code, details=details)


def database_unavailable_error() -> ApiError:
    return ApiError(
        DATABASE_UNAVAILABLE.format(seconds=DATABASE_RETRY_AFTER_SECONDS),
        status=503,
        retry_after=DATABASE_RETRY_AFTER_SECONDS,
    )


class KeyAuth:
    """Authenticates a request by its API key and requires the key's kind."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        # ninja declares this in the OpenAPI document's securitySchemes.
        self.openapi_security_schema = {
            "type": "http",
            "scheme": "bearer",
            "description": f"A {kind} API key: Authorization: Bearer <key>.",
        }

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        key = authenticate_request(request)
        if key is None:
            return None
        if key.kind != self.kind:
            raise ApiError(WRONG_KEY_KIND, status=403)
        return key


def build_api(
    *, namespace: str, style: ErrorStyle, key_kind: str, **kwargs: Any
) -> NinjaAPI:
    """A ninja API authenticated by ``key_kind`` keys whose every error is in ``style``."""
    api = DocumentedApi(urls_namespace=namespace, auth=KeyAuth(key_kind), **kwargs)
    api.error_schema = style.openapi_schema
    STYLES_BY_NAMESPACE[namespace] = style

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return style.response(exc, request)

    @api.exception_handler(ValidationError)
    def domain_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return style.response(validation_error_to_api_error(exc), request)

    @api.exception_handler(SchemaValidationError)
    def schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        return style.response(style.schema_error(exc.errors), request)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return style.response(ApiError(INVALID_API_KEY, status=401), request)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return style.response(ApiError(str(exc) or WRONG_KEY_KIND, status=403), request)

    @api.exception_handler(Http404)
    @api.exception_handler(ObjectDoesNotExist)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return style.response(ApiError(NOT_FOUND, status=404), request)

    @api.exception_handler(DataError)
    def not_storable(request: HttpRequest, exc: DataError) -> HttpResponse:
        # A value the database cannot hold (a number beyond 64 bits, a NUL character)
        # is bad input like any other, not a server error.
        return style.response(ApiError(VALUE_NOT_STORABLE), request)

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The database restarting or failing over: the client may simply retry.
        logger.warning("database unavailable: %s", exc)
        return style.response(database_unavailable_error(), request)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return style.response(ApiError(str(exc), status=exc.status_code), request)

    return api


def api_key_of(request: HttpRequest) -> ApiKey:
    """The key that authenticated this request (on an API whose routes all need one)."""
    # ninja sets .auth on the request after authentication; HttpRequest declares no slot.
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    return key


def platform_of(request: HttpRequest) -> Platform:
    """The platform whose key authenticated this request (platform-key APIs only)."""
    key = api_key_of(request)
    assert key.platform is not None, "platform-key APIs authenticate platform keys only"
    return key.platform


# ---------------------------------------------------------------------------
# Paging

CURSOR_DEFAULT_LIMIT = 10
CURSOR_MAX_LIMIT = 100
LIMIT_OUT_OF_RANGE = "limit must be an integer between 1 and 100."
BOTH_CURSORS = "Pass starting_after or ending_before, not both."
UNKNOWN_CURSOR = "No such object: {id}."


def cursor_page(
    queryset: QuerySet[M],
    *,
    limit: int | str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
    id_field: str = "public_id",
) -> list[M]:
    """One page of a newest-first list, as the public API pages: by object id cursors.

    Newest first is primary-key order descending: keys grow with creation and the
    primary key index serves it. The queryset must already be scoped to the caller,
    so a cursor from someone else's data is simply unknown.
    """
    if limit in (None, ""):
        size = CURSOR_DEFAULT_LIMIT
    else:
        try:
            size = int(limit)
        except (TypeError, ValueError):
            raise ApiError(
                {"limit": LIMIT_OUT_OF_RANGE}, code="invalid_input"
            ) from None
        if not 1 <= size <= CURSOR_MAX_LIMIT:
            raise ApiError({"limit": LIMIT_OUT_OF_RANGE}, code="invalid_input")
    if starting_after and ending_before:
        raise ApiError(BOTH_CURSORS, code="invalid_input")

    cursor_id = starting_after or ending_before
    if cursor_id:
        # An id with a NUL in it names nothing (and PostgreSQL would refuse the query).
        cursor_pk = (
            queryset.filter(**{id_field: cursor_id})
            .values_list("pk", flat=True)
            .first()
            if "\x00" not in cursor_id
            else None
        )
        if cursor_pk is None:
            raise ApiError(UNKNOWN_CURSOR.format(id=cursor_id), code="invalid_input")
        if starting_after:
            return list(queryset.filter(pk__lt=cursor_pk).order_by("-pk")[:size])
        before = list(queryset.filter(pk__gt=cursor_pk).order_by("pk")[:size])
        return before[::-1]
    return list(queryset.order_by("-pk")[:size])


PAGE_SIZE_DEFAULT = 25
PAGE_SIZE_MAX = 100
BAD_PAGE_SIZE = "The 'pageSize' query parameter must be an integer between 1 and 100."
BAD_PAGE_OFFSET = "The 'pageOffset' query parameter must be a non-negative integer."


@dataclass
class OffsetPage(Generic[M]):
    items: list[M]
    links: dict[str, dict[str, Any]]
    total: int | None = None


def _int_param(
    value: int | str | None, default: int, low: int, high: int, message: str
) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(message) from None
    if not low <= number <= high:
        raise ApiError(message)
    return number


def offset_page(
    queryset: QuerySet[M],
    *,
    path: str,
    page_size: int | str | None = None,
    page_offset: int | str | None = None,
    include_total: bool = False,
    extra_query: str = "",
) -> OffsetPage[M]:
    """One page of a Cloud API collection with its first / prev / next / self links.

    One query fetches a row more than the page to tell whether a next page exists,
    so no COUNT is needed unless the caller asks for the total.
    """
    size = _int_param(page_size, PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX, BAD_PAGE_SIZE)
    offset = _int_param(page_offset, 0, 0, 10**9, BAD_PAGE_OFFSET)
    rows = list(queryset[offset : offset + size + 1])
    items, has_next = rows[:size], len(rows) > size

    def href(at: int | None) -> dict[str, Any]:
        params = [
            p for p in (extra_query, f"pageSize={size}" if page_size else "") if p
        ]
        if at:
            params.append(f"pageOffset={at}")
        query = "&".join(params)
        return {"href": f"{path}?{query}" if query else path, "methods": ["get"]}

    links = {"first": href(None), "self": href(offset)}
    if offset:
        links["prev"] = href(max(offset - size, 0))
    if has_next:
        links["next"] = href(offset + size)
    total = queryset.count() if include_total else None
    return OffsetPage(items=items, links=links, total=total)

"""Inputs every /api/v1 resource module shares: id lookups, required fields, timestamps,
addresses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar, overload

from django.db.models import Model, QuerySet
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from coverage.api.wire import from_unix
from portal.api import ApiError

M = TypeVar("M", bound=Model)

NO_SUCH = "No such {what}: {id}"
REQUIRED = "This field is required."
BAD_TIMESTAMP = "Use a Unix timestamp in seconds."
# Years 1970–9999: the range a datetime can hold.
MAX_UNIX = 253_402_300_799


class WireIn(Schema):
    """A request body object: values arrive as the public API types them.

    Strict, so ``"bind": "yes"`` or ``"wage": "100"`` is a 400 rather than a guess
    (the SDK sends JSON numbers and booleans).
    """

    model_config = ConfigDict(strict=True)


def _digits_as_int(value: object) -> object:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return value


# Integer cents that the SDK's own examples send as digit strings ("200000000"):
# digits only, no signs, spaces or decimals, so nothing is guessed.
DigitsInt = Annotated[
    int,
    BeforeValidator(_digits_as_int),
    WithJsonSchema(
        {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}]}
    ),
]


class AddressIn(WireIn):
    line1: str | None = None
    line2: str | None = None
    locality: str | None = None
    region: str | None = None
    # Examples in the public docs send ZIP codes as numbers.
    postalcode: str | int | None = None
    country: str | None = None


def usable(public_id: str | None) -> bool:
    """False for an id that cannot match any row (empty, or holding a NUL)."""
    # No id holds a NUL, and PostgreSQL refuses to compare with one: unknown.
    return bool(public_id) and "\x00" not in (public_id or "")


def get_or_404(
    queryset: QuerySet[M], public_id: str | None, *, what: str, code: str
) -> M:
    """The caller-scoped object with this public id, or the API's 404 with ``code``."""
    found = queryset.filter(public_id=public_id).first() if usable(public_id) else None
    if found is None:
        raise ApiError(NO_SUCH.format(what=what, id=public_id), status=404, code=code)
    return found


def required(value: Any, field: str) -> Any:
    if value in (None, ""):
        raise ApiError({field: REQUIRED}, code="invalid_input")
    return value


@overload
def timestamp(value: int, field: str, code: str = ...) -> datetime: ...
@overload
def timestamp(value: None, field: str, code: str = ...) -> None: ...
@overload
def timestamp(value: int | None, field: str, code: str = ...) -> datetime | None: ...
def timestamp(
    value: int | None, field: str, code: str = "invalid_input"
) -> datetime | None:
    """A Unix-seconds field as an aware datetime; out-of-range values are a 400."""
    if value is None:
        return None
    if not 0 <= value <= MAX_UNIX:
        raise ApiError({field: BAD_TIMESTAMP}, code=code)
    return from_unix(value)


def address_dict(address: AddressIn | None) -> dict[str, Any] | None:
    return None if address is None else address.model_dump()

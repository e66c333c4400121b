"""The Cloud API's wire conventions, shared by every /job/v1 and /policy/v1 operation.

Bodies are ``{"data": {"attributes": {...}, "checksum": ...}}``; every resource
answers with its attributes, a checksum and links (href + allowed methods);
collections add ``count`` and paging links. Typekeys are ``{code, name}``, money
``{amount: "617.00", currency: "usd"}``, dates ``YYYY-MM-DD``. How a collection is
filtered and paged is in ``listing``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Generic, TypeVar

from django.http import HttpRequest
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, create_model
from pydantic import ValidationError as PydanticValidationError

from policies.models import Policy, PolicyTransaction
from policies.services import Money
from portal.api import CLOUD, ApiError
from portal.models import ApiKey

JOB_ROOT = "/job/v1"
POLICY_ROOT = "/policy/v1"
CHECKSUM_HEADER = "GW-Checksum"

NOT_A_DECIMAL = 'must be a decimal number such as "5.00"'
NOT_A_DATE = "must be a date written YYYY-MM-DD"
DATE_OUT_OF_RANGE = "must be a date between 1900-01-01 and 2999-12-31"
NUL_IN_TEXT = "must not contain NUL characters"


# ---------------------------------------------------------------------------
# Input types: strict, so that wrong types and extra fields are 400s


def _text(value: object) -> object:
    if isinstance(value, str) and "\x00" in value:
        # PostgreSQL cannot store NUL: refuse it here rather than fail on save.
        raise ValueError(NUL_IN_TEXT)
    return value


_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def parse_decimal(value: object) -> Decimal:
    # The Cloud API writes decimals as strings ("5.00"): a JSON number is not coerced.
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value.strip()):
        raise ValueError(NOT_A_DECIMAL)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(NOT_A_DECIMAL) from None
    if not number.is_finite():
        raise ValueError(NOT_A_DECIMAL)
    return number


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: object) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError(NOT_A_DATE)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(NOT_A_DATE) from None
    # Terms are stored as datetimes and renewals add to them: keep far from the ends.
    if not 1900 <= day.year <= 2999:
        raise ValueError(DATE_OUT_OF_RANGE)
    return day


Text = Annotated[str, BeforeValidator(_text), Field(strict=True)]
# Typed once in the documents: a string (the Decimal's own number|string is replaced).
DecimalText = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    WithJsonSchema(
        {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["5.00"]}
    ),
]
DateText = Annotated[
    date,
    BeforeValidator(parse_date),
    Field(json_schema_extra={"type": "string", "format": "date"}),
]


class In(Schema):
    """An input object: unknown properties are refused, as the Cloud API refuses them."""

    model_config = ConfigDict(extra="forbid", strict=True)


class TypeKeyIn(In):
    code: Text
    name: Text | None = Field(
        None, description="Ignored: typekeys are matched by code."
    )


class RefIn(In):
    id: Text
    displayName: Text | None = Field(None, description="Ignored.")
    type: Text | None = Field(None, description="Ignored.")
    uri: Text | None = Field(None, description="Ignored.")


class MoneyIn(In):
    amount: DecimalText
    currency: Text = "usd"

    def money(self) -> Money:
        return Money(self.amount, self.currency.lower())


class SectionRefIn(In):
    sectionType: TypeKeyIn


A = TypeVar("A", bound=In)


class EnvelopeData(In, Generic[A]):
    """An envelope's ``data``: the operation's attributes and the caller's checksum."""

    attributes: A
    checksum: Text | None = None


class Envelope(In, Generic[A]):
    """``{"data": {"attributes": <attributes>, "checksum": "..."}}``.

    Operations take the named subclass ``envelope`` makes (its name is the OpenAPI
    schema's); handlers are typed with ``Envelope[<attributes>]``.
    """

    data: EnvelopeData[A]


def envelope(name: str, attributes: type[A]) -> type[Envelope[A]]:
    """The request body of one operation, named ``<name>Request`` in the OpenAPI."""
    data = create_model(
        f"{name}Data", __base__=EnvelopeData, attributes=(attributes, ...)
    )
    return create_model(f"{name}Request", __base__=Envelope, data=(data, ...))


BAD_JSON = "The request body is not valid JSON."


def optional_body(request: HttpRequest, schema: type[In]) -> Any:
    """The body of an action that may come without one (``<no request body>``).

    ninja would insist on a body for a declared payload; these actions accept
    none, or an envelope that is validated exactly as a declared one would be.
    """
    if not request.body.strip():
        return None
    try:
        raw = json.loads(request.body)
    except ValueError:
        raise ApiError(BAD_JSON) from None
    try:
        return schema.model_validate(raw)
    except PydanticValidationError as exc:
        errors = [{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()]
        raise CLOUD.schema_error(errors) from None


def body_schema(schema: type[In]) -> dict[str, Any]:
    """OpenAPI for an optional body read by ``optional_body``."""
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


def given(body: Envelope[A]) -> set[str]:
    """The attribute names the caller sent: a PATCH changes only these."""
    return set(body.data.attributes.model_fields_set)


# ---------------------------------------------------------------------------
# Output


class Link(Schema):
    href: str
    methods: list[str]


class TypeKey(Schema):
    code: str
    name: str


class MoneyOut(Schema):
    amount: str
    currency: str


class Ref(Schema):
    id: str
    displayName: str | None = None
    type: str | None = None
    uri: str | None = None


def envelopes(name: str, attributes: type[Schema]) -> tuple[type[Schema], type[Schema]]:
    """The single-element and collection response schemas of a resource."""
    element = create_model(
        f"{name}Element",
        __base__=Schema,
        attributes=(attributes, ...),
        checksum=(str, ...),
        links=(dict[str, Link], ...),
    )
    one = create_model(f"{name}Response", __base__=Schema, data=(element, ...))
    many = create_model(
        f"{name}ListResponse",
        __base__=Schema,
        count=(int, ...),
        data=(list[element], ...),
        links=(dict[str, Link], ...),
        total=(int | None, None),
    )
    return one, many


def typekey(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name}


def choice(choices: Any, value: str) -> dict[str, str]:
    return typekey(value, choices(value).label)


def money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    if amount is None:
        return None
    return {"amount": f"{amount:.2f}", "currency": currency or "usd"}


def percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def iso_date(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def iso_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def link(href: str, *methods: str) -> dict[str, Any]:
    return {"href": href, "methods": sorted(methods)}


def element(
    attributes: dict[str, Any], checksum: str, links: dict[str, Any]
) -> dict[str, Any]:
    return {"attributes": attributes, "checksum": checksum, "links": links}


def one(item: dict[str, Any]) -> dict[str, Any]:
    return {"data": item}


# ---------------------------------------------------------------------------
# Whose contents: a job (transaction) or a policy


@dataclass
class Owner:
    """The job or policy a request's path names, and where its contents live."""

    base: str
    txn: PolicyTransaction | None = None
    policy: Policy | None = None

    @property
    def contents_id(self) -> int | None:
        if self.txn is not None:
            return self.txn.pk
        assert self.policy is not None
        return self.policy.contents_transaction_id

    @property
    def editable(self) -> bool:
        """Whether contents may be written through this path (a draft job)."""
        return self.txn is not None and self.txn.is_draft

    @property
    def contents_owner(self) -> PolicyTransaction:
        """The transaction holding the contents (services take it)."""
        if self.txn is not None:
            return self.txn
        assert self.policy is not None and self.policy.contents_transaction is not None
        return self.policy.contents_transaction


def transaction_owner(transaction_id: str) -> Owner:
    txn = (
        PolicyTransaction.objects.select_related("product")
        .filter(public_id=transaction_id)
        .first()
    )
    if txn is None:
        raise PolicyTransaction.DoesNotExist
    return Owner(base=f"{JOB_ROOT}/jobs/{txn.public_id}", txn=txn)


def find_policy(policy_id: str) -> Policy:
    """A policy by its pl_ id or by its policy number."""
    field = "public_id" if policy_id.startswith("pl_") else "number"
    policy = (
        Policy.objects.select_related("product", "contents_transaction")
        .filter(**{field: policy_id})
        .first()
    )
    if policy is None:
        raise Policy.DoesNotExist
    return policy


def policy_owner(policy_id: str) -> Owner:
    policy = find_policy(policy_id)
    return Owner(base=f"{POLICY_ROOT}/policies/{policy.public_id}", policy=policy)


def short_number(value: str) -> int:
    """A child's short id ("101") as its number; anything else names nothing (404)."""
    if not value.isdigit() or len(value) > 9:
        raise PolicyTransaction.DoesNotExist
    return int(value)


def actor(request: HttpRequest) -> ApiKey:
    """The staff API key that authenticated the request: who the audit history names."""
    # ninja sets .auth on the request once KeyAuth has accepted the key.
    return request.auth  # type: ignore[attr-defined]


def supplied_checksum(request: HttpRequest, body: Any = None) -> str | None:
    """The checksum the caller sent: ``data.checksum`` in a body, else the header."""
    if body is not None and body.data.checksum is not None:
        return body.data.checksum
    return request.headers.get(CHECKSUM_HEADER) or None

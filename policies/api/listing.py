"""How a list endpoint of the Cloud API answers: filter=field:operator:value,
sort=field,-field, includeTotal, paging, and the query parameters a list accepts.

``fields`` (sparse field sets) is accepted on every GET and applied to the rendered
resource by ``policies.api.fields``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from policies.api.wire import parse_date, parse_decimal
from portal.api import ApiError, offset_page

LIST_PARAMETERS = frozenset(
    {"filter", "sort", "fields", "pageSize", "pageOffset", "includeTotal"}
)
# Accepted by every GET; ``include`` is then refused where it does not apply.
READ_PARAMETERS = frozenset({"fields", "include"})
UNKNOWN_QUERY_PARAMETER = "Unknown query parameter '{name}'."
FILTER_SYNTAX = "The filter '{expr}' is not of the form field:operator:value."
FILTER_FIELD = (
    "The field '{field}' cannot be filtered on this resource. "
    "Filterable fields: {fields}."
)
FILTER_OPERATOR = "Unknown filter operator '{op}'. Use one of: eq, ne, lt, gt, le, ge, in, ni, sw, cn."
FILTER_OPERATOR_FIELD = "The operator '{op}' cannot be used on the field '{field}'."
FILTER_VALUE = "'{value}' is not a valid value for the field '{field}'."
BAD_INCLUDE_TOTAL = "The 'includeTotal' query parameter must be true or false."
SORT_FIELD = (
    "The field '{field}' cannot be sorted on this resource. Sortable fields: {fields}."
)
SORT_SYNTAX = "The sort '{expr}' is not a comma-separated list of fields, each optionally prefixed by '-'."


# ---------------------------------------------------------------------------
# Collections: filter=field:op:value, paging


@dataclass(frozen=True)
class Filterable:
    """A field a list may be filtered on: its ORM lookup and how to read a value."""

    lookup: str
    parse: Callable[[str], Any] = str
    text: bool = False  # sw / cn apply to text only
    ordered: bool = False  # lt / gt / le / ge apply to ordered values only


def text_field(lookup: str) -> Filterable:
    return Filterable(lookup, str, text=True, ordered=True)


def code_field(lookup: str, codes: Mapping[str, str]) -> Filterable:
    """A typekey field, filtered by its wire code (mapped to the stored value)."""

    def parse(value: str) -> str:
        if value not in codes:
            raise ValueError(value)
        return codes[value]

    return Filterable(lookup, parse)


def int_field(lookup: str) -> Filterable:
    def parse(value: str) -> int:
        if not re.fullmatch(r"-?\d{1,12}", value):
            raise ValueError(value)
        return int(value)

    return Filterable(lookup, parse, ordered=True)


def decimal_field(lookup: str) -> Filterable:
    return Filterable(lookup, parse_decimal, ordered=True)


def date_field(lookup: str) -> Filterable:
    return Filterable(lookup, parse_date, ordered=True)


_OPS = {"eq", "ne", "lt", "gt", "le", "ge", "in", "ni", "sw", "cn"}
_ORDER_LOOKUPS = {"lt": "lt", "gt": "gt", "le": "lte", "ge": "gte"}


def _split(expr: str) -> tuple[str, str, str]:
    # A literal colon inside a value is written "::".
    marker = "\x00"
    parts = expr.replace("::", marker).split(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise ApiError(FILTER_SYNTAX.format(expr=expr))
    field, op, value = (p.replace(marker, ":") for p in parts)
    return field, op, value


def apply_filters(
    queryset: QuerySet[Any], expressions: Sequence[str], fields: dict[str, Filterable]
) -> QuerySet[Any]:
    """``filter=field:op:value`` expressions, all of which must hold."""
    for expr in expressions:
        name, op, raw = _split(expr)
        spec = fields.get(name)
        if spec is None:
            raise ApiError(
                FILTER_FIELD.format(
                    field=name, fields=", ".join(sorted(fields)) or "none"
                )
            )
        if op not in _OPS:
            raise ApiError(FILTER_OPERATOR.format(op=op))
        if (op in ("sw", "cn") and not spec.text) or (
            op in _ORDER_LOOKUPS and not spec.ordered
        ):
            raise ApiError(FILTER_OPERATOR_FIELD.format(op=op, field=name))
        raw_values = raw.split(",") if op in ("in", "ni") else [raw]
        try:
            values = [spec.parse(v) for v in raw_values]
        except ValueError:
            raise ApiError(FILTER_VALUE.format(value=raw, field=name)) from None
        if op in ("eq", "ne"):
            condition = Q(**{spec.lookup: values[0]})
        elif op in ("in", "ni"):
            condition = Q(**{f"{spec.lookup}__in": values})
        elif op == "sw":
            condition = Q(**{f"{spec.lookup}__istartswith": values[0]})
        elif op == "cn":
            condition = Q(**{f"{spec.lookup}__icontains": values[0]})
        else:
            condition = Q(**{f"{spec.lookup}__{_ORDER_LOOKUPS[op]}": values[0]})
        queryset = (
            queryset.exclude(condition)
            if op in ("ne", "ni")
            else queryset.filter(condition)
        )
    return queryset


def apply_sort(
    queryset: QuerySet[Any], expressions: Sequence[str], fields: dict[str, Filterable]
) -> QuerySet[Any]:
    """``sort=a,-b``: ascending unless prefixed by ``-``, on the resource's filterable
    fields (its documented sortable ones); the list's own order breaks ties."""
    keys: list[str] = []
    for expr in expressions:
        for raw in expr.split(","):
            name = raw.strip()
            descending = name.startswith("-")
            name = name.removeprefix("-")
            if not name:
                raise ApiError(SORT_SYNTAX.format(expr=expr))
            spec = fields.get(name)
            if spec is None:
                raise ApiError(
                    SORT_FIELD.format(
                        field=name, fields=", ".join(sorted(fields)) or "none"
                    )
                )
            keys.append(("-" if descending else "") + spec.lookup)
    if not keys:
        return queryset
    return queryset.order_by(*keys, *queryset.query.order_by)


def check_query(request: HttpRequest, allowed: Iterable[str] = ()) -> None:
    """Unknown query parameters are refused, as the Cloud API refuses them by default."""
    known = set(allowed) | READ_PARAMETERS
    for name in request.GET:
        if name not in known:
            raise ApiError(UNKNOWN_QUERY_PARAMETER.format(name=name))


M = TypeVar("M", bound=Model)


def collection(
    request: HttpRequest,
    queryset: QuerySet[M],
    render: Callable[[M], dict[str, Any]],
    *,
    fields: dict[str, Filterable] | None = None,
    actions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One page of a collection with its count, paging links and any action links."""
    check_query(request, LIST_PARAMETERS)
    queryset = apply_filters(queryset, request.GET.getlist("filter"), fields or {})
    queryset = apply_sort(queryset, request.GET.getlist("sort"), fields or {})
    include_total = request.GET.get("includeTotal", "false")
    if include_total not in ("true", "false"):
        raise ApiError(BAD_INCLUDE_TOTAL)
    extra = "&".join(
        [f"filter={quote(f, safe=':,')}" for f in request.GET.getlist("filter")]
        + [f"sort={quote(f, safe=',-')}" for f in request.GET.getlist("sort")]
        + [f"fields={quote(f, safe=',*')}" for f in request.GET.getlist("fields")]
    )
    page = offset_page(
        queryset,
        path=request.path,
        page_size=request.GET.get("pageSize"),
        page_offset=request.GET.get("pageOffset"),
        include_total=include_total == "true",
        extra_query=extra,
    )
    links = dict(page.links)
    if actions:
        links.update(actions)
    body: dict[str, Any] = {
        "count": len(page.items),
        "data": [render(item) for item in page.items],
        "links": links,
    }
    if page.total is not None:
        body["total"] = page.total
    return body

"""Rows of another table carried on a row being read, as one JSON array (PostgreSQL).

A correlated subquery ``(SELECT JSONB_AGG(TO_JSONB(t) ORDER BY …) FROM t WHERE …)``
annotated on a queryset reads a few related rows in the statement that reads (and
perhaps locks) the main row, instead of a query of their own; ``instance`` turns
each JSON row back into the model instance the ORM would have loaded.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import connection, models
from django.db.models import QuerySet, Subquery
from django.utils.dateparse import parse_date, parse_datetime

M = TypeVar("M", bound=models.Model)


def supported() -> bool:
    """JSONB_AGG(… ORDER BY …) and TO_JSONB are PostgreSQL's."""
    return connection.vendor == "postgresql"


class WholeRow(models.Expression):
    """The subquery's row itself as JSON (``TO_JSONB(alias)``): every column, keyed by
    its name, in one expression instead of a key and a column per field."""

    output_field = models.JSONField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        alias = compiler.query.get_initial_alias()
        return f"TO_JSONB({compiler.quote_name_unless_alias(alias)})", []


def rows(
    queryset: QuerySet[Any],
    row: models.Expression | None = None,
    *,
    order_by: tuple[str, ...],
) -> Subquery:
    """``queryset``'s rows (whole, or ``row`` of each) as one JSON array in ``order_by``;
    NULL when there are none. Correlate it with ``OuterRef`` filters."""
    return Subquery(
        queryset.order_by()
        # A constant to group by: one group, whatever the rows (Value adds no GROUP BY).
        .annotate(_one=models.Value(1))
        .values("_one")
        .annotate(rows=JSONBAgg(row or WholeRow(), order_by=order_by))
        .values("rows")
    )


def instance(model: type[M], row: dict[str, Any]) -> M:
    """The instance of ``model`` the ORM would load from ``row`` (a ``WholeRow``)."""
    fields = model._meta.concrete_fields
    values = []
    for field in fields:
        value = row[field.column]
        if value is not None:
            if isinstance(field, models.DateTimeField):
                value = parse_datetime(value)
            elif isinstance(field, models.DateField):
                value = parse_date(value)
            elif isinstance(field, models.DecimalField):
                # JSON numbers come back binary floats: read such a column as text.
                raise TypeError(f"{field} cannot be read back exactly from JSON")
            elif not isinstance(field, models.JSONField):
                value = field.to_python(value)
        values.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], values)

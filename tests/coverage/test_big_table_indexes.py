"""The big tables keep every index they need and none they do not (migration 0018)."""

from __future__ import annotations

import pytest
from django.db import connection

from coverage.models import Assignment, Certificate, LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requires_postgres")]

BIG = [Assignment, LedgerEntry, Certificate]


def _indexes(table: str) -> list[tuple[str, list[str], str]]:
    """(name, key columns in order, definition) of each index on ``table``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, array(SELECT a.attname FROM unnest(x.indkey) WITH"
            " ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = x.indrelid"
            " AND a.attnum = k.attnum ORDER BY k.n), pg_get_indexdef(x.indexrelid)"
            " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass",
            [table],
        )
        return [
            (name, list(columns), definition) for name, columns, definition in cursor
        ]


@pytest.mark.parametrize("model", BIG, ids=lambda m: m.__name__)
def test_every_foreign_key_leads_a_whole_index(model) -> None:
    # A foreign key needs an index that starts with it (joins, lookups, the parent's
    # delete check); a partial index does not serve every row.
    indexes = [(cols, d) for _, cols, d in _indexes(model._meta.db_table)]
    for field in model._meta.concrete_fields:
        if field.is_relation:
            leading = [d for cols, d in indexes if cols[:1] == [field.column]]
            assert any(" WHERE " not in d for d in leading), field.column


@pytest.mark.parametrize("model", BIG, ids=lambda m: m.__name__)
def test_no_index_is_a_prefix_of_another(model) -> None:
    # A single-column index whose column leads a composite one is only extra work
    # for every INSERT; unique ones stay (they are constraints), as do partial ones.
    found = _indexes(model._meta.db_table)
    for name, columns, definition in found:
        if "UNIQUE" in definition or " WHERE " in definition or "gist" in definition:
            continue
        covering = [
            other
            for other, cols, d in found
            if other != name
            and len(cols) > len(columns)
            and cols[: len(columns)] == columns
            and " WHERE " not in d
            and "btree" in d
        ]
        assert not covering, f"{name} is covered by {covering}"


@pytest.mark.parametrize("model", BIG, ids=lambda m: m.__name__)
def test_no_pattern_indexes(model) -> None:
    assert not [n for n, _, d in _indexes(model._meta.db_table) if "pattern_ops" in d]

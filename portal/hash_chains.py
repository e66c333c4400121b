"""Hash chains over append-only tables, kept by PostgreSQL itself (issue 14: data at rest).

Every row of a chained table belongs to one *chain* (the premium ledger: one per
assignment; the audit history: one per audited record). A ``BEFORE INSERT`` row trigger
serialises the chain (a lock the writer holds already, or a transaction advisory lock on
the chain alone), reads the chain's head with one index probe and sets

    chain_seq  = head's chain_seq + 1          (1 for a chain's first entry)
    prev_hash  = head's entry_hash             (32 zero bytes for the first)
    entry_hash = sha256(prev_hash || canonical content of the row)

so Django sends no statement of its own for it, and a multi-row INSERT (bulk_create)
chains row by row within the one statement. A unique index on (chain, chain_seq) makes a
fork impossible. A changed row no longer matches its hash; a deleted one leaves a gap.

The canonical content is built from the row's immutable columns only, each spelled by
built-in functions that no session setting changes (``to_char`` in UTC for times, the
jsonb's own text for JSON), each length-prefixed so no two rows spell the same bytes.
``verify_ledger`` reads it with the same expression and hashes it in Python.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

GENESIS = bytes(32)

# How each kind of column is spelled in the canonical content.
_SPELLING = {
    "int": "({col})::text",
    "text": "({col})::text",
    "date": "to_char({col}, 'YYYY-MM-DD')",
    "time": "to_char(({col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')",
    "json": "({col})::text",
}


@dataclass(frozen=True)
class ChainSpec:
    """One chained table: which columns name its chain, which are hashed, how it locks."""

    name: str  # "ledger", "audit": the family's name in reports and checkpoints
    table: str
    chain_columns: tuple[str, ...]
    content: tuple[tuple[str, str], ...]  # (column, kind of _SPELLING), in hash order
    # PL/pgSQL run first in the trigger: serialises inserts into NEW's chain.
    lock: str
    # SQL types of chain_columns, to read a chain's key back from its text.
    chain_types: tuple[str, ...] = ()

    @property
    def function(self) -> str:
        return f"{self.table}_chain"

    @property
    def trigger(self) -> str:
        return f"{self.table}_chain_trg"

    def content_sql(self, row: str, **instead: str) -> str:
        """The canonical content of ``row`` (``NEW`` or a table alias) as one text;
        ``instead`` spells given columns from elsewhere (the back-fill's new seq)."""
        parts = []
        for column, kind in self.content:
            spelled = _SPELLING[kind].format(col=instead.get(column, f"{row}.{column}"))
            parts.append(f"coalesce(length({spelled})::text || ':' || {spelled}, '-')")
        return " || '|' || ".join(parts)

    def chain_match(self, row: str, other: str) -> str:
        return " AND ".join(f"{other}.{c} = {row}.{c}" for c in self.chain_columns)

    def chain_order(self, alias: str) -> str:
        return ", ".join(f"{alias}.{c}" for c in self.chain_columns)

    def chain_text(self, alias: str) -> str:
        """The chain's key as one text (checkpoints keep it): columns joined by U+001F."""
        return " || chr(31) || ".join(
            f"({alias}.{c})::text" for c in self.chain_columns
        )

    def chain_of_text(self, alias: str, text: str) -> str:
        """``alias`` is a row of the chain named by ``text`` (index-friendly)."""
        types = self.chain_types or ("text",) * len(self.chain_columns)
        return " AND ".join(
            f"{alias}.{c} = CAST(split_part({text}, chr(31), {i}) AS {kind})"
            for i, (c, kind) in enumerate(
                zip(self.chain_columns, types, strict=True), start=1
            )
        )


def entry_hash(prev_hash: bytes, content: str) -> bytes:
    """The hash the trigger stores: sha256(prev_hash || UTF-8 content)."""
    return hashlib.sha256(prev_hash + content.encode()).digest()


def install_sql(spec: ChainSpec) -> str:
    """The trigger function and trigger that chain every new row of ``spec.table``."""
    head_probe = spec.chain_match("NEW", "t")
    return f"""
CREATE OR REPLACE FUNCTION {spec.function}() RETURNS trigger
LANGUAGE plpgsql AS $chain$
DECLARE
    head_seq bigint;
    head_hash bytea;
BEGIN
    {spec.lock}
    SELECT t.chain_seq, t.entry_hash INTO head_seq, head_hash
      FROM {spec.table} t
     WHERE {head_probe} AND t.chain_seq IS NOT NULL
     ORDER BY t.chain_seq DESC
     LIMIT 1;
    NEW.chain_seq := coalesce(head_seq, 0) + 1;
    NEW.prev_hash := coalesce(head_hash, '\\x{GENESIS.hex()}'::bytea);
    NEW.entry_hash := sha256(NEW.prev_hash || convert_to({spec.content_sql("NEW")}, 'UTF8'));
    RETURN NEW;
END
$chain$;
DROP TRIGGER IF EXISTS {spec.trigger} ON {spec.table};
CREATE TRIGGER {spec.trigger} BEFORE INSERT ON {spec.table}
    FOR EACH ROW EXECUTE FUNCTION {spec.function}();
"""


def uninstall_sql(spec: ChainSpec) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {spec.trigger} ON {spec.table};"
        f"DROP FUNCTION IF EXISTS {spec.function}();"
    )


def backfill_sql(spec: ChainSpec) -> str:
    """Chain the rows already present (a migration on an upgraded database): numbered in
    id order per chain and hashed one after another along each chain, each row updated
    once (a row updated twice in one transaction would queue its deferred foreign-key
    checks, and the ALTER TABLEs after it would refuse to run)."""
    chain = spec.chain_order("t")
    content = spec.content_sql("t", chain_seq="r.seq")
    return f"""
DO $backfill$
DECLARE
    r record;
    prev bytea;
BEGIN
    FOR r IN SELECT t.id, row_number() OVER (PARTITION BY {chain} ORDER BY t.id) AS seq
               FROM {spec.table} t ORDER BY {chain}, t.id LOOP
        IF r.seq = 1 THEN
            prev := '\\x{GENESIS.hex()}'::bytea;
        END IF;
        UPDATE {spec.table} t
           SET chain_seq = r.seq,
               prev_hash = prev,
               entry_hash = sha256(prev || convert_to({content}, 'UTF8'))
         WHERE t.id = r.id
        RETURNING t.entry_hash INTO prev;
    END LOOP;
END
$backfill$;
"""


def chain_existing_and_install(spec: ChainSpec) -> Any:
    """A migration operation (PostgreSQL only): chain the rows present, then install the
    trigger for every later row. Reversed, the trigger goes; the columns stay to the
    migration's own field removals."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            # LOCK: no row may be written between the back-fill and the trigger.
            cursor.execute(f"LOCK TABLE {spec.table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(backfill_sql(spec))
            cursor.execute(install_sql(spec))

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(uninstall_sql(spec))

    return migrations.RunPython(forwards, backwards, elidable=False)


def chained_insert_sql(
    spec: ChainSpec, *, columns: list[str], source: str, longest: int
) -> str:
    """INSERT INTO the table the rows of ``source`` (a SELECT naming ``columns``,
    every column but the three a chain fills), chained as the trigger would chain
    them, in the one statement that writes them (a bulk load, with the trigger off).

    The rows must be whole new chains of at most ``longest`` rows each, in id order
    along each chain. A row's seq comes from ``row_number`` over its chain, its
    predecessors' contents from ``lag``, and its previous hash is folded from them:
    each row is written once (chaining after the insert, level by level with
    ``UPDATE``, wrote every row twice and left the table half dead tuples). A row
    beyond ``longest`` gets no hash, which callers check for (``verify_ledger`` would
    report it).
    """
    chain = ", ".join(spec.chain_columns)
    names = ", ".join(f'"{c}"' for c in columns)
    picked = ", ".join(f'c."{c}"' for c in columns)
    genesis = f"'\\x{GENESIS.hex()}'::bytea"
    cases = [f"WHEN 1 THEN {genesis}"]
    for seq in range(2, longest + 1):
        folded = genesis
        # H(k) = sha256(H(k - 1) || content(k)); predecessor k of row seq is lag(seq - k).
        for k in range(1, seq):
            folded = f"sha256({folded} || b.lag{seq - k})"
        cases.append(f"WHEN {seq} THEN {folded}")
    lags = "".join(
        f", lag(a.content, {n}) OVER (PARTITION BY {chain} ORDER BY a.id) AS lag{n}"
        for n in range(1, longest)
    )
    content = spec.content_sql("q", chain_seq="q.seq")
    return (
        f"INSERT INTO {spec.table} ({names}, chain_seq, prev_hash, entry_hash)"
        f" SELECT {picked}, c.seq, c.prev, sha256(c.prev || c.content) FROM"
        f" (SELECT b.*, CASE b.seq {' '.join(cases)} END AS prev FROM"
        f" (SELECT a.*{lags} FROM"
        f" (SELECT q.*, convert_to({content}, 'UTF8') AS content FROM"
        f" (SELECT s.*, row_number() OVER (PARTITION BY {chain} ORDER BY s.id)"
        f" AS seq FROM ({source}) s) q) a) b) c"
    )

"""The premium ledger's hash chain: one chain per assignment (``portal.hash_chains``).

Every posting for an assignment already holds the assignment's row lock
(``coverage.services.ledger``), or writes its first charges in the transaction that
created it, so the chain is serialised by a lock its writers hold anyway: the trigger
takes it again (``FOR NO KEY UPDATE``, free when held) only to stay right for a writer
that forgot. No lock is taken that the write path did not already wait for, and none in
PostgreSQL's shared lock table (a re-decision of thousands of dispatches takes none).
"""

from __future__ import annotations

from portal.hash_chains import ChainSpec

LEDGER_CHAIN = ChainSpec(
    name="ledger",
    table="coverage_ledgerentry",
    chain_columns=("assignment_id",),
    chain_types=("bigint",),
    content=(
        ("id", "int"),
        ("assignment_id", "int"),
        ("chain_seq", "int"),
        ("platform_id", "int"),
        ("contractor_id", "int"),
        ("entity_id", "int"),
        ("kind", "text"),
        ("line", "text"),
        ("amount", "int"),
        ("books_on", "date"),
        ("created_at", "time"),
    ),
    lock=(
        "PERFORM 1 FROM coverage_assignment a WHERE a.id = NEW.assignment_id "
        "FOR NO KEY UPDATE;"
    ),
)

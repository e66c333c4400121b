"""``verify_ledger``'s work: walk every hash chain, check the checkpoints, record one.

The premium ledger (one chain per assignment, ``coverage.ledger_chain``) and the audit
history (one chain per record, ``policies.audit_chain``) are read in one consistent
snapshot, streamed through a server-side cursor in chain order (the chains' unique
index), each entry's hash recomputed here from its canonical content. Then the heads
recorded by earlier checkpoints must still be there, as they were, and the checkpoints'
own digests must still chain. When all is intact a new checkpoint records the heads that
moved. PostgreSQL only: the chains are kept by PostgreSQL's triggers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from coverage.ledger_chain import LEDGER_CHAIN
from coverage.models import ChainCheckpoint
from policies.audit_chain import AUDIT_CHAIN
from portal.hash_chains import GENESIS, ChainSpec, entry_hash

SPECS: tuple[ChainSpec, ...] = (LEDGER_CHAIN, AUDIT_CHAIN)
TITLES = {
    "ledger": "Premium ledger",
    "audit": "Audit history",
    "checkpoints": "Checkpoints",
}
HEADS = "coverage_chainhead"


class NotOnPostgres(Exception):
    """The database keeps no chains (SQLite): nothing can be verified."""


@dataclass(frozen=True)
class Problem:
    family: str
    chain: str
    what: str
    entry_id: int | None = None
    seq: int | None = None

    def __str__(self) -> str:
        where = TITLES[self.family]
        if self.chain:
            where += f", chain {chain_label(self.family, self.chain)}"
        if self.entry_id is not None:
            where += f", entry id {self.entry_id}"
        if self.seq is not None:
            where += f" (#{self.seq})"
        return f"{where}: {self.what}"


@dataclass
class Tally:
    entries: int = 0
    chains: int = 0


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    previous: ChainCheckpoint | None = None
    anchored_chains: int = 0
    checkpoint: ChainCheckpoint | None = None
    expected_digest_found: bool | None = None

    @property
    def intact(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem, limit: int) -> None:
        self.problem_count += 1
        if len(self.problems) < limit:
            self.problems.append(problem)


def chain_label(family: str, chain: str) -> str:
    if family == "ledger":
        return f"assignment id {chain}"
    object_type, _, object_id = chain.partition("\x1f")
    return f"{object_type} {object_id}"


def _rows(sql: str, params: Sequence[Any] = (), *, chunk: int) -> Iterator[tuple]:
    """Rows of ``sql`` through a server-side cursor, ``chunk`` at a time."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk):
            yield from batch


def _walk(spec: ChainSpec, report: Report, *, limit: int, chunk: int) -> None:
    sql = (
        f"SELECT {spec.chain_text('t')}, t.id, t.chain_seq, t.prev_hash, t.entry_hash, "
        f"{spec.content_sql('t')} FROM {spec.table} t WHERE t.chain_seq IS NOT NULL "
        f"ORDER BY {spec.chain_order('t')}, t.chain_seq"
    )
    tally = report.tallies.setdefault(spec.name, Tally())

    def problem(key: str, entry_id: int, seq: int | None, what: str) -> None:
        report.add(Problem(spec.name, key, what, entry_id, seq), limit)

    chain: str | None = None
    expected, previous = 1, GENESIS
    for key, entry_id, seq, prev_hash, stored, content in _rows(sql, chunk=chunk):
        tally.entries += 1
        if key != chain:
            chain, expected, previous = key, 1, GENESIS
            tally.chains += 1
        prev_hash, stored = bytes(prev_hash or b""), bytes(stored or b"")
        if seq > expected:
            gap = (
                f"#{expected}" if seq == expected + 1 else f"#{expected} to #{seq - 1}"
            )
            problem(
                key, entry_id, seq, f"entries before it are missing ({gap}): deleted"
            )
        elif seq < expected:
            problem(key, entry_id, seq, f"a second entry #{seq} in the chain (a fork)")
        elif prev_hash != previous:
            problem(
                key,
                entry_id,
                seq,
                "does not link to the entry before it: that entry was changed or "
                "replaced",
            )
        if entry_hash(prev_hash, content) != stored:
            problem(
                key,
                entry_id,
                seq,
                "its content no longer matches its hash: changed after writing",
            )
        expected, previous = seq + 1, stored
    unchained = (
        f"SELECT {spec.chain_text('t')}, t.id FROM {spec.table} t "
        "WHERE t.chain_seq IS NULL ORDER BY t.id"
    )
    for key, entry_id in _rows(unchained, chunk=chunk):
        tally.entries += 1
        problem(key, entry_id, None, "not in its chain (written without the trigger)")


def _check_trigger(spec: ChainSpec, report: Report, *, limit: int) -> None:
    """The trigger that chains new rows is there and enabled."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
            [spec.trigger, spec.table],
        )
        row = cursor.fetchone()
    if row is None or row[0] == "D":
        state = "missing" if row is None else "disabled"
        report.add(
            Problem(
                spec.name,
                "",
                f"the trigger {spec.trigger} is {state}: new entries are not chained",
            ),
            limit,
        )


def _latest_heads(spec: ChainSpec) -> str:
    return (
        f"SELECT DISTINCT ON (h.chain) h.chain, h.entry_id, h.seq, h.entry_hash, "
        f"h.checkpoint_id FROM {HEADS} h WHERE h.family = '{spec.name}' "
        "ORDER BY h.chain, h.checkpoint_id DESC"
    )


def _check_anchors(spec: ChainSpec, report: Report, *, limit: int, chunk: int) -> None:
    """Every chain's head as the last checkpoint that saw it move is still there."""
    sql = (
        f"SELECT a.chain, a.entry_id, a.seq, a.entry_hash, a.checkpoint_id, t.id, "
        f"t.chain_seq, t.entry_hash FROM ({_latest_heads(spec)}) a "
        f"LEFT JOIN {spec.table} t ON t.id = a.entry_id"
    )
    for chain, entry_id, seq, anchored, checkpoint, found, now_seq, now_hash in _rows(
        sql, chunk=chunk
    ):
        report.anchored_chains += 1
        if found is not None and now_seq == seq and bytes(now_hash) == bytes(anchored):
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT max(t.chain_seq) FROM {spec.table} t WHERE "
                f"{spec.chain_of_text('t', '%s')}",
                [chain] * len(spec.chain_columns),
            )
            (last,) = cursor.fetchone() or (None,)
        ends = f"the chain now ends at #{last}" if last else "the chain has no entries"
        if found is None:
            what = f"recorded as the chain's head at checkpoint {checkpoint}, is gone; {ends}"
        else:
            what = f"differs from its record at checkpoint {checkpoint}"
        report.add(Problem(spec.name, chain, what, entry_id, seq), limit)


def _digest(previous: str, counts: Sequence[int], heads: Iterator[tuple]) -> str:
    sha = hashlib.sha256(f"{previous}\n{' '.join(map(str, counts))}\n".encode())
    for family, chain, entry_id, seq, stored in heads:
        sha.update(f"{family}\x1f{chain}\x1f{entry_id}\x1f{seq}\x1f".encode())
        sha.update(bytes(stored).hex().encode() + b"\n")
    return sha.hexdigest()


def _heads_of(checkpoint_id: int, *, chunk: int) -> Iterator[tuple]:
    return _rows(
        f"SELECT family, chain, entry_id, seq, entry_hash FROM {HEADS} WHERE "
        'checkpoint_id = %s ORDER BY family COLLATE "C", chain COLLATE "C"',
        [checkpoint_id],
        chunk=chunk,
    )


def _counts(c: ChainCheckpoint) -> tuple[int, ...]:
    return (c.ledger_entries, c.ledger_chains, c.audit_entries, c.audit_chains)


def _check_checkpoints(
    report: Report, *, expect: str | None, limit: int, chunk: int
) -> None:
    """The checkpoints' digests still chain (and hold the one the operator kept)."""
    previous = ""
    for checkpoint in ChainCheckpoint.objects.order_by("pk").iterator():
        digest = _digest(
            previous, _counts(checkpoint), _heads_of(checkpoint.pk, chunk=chunk)
        )
        if digest != checkpoint.digest:
            report.add(
                Problem(
                    "checkpoints",
                    "",
                    f"checkpoint {checkpoint.pk} no longer matches its digest: the "
                    "checkpoints were changed",
                ),
                limit,
            )
        if expect is not None and checkpoint.digest == expect:
            report.expected_digest_found = True
        previous = checkpoint.digest
        report.previous = checkpoint
    if expect is not None and not report.expected_digest_found:
        report.expected_digest_found = False
        report.add(
            Problem(
                "checkpoints",
                "",
                f"no checkpoint has the digest {expect}: the checkpoints were rewritten, "
                "or this database is older than that checkpoint",
            ),
            limit,
        )


def _record(report: Report, *, chunk: int) -> ChainCheckpoint:
    """A checkpoint of the verified snapshot: the heads that moved, and its digest."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('coverage_chaincheckpoint', 'id'))"
        )
        row = cursor.fetchone()
        assert row is not None  # nextval always answers
        checkpoint_id: int = row[0]
        recorded = 0
        for spec in SPECS:
            # Heads are inserted before their checkpoint: the foreign key is deferred.
            cursor.execute(
                f"INSERT INTO {HEADS} (checkpoint_id, family, chain, entry_id, seq, "
                f"entry_hash) SELECT %s, '{spec.name}', c.chain, c.id, c.chain_seq, "
                f"c.entry_hash FROM (SELECT DISTINCT ON ({spec.chain_order('t')}) "
                f"{spec.chain_text('t')} AS chain, t.id, t.chain_seq, t.entry_hash "
                f"FROM {spec.table} t WHERE t.chain_seq IS NOT NULL "
                f"ORDER BY {spec.chain_order('t')}, t.chain_seq DESC) c "
                f"LEFT JOIN ({_latest_heads(spec)}) a ON a.chain = c.chain "
                "WHERE a.entry_id IS DISTINCT FROM c.id",
                [checkpoint_id],
            )
            recorded += cursor.rowcount
    ledger, audit = report.tallies["ledger"], report.tallies["audit"]
    counts = (ledger.entries, ledger.chains, audit.entries, audit.chains)
    previous = report.previous.digest if report.previous else ""
    checkpoint = ChainCheckpoint(
        pk=checkpoint_id,
        ledger_entries=ledger.entries,
        ledger_chains=ledger.chains,
        audit_entries=audit.entries,
        audit_chains=audit.chains,
        heads_recorded=recorded,
        digest=_digest(previous, counts, _heads_of(checkpoint_id, chunk=chunk)),
    )
    # Its id is taken already (the heads name it): inserted as it stands.
    ChainCheckpoint.objects.bulk_create([checkpoint])
    return checkpoint


def verify_chains(
    *,
    record: bool = True,
    expect_digest: str | None = None,
    limit: int = 50,
    chunk: int = 5000,
) -> Report:
    """Verify every chain and checkpoint in one snapshot; record a checkpoint if intact
    (and ``record``). Raises ``NotOnPostgres`` where no chains are kept."""
    if connection.vendor != "postgresql":
        raise NotOnPostgres(connection.vendor)
    report = Report()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                # One snapshot for every read; writes (the checkpoint) stay allowed.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for spec in SPECS:
            _check_trigger(spec, report, limit=limit)
            _walk(spec, report, limit=limit, chunk=chunk)
            _check_anchors(spec, report, limit=limit, chunk=chunk)
        _check_checkpoints(report, expect=expect_digest, limit=limit, chunk=chunk)
        if record and report.intact:
            report.checkpoint = _record(report, chunk=chunk)
    return report

"""``manage.py verify_ledger``: the premium ledger and the audit history are hash chains
(kept by PostgreSQL triggers) that real dispatches build and that any changed or deleted
row breaks, with a report of which chain, which entry and what is wrong."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from coverage.ledger_chain import LEDGER_CHAIN
from coverage.models import (
    Assignment,
    ChainCheckpoint,
    ChainHead,
    LedgerEntry,
    WorkJob,
)
from policies.models import AuditEntry
from portal.hash_chains import chained_insert_sql
from tests.coverage.helpers import ApiClient
from tests.coverage.ledger_helpers import book_through_the_api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requires_postgres")]


def verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def broken(*args: str) -> tuple[str, CommandError]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
    assert refused.value.returncode == 1
    assert "No checkpoint was recorded" in str(refused.value)
    return err.getvalue(), refused.value


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def booked(api: ApiClient, platform, contractor, category, entity, product):
    return book_through_the_api(
        api, platform=platform, contractor=contractor, category=category, entity=entity
    )


def chain(assignment: Assignment) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(assignment=assignment).order_by("chain_seq"))


def test_real_dispatches_make_chains_that_verify(booked: list[Assignment]) -> None:
    kinds = set()
    for assignment in booked:
        entries = chain(assignment)
        # Numbered in the order written, each linked to the one before, the two
        # charges of one INSERT (bulk_create) included.
        assert [e.chain_seq for e in entries] == list(range(1, len(entries) + 1))
        assert [e.pk for e in entries] == sorted(e.pk for e in entries)
        assert bytes(entries[0].prev_hash) == bytes(32)
        for before, after in zip(entries, entries[1:], strict=False):
            assert bytes(after.prev_hash) == bytes(before.entry_hash)
        kinds |= {e.kind for e in entries}
    assert kinds == {"charge", "adjustment", "reversal"}
    entries, audits = LedgerEntry.objects.count(), AuditEntry.objects.count()
    assert audits > 0 and AuditEntry.objects.filter(object_type="Work job").exists()

    out, err = verify()

    assert err == ""
    assert f"Premium ledger: {entries} entries in 3 chains (one per assignment)." in out
    records = AuditEntry.objects.values("object_type", "object_id").distinct().count()
    assert (
        f"Audit history: {audits} entries in {records} chains (one per record)." in out
    )
    [checkpoint] = ChainCheckpoint.objects.all()
    assert (checkpoint.ledger_entries, checkpoint.audit_entries) == (entries, audits)
    assert checkpoint.heads_recorded == 3 + records == ChainHead.objects.count()
    assert f"Digest: {checkpoint.digest}" in out

    # The next run checks those heads, and the digest an operator kept.
    again, _ = verify("--expect-digest", checkpoint.digest)
    assert f"{3 + records} recorded heads checked (intact)" in again
    assert "The expected digest is a checkpoint's, and still holds." in again
    assert "(0 chain heads moved since the last)" in again


def test_a_changed_amount_is_reported(booked: list[Assignment]) -> None:
    entry = chain(booked[2])[1]
    sql(
        "UPDATE coverage_ledgerentry SET amount = amount + 100 WHERE id = %s",
        [entry.pk],
    )

    err, _ = broken()

    assert err.splitlines() == [
        f"BROKEN  Premium ledger, chain assignment id {booked[2].pk}, entry id "
        f"{entry.pk} (#2): its content no longer matches its hash: changed after writing"
    ]
    assert not ChainCheckpoint.objects.exists()


def test_a_deleted_middle_entry_is_reported(booked: list[Assignment]) -> None:
    entries = chain(booked[1])  # two charges, two reversals
    assert len(entries) == 4
    sql("DELETE FROM coverage_ledgerentry WHERE id = %s", [entries[1].pk])

    err, _ = broken()

    assert err.splitlines() == [
        f"BROKEN  Premium ledger, chain assignment id {booked[1].pk}, entry id "
        f"{entries[2].pk} (#3): entries before it are missing (#2): deleted"
    ]


def test_a_deleted_last_entry_is_caught_by_the_checkpoint(
    booked: list[Assignment],
) -> None:
    verify()
    [checkpoint] = ChainCheckpoint.objects.all()
    entries = chain(booked[1])
    sql("DELETE FROM coverage_ledgerentry WHERE id = %s", [entries[-1].pk])

    err, _ = broken()

    assert err.splitlines() == [
        f"BROKEN  Premium ledger, chain assignment id {booked[1].pk}, entry id "
        f"{entries[-1].pk} (#4): recorded as the chain's head at checkpoint "
        f"{checkpoint.pk}, is gone; the chain now ends at #3"
    ]
    assert ChainCheckpoint.objects.count() == 1


def test_a_changed_audit_entry_is_reported(booked: list[Assignment]) -> None:
    job = WorkJob.objects.get(name="Job 2")
    [entry] = AuditEntry.objects.filter(object_type="Work job", object_id=job.public_id)
    sql(
        "UPDATE policies_auditentry SET changes = "
        "jsonb_set(changes, '{0,new}', '\"100.00\"') WHERE id = %s",
        [entry.pk],
    )

    err, _ = broken()

    assert err.splitlines() == [
        f"BROKEN  Audit history, chain Work job {job.public_id}, entry id {entry.pk} "
        f"(#{entry.chain_seq}): its content no longer matches its hash: changed after "
        "writing"
    ]


def test_the_mutable_links_of_an_audit_entry_are_not_hashed(
    booked: list[Assignment],
) -> None:
    # Actor and policy are foreign keys that SET NULL (and policy is linked after
    # binding): clearing them is no tampering; the label still says who.
    sql(
        "UPDATE policies_auditentry SET actor_user_id = NULL, actor_key_id = NULL, policy_id = NULL"
    )
    out, _ = verify()
    assert "Intact." in out


def test_rewritten_checkpoints_fail_the_kept_digest(booked: list[Assignment]) -> None:
    verify()
    [checkpoint] = ChainCheckpoint.objects.all()
    sql(
        "UPDATE coverage_chainhead SET seq = seq - 1 WHERE id = (SELECT min(id) FROM coverage_chainhead)"
    )

    err, _ = broken("--expect-digest", checkpoint.digest)

    assert (
        f"checkpoint {checkpoint.pk} no longer matches its digest: the checkpoints "
        "were changed"
    ) in err


def test_entries_written_without_the_trigger_are_reported(
    booked: list[Assignment],
) -> None:
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending checks, before ALTER
    sql(
        "ALTER TABLE coverage_ledgerentry DISABLE TRIGGER coverage_ledgerentry_chain_trg"
    )
    [sneaked] = LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                assignment=booked[0],
                platform_id=booked[0].platform_id,
                contractor_id=booked[0].contractor_id,
                entity_id=booked[0].job.entity_id,
                kind=LedgerEntry.Kind.ADJUSTMENT,
                line="gl",
                amount=-50,
                books_on=booked[0].effective_at.date(),
            )
        ]
    )

    err, refused = broken()

    assert err.splitlines() == [
        "BROKEN  Premium ledger: the trigger coverage_ledgerentry_chain_trg is "
        "disabled: new entries are not chained",
        f"BROKEN  Premium ledger, chain assignment id {booked[0].pk}, entry id "
        f"{sneaked.pk}: not in its chain (written without the trigger)",
    ]
    assert "2 problem(s)" in str(refused)


def test_a_digest_no_checkpoint_has_is_reported(booked: list[Assignment]) -> None:
    verify()
    err, _ = broken("--expect-digest", "ab" * 32)
    assert err.splitlines() == [
        f"BROKEN  Checkpoints: no checkpoint has the digest {'ab' * 32}: the "
        "checkpoints were rewritten, or this database is older than that checkpoint"
    ]


def _load_copy_of(source: Assignment, *, longest: int) -> Assignment:
    """A new dispatch whose ledger is the lines of ``source`` copied by a bulk load
    (chained_insert_sql, the trigger off), as generate_scale_data writes its ledger."""
    copy = Assignment.objects.get(pk=source.pk)
    copy.pk, copy.public_id = None, ""
    copy.effective_at += timedelta(days=400)
    copy.end_at += timedelta(days=400)
    copy.save(force_insert=True)
    filled = {"chain_seq", "prev_hash", "entry_hash"}
    columns = [
        f.column for f in LedgerEntry._meta.concrete_fields if f.column not in filled
    ]
    picked = {
        "id": "nextval(pg_get_serial_sequence('coverage_ledgerentry', 'id'))",
        "assignment_id": "%s",
    }
    select = ", ".join(f'{picked.get(c, c)} AS "{c}"' for c in columns)
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending checks, before ALTER
    sql(f"ALTER TABLE coverage_ledgerentry DISABLE TRIGGER {LEDGER_CHAIN.trigger}")
    sql(
        chained_insert_sql(
            LEDGER_CHAIN,
            columns=columns,
            source=f"SELECT {select} FROM coverage_ledgerentry"
            f" WHERE assignment_id = {source.pk} ORDER BY id",
            longest=longest,
        ),
        [copy.pk],
    )
    sql(f"ALTER TABLE coverage_ledgerentry ENABLE TRIGGER {LEDGER_CHAIN.trigger}")
    sql("SET CONSTRAINTS ALL DEFERRED")  # as the test's transaction had them
    return copy


def test_a_bulk_load_chains_its_lines_as_the_trigger_does(
    booked: list[Assignment],
) -> None:
    source = max(booked, key=lambda a: len(chain(a)))
    lines = chain(source)
    assert len(lines) >= 3  # the folding of several predecessors is exercised
    copy = _load_copy_of(source, longest=len(lines))
    copied = chain(copy)
    assert [e.chain_seq for e in copied] == list(range(1, len(lines) + 1))
    assert [e.amount for e in copied] == [e.amount for e in lines]
    assert bytes(copied[0].prev_hash) == bytes(32)
    for before, after in zip(copied, copied[1:], strict=False):
        assert bytes(after.prev_hash) == bytes(before.entry_hash)
    out, err = verify()
    assert err == ""
    assert "in 4 chains (one per assignment)." in out


def test_a_bulk_load_leaves_a_line_beyond_its_longest_chain_unhashed(
    booked: list[Assignment],
) -> None:
    source = max(booked, key=lambda a: len(chain(a)))
    copy = _load_copy_of(source, longest=len(chain(source)) - 1)
    assert [e.entry_hash is None for e in chain(copy)][-2:] == [False, True]
    err, _ = broken()
    assert f"chain assignment id {copy.pk}" in err

"""The hash chains under concurrency, as a process, and across a backup and restore.

Racing writers of one chain stay one unbroken chain (the trigger serialises them),
writers of different chains never wait for each other, ``verify_ledger`` run as a
process answers with its exit status, and a pg_dump restored into a new database
verifies there with the same counts and the digest kept from the original.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction

from coverage.models import Assignment, LedgerEntry
from policies.models import AuditAction, AuditEntry
from policies.services.audit import record
from tests.coverage.helpers import ApiClient, approved_janitorial, make_entity
from tests.coverage.ledger_helpers import book_through_the_api
from tests.policies.helpers import contractor_product, make_contractor
from tests.reliability.pg_cluster import PG_BIN
from tests.reliability.servers import ROOT, database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_postgres"),
]

THREADS, ROUNDS = 8, 5


@pytest.fixture
def booked(platform, platform_key: str) -> list[Assignment]:
    contractor_product()
    return book_through_the_api(
        ApiClient(platform_key),
        platform=platform,
        contractor=make_contractor(platform, email="terry@example.com", state="NJ"),
        category=approved_janitorial(platform),
        entity=make_entity(platform),
    )


def manage(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url or database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def in_thread(
    work: Callable[[], None], errors: list[BaseException]
) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def post_lines(assignment: Assignment, cents: int) -> None:
    """Two ledger lines in one INSERT, by a writer that takes no lock of its own."""
    with transaction.atomic():
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                assignment_id=assignment.pk,
                platform_id=assignment.platform_id,
                contractor_id=assignment.contractor_id,
                entity_id=assignment.job.entity_id,
                kind=LedgerEntry.Kind.ADJUSTMENT,
                line=line,
                amount=amount,
                books_on=assignment.effective_at.date(),
            )
            for line, amount in (("wc", cents), ("gl", -cents))
        )


def audit_once(object_id: str, n: int) -> None:
    with transaction.atomic():
        record(
            by=None,
            action=AuditAction.CHANGED,
            txn=None,
            object_type="Work job",
            object_id=object_id,
            changes=[{"field": "name", "label": "Name", "old": None, "new": str(n)}],
        )


def test_racing_writers_of_one_chain_make_one_unbroken_chain(booked) -> None:
    assignment = Assignment.objects.select_related("job").get(pk=booked[2].pk)
    job_id = assignment.job.public_id
    before = LedgerEntry.objects.filter(assignment=assignment).count()
    audits_before = AuditEntry.objects.filter(object_id=job_id).count()
    start, errors = threading.Barrier(THREADS), []

    def writer(t: int) -> Callable[[], None]:
        def work() -> None:
            start.wait()
            for n in range(ROUNDS):
                post_lines(assignment, 100 + t)
                audit_once(job_id, t * 100 + n)

        return work

    threads = [in_thread(writer(t), errors) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []

    seqs = list(
        LedgerEntry.objects.filter(assignment=assignment)
        .order_by("chain_seq")
        .values_list("chain_seq", flat=True)
    )
    assert seqs == list(range(1, before + THREADS * ROUNDS * 2 + 1))
    audit_seqs = list(
        AuditEntry.objects.filter(object_type="Work job", object_id=job_id)
        .order_by("chain_seq")
        .values_list("chain_seq", flat=True)
    )
    assert audit_seqs == list(range(1, audits_before + THREADS * ROUNDS + 1))
    done = manage("verify_ledger")
    assert done.returncode == 0, done.stderr
    print(
        f"\n{THREADS} threads x {ROUNDS}: {len(seqs)} ledger entries and "
        f"{len(audit_seqs)} audit entries on one chain each, 0 errors, verified"
    )


def test_writers_of_different_chains_never_wait_for_each_other(booked) -> None:
    first, second, same = (
        Assignment.objects.select_related("job").get(pk=booked[n].pk) for n in (0, 1, 0)
    )
    holding, release, errors = threading.Event(), threading.Event(), []

    def hold_open() -> None:
        with transaction.atomic():
            post_lines(first, 5)
            audit_once("jb_first", 1)
            holding.set()
            release.wait(timeout=30)

    holder = in_thread(hold_open, errors)
    holder.start()
    assert holding.wait(timeout=30)
    try:
        finished: dict[str, float] = {}

        def timed(name: str, work: Callable[[], None]) -> threading.Thread:
            def run() -> None:
                began = time.monotonic()
                work()
                finished[name] = time.monotonic() - began

            thread = in_thread(run, errors)
            thread.start()
            return thread

        other = timed(
            "other chains", lambda: (post_lines(second, 6), audit_once("jb_second", 2))
        )
        other.join(timeout=10)
        assert "other chains" in finished, "a writer of another chain waited"
        waiting = timed("same chain", lambda: post_lines(same, 7))
        waiting.join(timeout=1.0)
        assert "same chain" not in finished  # it waits for the open transaction
    finally:
        release.set()
    holder.join(timeout=30)
    waiting.join(timeout=30)
    assert errors == [] and "same chain" in finished
    assert manage("verify_ledger").returncode == 0
    print(
        f"\nanother chain's write took {finished['other chains']:.3f} s while one was held"
    )


def test_the_command_as_a_process_answers_by_exit_status(booked) -> None:
    intact = manage("verify_ledger")
    assert intact.returncode == 0, intact.stderr
    assert "Intact. Checkpoint" in intact.stdout

    entry = LedgerEntry.objects.filter(assignment=booked[0]).order_by("chain_seq")[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE coverage_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk]
        )
    found = manage("verify_ledger")
    assert found.returncode == 1
    assert (
        f"BROKEN  Premium ledger, chain assignment id {booked[0].pk}, entry id "
        f"{entry.pk} (#1): its content no longer matches its hash" in found.stderr
    )
    assert "not intact: 1 problem(s)" in found.stderr


def test_a_restored_dump_verifies_with_the_same_counts(booked, tmp_path: Path) -> None:
    original = manage("verify_ledger")
    assert original.returncode == 0, original.stderr
    digest = original.stdout.split("Digest: ")[1].split()[0]
    counts = [line for line in original.stdout.splitlines() if " entries in " in line]
    assert len(counts) == 2

    name = connection.settings_dict["NAME"]
    restored = f"{name}_restored"
    dump = tmp_path / "portal.dump"
    host = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(
        [PG_BIN / "pg_dump", *host, "-Fc", "-f", dump, name], check=True, timeout=120
    )
    admin = database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        db.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            [PG_BIN / "pg_restore", *host, "--no-owner", "-d", restored, dump],
            check=True,
            timeout=300,
        )
        url = database_url().rsplit("/", 1)[0] + f"/{restored}"
        checked = manage("verify_ledger", "--expect-digest", digest, url=url)
        assert checked.returncode == 0, checked.stderr
        assert [
            line for line in checked.stdout.splitlines() if " entries in " in line
        ] == counts
        assert (
            "The expected digest is a checkpoint's, and still holds." in checked.stdout
        )
        # The restored database keeps chaining new entries.
        with psycopg.connect(url) as db:
            (triggers,) = db.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%chain_trg'"
            ).fetchone() or (0,)
        assert triggers == 2
        print(f"\nrestored: {counts[0]}; {counts[1]}")
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{restored}"')


def test_on_sqlite_the_command_says_it_verifies_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert manage("migrate", "--noinput", "-v0", url=url).returncode == 0
    done = manage("verify_ledger", url=url)
    assert done.returncode == 2
    assert "verify_ledger needs PostgreSQL" in done.stderr
    assert "Nothing was verified." in done.stderr

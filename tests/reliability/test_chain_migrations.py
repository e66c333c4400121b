"""Upgrading a database that holds ledger and audit rows from before the hash chains:
the migrations chain them (id order per chain) and ``verify_ledger`` passes."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coverage.models import Assignment, LedgerEntry
from policies.models import AuditEntry
from tests.coverage.helpers import ApiClient, approved_janitorial, make_entity
from tests.coverage.ledger_helpers import book_through_the_api
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_postgres"),
]

BEFORE_CHAINS = [
    ("coverage", "0015_merge_wave3"),
    ("policies", "0006_audit_everywhere"),
]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def latest() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def test_rows_from_before_the_chains_are_chained_by_the_migration(
    platform, platform_key: str, latest: None
) -> None:
    contractor_product()
    booked = book_through_the_api(
        ApiClient(platform_key),
        platform=platform,
        contractor=make_contractor(platform, email="terry@example.com", state="NJ"),
        category=approved_janitorial(platform),
        entity=make_entity(platform),
    )
    ids = {
        a.pk: list(
            LedgerEntry.objects.filter(assignment=a)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for a in booked
    }
    audits = AuditEntry.objects.count()

    migrate(BEFORE_CHAINS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE column_name = "
            "'chain_seq' AND table_name IN ('coverage_ledgerentry', 'policies_auditentry')"
        )
        assert cursor.fetchone() == (0,)
        # A row written by the old code, after the others: last in its chain.
        cursor.execute(
            "INSERT INTO coverage_ledgerentry (assignment_id, platform_id, contractor_id, "
            "entity_id, kind, line, amount, books_on, created_at) SELECT assignment_id, "
            "platform_id, contractor_id, entity_id, 'adjustment', line, 5, books_on, now() "
            "FROM coverage_ledgerentry WHERE assignment_id = %s LIMIT 1 RETURNING id",
            [booked[0].pk],
        )
        (late,) = cursor.fetchone()
    ids[booked[0].pk].append(late)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    for assignment in booked:
        chain = LedgerEntry.objects.filter(assignment=assignment).order_by("chain_seq")
        assert [e.pk for e in chain] == ids[assignment.pk]
        assert [e.chain_seq for e in chain] == list(
            range(1, len(ids[assignment.pk]) + 1)
        )
    assert not AuditEntry.objects.filter(entry_hash__isnull=True).exists()
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert f"Audit history: {audits} entries" in out.getvalue()
    assert (
        f"Premium ledger: {sum(map(len, ids.values()))} entries in 3 chains"
        in out.getvalue()
    )
    # New rows go on chaining after the back-filled ones.
    new = Assignment.objects.get(pk=booked[2].pk)
    assert LedgerEntry.objects.filter(assignment=new).count() > 0

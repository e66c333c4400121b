"""Upgrading a database that holds duplicate live dispatches from before the
one-dispatch-per-window rule: ``migrate`` stops with their list, ``manage.py
resolve_duplicate_dispatches`` cancels the later ones through the service (premium
reversed), and ``migrate`` then adds the rule. All three run as processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coverage.duplicate_dispatches import CONSTRAINT, constraint_exists
from coverage.models import Assignment, Event, LedgerEntry
from coverage.services.assignments import DUPLICATE_REASON
from tests.coverage.helpers import (
    ApiClient,
    approved_janitorial,
    bound_policy,
    make_job,
)
from tests.policies.helpers import contractor_product, make_contractor
from tests.reliability.servers import ROOT, database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_postgres"),
]

# What an installation from before the rule has not applied yet.
UNAPPLIED = [
    ("coverage", "0018_redundant_indexes"),
    ("coverage", "0017_one_dispatch_per_window_once_resolved"),
    ("coverage", "0016_ledger_hash_chain"),
    ("coverage", "0016_job_search_trigram_indexes"),
    ("coverage", "0017_premium_months"),
    ("coverage", "0016_premium_days"),
    ("coverage", "0015_merge_wave3"),
    ("coverage", "0013_assignment_one_dispatch_per_window"),
]


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def restore_latest() -> Iterator[None]:
    yield
    if not constraint_exists(connection):
        # A failed test leaves duplicates; clear them so the schema can be restored.
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE coverage_assignment CASCADE")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_duplicates_stop_the_migration_until_resolved(
    platform, platform_key: str, restore_latest: None
) -> None:
    contractor_product()
    category = approved_janitorial(platform)
    contractor = make_contractor(platform, email="terry@example.com", state="NJ")
    bound_policy(contractor, category=category)
    job = make_job(platform, category=category)
    api = ApiClient(platform_key)
    # The database before the rule: nothing stops a second, identical dispatch.
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE coverage_assignment DROP CONSTRAINT {CONSTRAINT}")
    body = {"contractor": contractor.public_id, "job": job.public_id}
    kept, duplicate = (api.post("/assignments", body).json()["id"] for _ in range(2))
    executor = MigrationExecutor(connection)
    executor.migrate(
        [], plan=[(executor.loader.graph.nodes[key], True) for key in UNAPPLIED]
    )

    stopped = manage("migrate", "--noinput")

    assert stopped.returncode == 1
    assert "coverage.0013: 1 duplicate live dispatch(es)" in stopped.stderr
    assert (
        "CommandError: 1 duplicate live dispatch(es): the same contractor on the "
        "same job in overlapping windows" in stopped.stderr
    )
    assert (
        f"  {duplicate} duplicates {kept} (contractor {contractor.public_id}, job "
        f"{job.public_id}, " in stopped.stderr
    )
    assert "Run `manage.py resolve_duplicate_dispatches`" in stopped.stderr
    assert not constraint_exists(connection)

    resolved = manage("resolve_duplicate_dispatches")

    assert resolved.returncode == 0, resolved.stderr
    assert f"Cancelled {duplicate} duplicates {kept}" in resolved.stdout
    assert "1 duplicate dispatch(es) cancelled; none remain." in resolved.stdout
    cancelled = Assignment.objects.get(public_id=duplicate)
    assert cancelled.cancellation_reason == DUPLICATE_REASON
    assert cancelled.premium == 0
    reversals = LedgerEntry.objects.filter(assignment=cancelled, kind="reversal")
    assert sum(e.amount for e in reversals) == -1016
    assert Event.objects.filter(type="assignment.cancelled").count() == 1
    assert Assignment.objects.get(public_id=kept).cancelled_at is None

    migrated = manage("migrate", "--noinput")

    assert migrated.returncode == 0, migrated.stderr
    assert constraint_exists(connection)
    again = api.post("/assignments", body)
    assert again.status_code == 409
    assert manage("verify_ledger").returncode == 0


def test_without_duplicates_the_command_has_nothing_to_do(platform) -> None:
    done = manage("resolve_duplicate_dispatches", "--dry-run")
    assert done.returncode == 0 and "No duplicate dispatches." in done.stdout

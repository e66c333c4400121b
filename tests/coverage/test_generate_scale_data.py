"""`manage.py generate_scale_data` at a small size: every invariant the big set needs.

Counts, the ledger summing to the dispatches' premiums, each dispatch on its
contractor's policy in force and its job's customer, every index and constraint back
(the exclusion constraint refusing an overlapping dispatch through the API), and the
API, the board and the premium report reading the generated rows.
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from coverage.models import Assignment, Certificate, LedgerEntry, WorkJob
from coverage.scaledata.load import BULK_TABLES
from coverage.selectors.premium import premium_report
from portal.models import Platform, Role, User
from tests.conftest import bearer, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requires_postgres")]

COUNT = 2_000
PUBLIC_ID = re.compile(r"^[a-z]{2}_[0-9A-Za-z]{10}$")
NUMBER = re.compile(r"^COI-[0-9A-HJKMNP-TV-Z]{26}$")


def constraints() -> set[tuple[str, str, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, convalidated FROM pg_constraint"
            " WHERE conrelid::regclass::text = ANY(%s)",
            [BULK_TABLES],
        )
        return set(cursor.fetchall())


def indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
            [BULK_TABLES],
        )
        return set(cursor.fetchall())


@pytest.fixture
def generated() -> tuple[Platform, str]:
    before = (constraints(), indexes())
    out = io.StringIO()
    call_command("generate_scale_data", "--assignments", str(COUNT), stdout=out)
    # Dropped for the load and built again, each from its own definition.
    assert (constraints(), indexes()) == before
    assert all(valid for _, _, valid in constraints())
    key = out.getvalue().strip().splitlines()[-1]
    return Platform.objects.get(name="Scale test platform"), key


def test_counts_and_the_ledger_sum_to_the_premiums(generated) -> None:
    platform, _ = generated
    dispatches = Assignment.objects.filter(platform=platform)
    # The six templates made through the services, and the clones.
    assert dispatches.count() == COUNT + 6
    assert LedgerEntry.objects.filter(platform=platform).count() == 2 * (COUNT + 6)
    assert Certificate.objects.filter(platform=platform).count() == 2 * (COUNT + 6)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM coverage_assignment a LEFT JOIN ("
            " SELECT assignment_id, sum(amount) AS booked, count(*) AS n"
            " FROM coverage_ledgerentry GROUP BY assignment_id) l"
            " ON l.assignment_id = a.id"
            " WHERE a.platform_id = %s AND (l.booked IS DISTINCT FROM a.premium OR l.n <> 2)",
            [platform.pk],
        )
        assert cursor.fetchone()[0] == 0
        # Each dispatch: its contractor's policy in force over the window, its job's
        # customer on its ledger lines, certificates of that policy over its window.
        cursor.execute(
            "SELECT count(*) FROM coverage_assignment a"
            " JOIN policies_policy p ON p.id = a.policy_id"
            " JOIN coverage_workjob j ON j.id = a.job_id"
            " WHERE a.platform_id = %s AND (p.contractor_id <> a.contractor_id"
            " OR p.effective_at > a.effective_at OR p.expires_at < a.end_at"
            " OR EXISTS (SELECT 1 FROM coverage_ledgerentry l WHERE l.assignment_id = a.id"
            "   AND (l.entity_id <> j.entity_id OR l.contractor_id <> a.contractor_id"
            "   OR l.books_on <> (a.effective_at AT TIME ZONE 'UTC')::date))"
            " OR EXISTS (SELECT 1 FROM coverage_certificate c WHERE c.assignment_id = a.id"
            "   AND (c.policy_id <> a.policy_id OR c.effective_at <> a.effective_at"
            "   OR c.end_at <> a.end_at OR c.status <> 'issued')))",
            [platform.pk],
        )
        assert cursor.fetchone()[0] == 0
    # The clones are rendered; the templates' twelve are left to the render sweeper.
    pending = Certificate.objects.filter(platform=platform, render_pending=True)
    assert pending.count() == 12
    # Three years of dispatches, ending a week ahead.
    first = dispatches.order_by("effective_at").first()
    last = dispatches.order_by("-effective_at").first()
    assert timedelta(days=1080) < last.effective_at - first.effective_at
    ids = list(dispatches.values_list("public_id", flat=True)[:500])
    assert all(PUBLIC_ID.match(pid) for pid in ids)
    numbers = Certificate.objects.filter(platform=platform).values_list(
        "number", flat=True
    )[:500]
    assert all(NUMBER.match(number) for number in numbers)


def test_the_api_the_board_and_the_report_read_the_rows(generated) -> None:
    platform, key = generated
    api = Client(headers=bearer(key))
    listed = api.get("/api/v1/assignments", {"limit": 100})
    assert listed.status_code == 200 and len(listed.json()) == 100
    one = api.get(f"/api/v1/assignments/{listed.json()[-1]['id']}")
    assert one.status_code == 200
    assert one.json()["eligible"]["result"] is True
    busiest = (
        Assignment.objects.filter(platform=platform).order_by("-effective_at").first()
    )
    user = User.objects.create_user(
        username="scaler", password="x", role=Role.DISPATCHER, platform=platform
    )
    day = busiest.effective_at.date()
    page = sign_in(Client(), user).get("/board/", {"day": day.isoformat()})
    assert page.status_code == 200
    assert busiest.public_id in page.content.decode()
    month = day.replace(day=1) - timedelta(days=60)
    report = premium_report(
        platform=platform, start=month.replace(day=1), end=month.replace(day=28)
    )
    assert report.entries > 0 and report.reconciled


def test_the_exclusion_constraint_is_back(generated) -> None:
    platform, key = generated
    taken = (
        Assignment.objects.filter(platform=platform)
        .order_by("-effective_at")
        .select_related("contractor", "job")
        .first()
    )
    body = {
        "contractor": taken.contractor.public_id,
        "job": taken.job.public_id,
        "effective_date": int(taken.effective_at.timestamp()),
        "end_date": int(taken.work_end_at.timestamp()),
    }
    again = Client(headers=bearer(key)).post(
        "/api/v1/assignments", json.dumps(body), content_type="application/json"
    )
    assert again.status_code in (400, 409), again.content
    assert "window" in again.json()["message"] or "already" in again.json()["message"]


def test_refuses_a_platform_that_exists(generated) -> None:
    with pytest.raises(CommandError, match="exists"):
        call_command("generate_scale_data", "--assignments", "10")
    assert WorkJob.objects.filter(name="Template job 0").count() == 1


def test_the_generated_ledger_is_chained(generated) -> None:
    """The load writes the ledger with its chain trigger off, each line chained in
    the INSERT that writes it; verify_ledger finds every chain intact (the hashes are
    the trigger's) and the trigger back on."""
    from coverage.models import LedgerEntry

    out = io.StringIO()
    call_command("verify_ledger", "--no-checkpoint", stdout=out, stderr=io.StringIO())
    assert "Intact." in out.getvalue()
    assert not LedgerEntry.objects.filter(chain_seq__isnull=True).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = %s",
            ["coverage_ledgerentry_chain_trg"],
        )
        assert cursor.fetchone() == ("O",)

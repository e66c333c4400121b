"""POST /api/v1/assignments writes a covered dispatch in a handful of SQL statements,
with the work for after the commit (PDF renders) written in the same transaction."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from coverage.models import (
    Assignment,
    CategoryCode,
    Certificate,
    Contractor,
    Delivery,
    Event,
    LedgerEntry,
    WorkJob,
)
from coverage.webhooks import endpoints
from portal import queues
from tests.coverage.helpers import ApiClient, bound_policy

pytestmark = pytest.mark.django_db

PRODUCTION_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": list(queues.ALL),
    }
}

# What a covered dispatch with a new idempotency key costs, statement by statement
# (BEGIN and COMMIT aside). Each name comes with words of the statement it stands for.
STATEMENTS = [
    ("api key", ["portal_apikey"]),
    ("idempotency key claimed (INSERT … ON CONFLICT DO NOTHING)", ["ON CONFLICT"]),
    ("job locked, with its category's approval", ["coverage_categorycode_approved"]),
    (
        # What eligibility and rating read, as JSON aggregations on the locked row
        # (coverage.services.dispatch_reads).
        "contractor locked, with billing mode, webhook presence, its live policies,"
        " its approved own certificates and the rate book's classes and rates",
        [
            "coverage_webhook",
            '"policies_policy"',
            '"coverage_uploadedcertificate"',
            '"coverage_classmapping"',
            "FOR UPDATE",
        ],
    ),
    ("the assignment, premium included", ['INSERT INTO "coverage_assignment"']),
    ("its ledger charges, one INSERT", ['INSERT INTO "coverage_ledgerentry"']),
    ("its certificates, one INSERT", ['INSERT INTO "coverage_certificate"']),
    ("one render task for both certificates (the outbox)", ["django_tasks_database"]),
    ("assignment.created + assignment.active, one INSERT", ['INTO "coverage_event"']),
    ("the response stored for the key", ['UPDATE "portal_idempotencyrecord"']),
]


def post(api: ApiClient, contractor: Contractor, job: WorkJob, key: str):
    return api.post(
        "/assignments",
        {"contractor": contractor.public_id, "job": job.public_id},
        **{"Ten99Policy-Idempotent-Key": key},
    )


def statements(captured: CaptureQueriesContext) -> list[str]:
    # The test's own transaction turns the request's BEGIN/COMMIT into a savepoint.
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.fixture
def covered(contractor: Contractor, category: CategoryCode, product) -> None:
    bound_policy(contractor, category=category)


def test_a_covered_dispatch_is_written_in_ten_statements(
    api: ApiClient, contractor: Contractor, job: WorkJob, covered: None, settings
) -> None:
    settings.TASKS = PRODUCTION_TASKS
    api.get("/entities")  # stamps the key's last use, a write made once a minute
    with CaptureQueriesContext(connection) as captured:
        response = post(api, contractor, job, "k-1")
    assert response.status_code == 201, response.content
    sent = statements(captured)
    assert len(sent) == len(STATEMENTS) == 10, "\n".join(sent)
    for sql, (name, words) in zip(sent, STATEMENTS, strict=True):
        for word in words:
            assert word in sql, f"{name}: {word} not in {sql[:200]}"

    body = response.json()
    assignment = Assignment.objects.get(public_id=body["id"])
    # Everything the statements wrote says the same thing.
    assert body["premium"] == assignment.premium > 0
    assert sum(e.amount for e in LedgerEntry.objects.all()) == assignment.premium
    numbers = sorted(c.number for c in Certificate.objects.all())
    assert len(numbers) == 2 and len(body["certificates"]) == 2
    assert all(any(n in url for n in numbers) for url in body["certificates"].values())
    types = list(Event.objects.order_by("pk").values_list("type", flat=True))
    assert types == ["assignment.created", "assignment.active"]
    for event in Event.objects.all():
        assert event.data["certificates"] == body["certificates"]
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "coverage.certificates.rendering.render_certificates"
    assert sorted(task.args_kwargs["args"][0]) == sorted(
        Certificate.objects.values_list("pk", flat=True)
    )


def test_a_subscribed_platform_adds_its_deliveries_and_their_tasks(
    api: ApiClient,
    contractor: Contractor,
    job: WorkJob,
    covered: None,
    platform,
    settings,
) -> None:
    settings.TASKS = PRODUCTION_TASKS
    endpoints.create_endpoint(platform=platform, url="https://hooks.example.com/x")
    api.get("/entities")
    with CaptureQueriesContext(connection) as captured:
        response = post(api, contractor, job, "k-2")
    assert response.status_code == 201
    sent = statements(captured)
    # The endpoints come with the contractor's locking read (no read of their own);
    # + one INSERT of both deliveries, + their two task rows.
    assert len(sent) == len(STATEMENTS) + 3, "\n".join(sent)
    assert '"coverage_webhookendpoint"' in sent[3] and "FOR UPDATE" in sent[3]
    assert 'INSERT INTO "coverage_delivery"' in sent[-4]
    assert Delivery.objects.filter(event__type__startswith="assignment.").count() == 2
    assert (
        DBTaskResult.objects.filter(
            task_path="coverage.webhooks.delivery.deliver"
        ).count()
        == 2
    )


def test_a_rolled_back_dispatch_leaves_no_task(
    api: ApiClient, contractor: Contractor, job: WorkJob, covered: None, settings
) -> None:
    settings.TASKS = PRODUCTION_TASKS
    # A refused dispatch (an unknown job, found after the contractor was locked)
    # keeps nothing: no assignment, no task.
    response = api.post(
        "/assignments",
        {"contractor": contractor.public_id, "job": "jb_unknown"},
        **{"Ten99Policy-Idempotent-Key": "k-3"},
    )
    assert response.status_code == 404
    assert not DBTaskResult.objects.exists() and not Assignment.objects.exists()


def test_the_pre_read_rates_a_residence_as_rating_reads_it(
    api: ApiClient, contractor: Contractor, job: WorkJob, covered: None, settings
) -> None:
    settings.TASKS = PRODUCTION_TASKS
    api.get("/entities")
    plain = post(api, contractor, job, "k-4").json()
    assert plain["eligible"]["result"] is True
    # Rating reads "nj" as NJ (portal.jurisdictions.normalize_state); so does the
    # locking read's rate-book subquery (UPPER(TRIM(…))), so nothing is read again.
    Contractor.objects.filter(pk=contractor.pk).update(address_region="nj")
    with CaptureQueriesContext(connection) as captured:
        # The window after the first one (one live dispatch per window).
        response = api.post(
            "/assignments",
            {
                "contractor": contractor.public_id,
                "job": job.public_id,
                "effective_date": plain["end_date"],
            },
            **{"Ten99Policy-Idempotent-Key": "k-5"},
        )
    assert response.status_code == 201, response.content
    assert len(statements(captured)) == len(STATEMENTS)
    body = response.json()
    assert body["eligible"]["result"] is True
    assert (body["premium"], body["rating"]) == (plain["premium"], plain["rating"])

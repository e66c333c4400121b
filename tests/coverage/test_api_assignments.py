"""/api/v1/assignments: eligibility recorded on every dispatch, premium on the ledger."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from coverage.models import (
    Assignment,
    CategoryCode,
    Contractor,
    LedgerEntry,
    LedgerIsAppendOnly,
    WorkJob,
)
from coverage.services import create_invoice, eligibility, ledger, mark_invoice_paid
from coverage.services.assignments import (
    ASSIGNMENT_CANCELLED,
    CANCEL_AFTER_START,
    JOB_INVOICE_PAID,
    NO_ASSIGNMENT_FOR_JOB,
    USE_EXTEND,
)
from coverage.services.dates import END_TOO_FAR, EXTEND_SHORTENS, next_day
from policies.models import Policy
from policies.services import cancel_policy
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.helpers import (
    GL,
    WC,
    ApiClient,
    approved_janitorial,
    bound_policy,
    event_types,
    make_entity,
    make_job,
)
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db

# $200 of pay at NJ's net rates: WC 413 → 826¢, GL 95 → 190¢.
WC_PREMIUM, GL_PREMIUM = 826, 190


@pytest.fixture
def policy(contractor: Contractor, category: CategoryCode, product) -> Policy:
    return bound_policy(contractor, category=category)


def dispatch(api: ApiClient, contractor: Contractor, job: WorkJob, **body):
    return api.post(
        "/assignments",
        {"contractor": contractor.public_id, "job": job.public_id, **body},
    )


def entries(assignment_id: str) -> list[tuple[str, str, int, str]]:
    return [
        (e.kind, e.line, e.amount, e.books_on.isoformat())
        for e in LedgerEntry.objects.filter(
            assignment__public_id=assignment_id
        ).order_by("pk")
    ]


class TestCreate:
    def test_an_eligible_dispatch_is_covered_and_charged(
        self,
        api: ApiClient,
        contractor: Contractor,
        job: WorkJob,
        policy: Policy,
        platform,
    ) -> None:
        response = dispatch(api, contractor, job)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["id"].startswith("an_")
        assert body["eligible"] == {"result": True, "message": eligibility.ELIGIBLE}
        assert body["policy"] == policy.public_id
        assert body["bind"] is True
        assert body["coverage_type"] == [WC, GL]
        assert body["net_rate"] == 508
        assert body["rating"]["wc"] == {
            "state": "NJ",
            "class_code": "9410",
            "rate": "412.50",
            "net_rate": 413,
        }
        assert body["premium"] == WC_PREMIUM + GL_PREMIUM
        assert body["cancelled"] is False and body["cancellation_date"] is None
        day = next_day(timezone.now()).date().isoformat()
        assert sorted(entries(body["id"])) == [
            ("charge", GL, GL_PREMIUM, day),
            ("charge", WC, WC_PREMIUM, day),
        ]
        assert event_types(platform) == ["assignment.created", "assignment.active"]

    def test_routing_at_dispatch_prices_pennsylvania_work_at_9405(
        self, api: ApiClient, contractor: Contractor, category, platform, product
    ) -> None:
        bound_policy(contractor, category=category, lines=[WC], wc_state="PA")
        pa_job = make_job(platform, category=category, state="PA")
        body = dispatch(api, contractor, pa_job).json()
        assert body["rating"] == {
            "wc": {
                "state": "PA",
                "class_code": "9405",
                "rate": "287.00",
                "net_rate": 287,
            }
        }
        assert body["premium"] == 574

    def test_sdk_aliases_and_explicit_policy(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        response = api.post(
            "/assignments",
            {
                "contractor_id": contractor.public_id,
                "job_id": job.public_id,
                "policy": policy.public_id,
                "coverage_type": [GL],
            },
        )
        assert response.status_code == 201
        assert response.json()["premium"] == GL_PREMIUM

    def test_bind_false_records_eligibility_without_coverage_or_charge(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        body = dispatch(api, contractor, job, bind=False).json()
        assert body["eligible"]["result"] is True
        assert (body["policy"], body["premium"], body["bind"]) == (None, 0, False)
        assert body["net_rate"] == 508
        assert entries(body["id"]) == []

    def test_an_ineligible_dispatch_is_recorded_without_premium(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, platform
    ) -> None:
        response = dispatch(api, contractor, job, coverage_type=[WC])
        assert response.status_code == 201
        body = response.json()
        assert body["eligible"] == {
            "result": False,
            "message": eligibility.NO_ACTIVE_POLICY,
        }
        assert (body["policy"], body["premium"], body["rating"]) == (None, 0, None)
        assert entries(body["id"]) == []
        assert event_types(platform) == ["assignment.created"]


@pytest.mark.parametrize(
    "message",
    list(eligibility.MESSAGES),
    ids=lambda m: m[:40],
)
def test_every_eligibility_message_through_the_api(
    api: ApiClient,
    contractor: Contractor,
    job: WorkJob,
    category: CategoryCode,
    platform: Platform,
    product,
    message: str,
) -> None:
    """Each message of seed 000's table (and the category mismatch) is reachable by a POST."""
    lines: list[str] | None = None
    if message != eligibility.NO_ACTIVE_POLICY:
        policy = bound_policy(contractor, category=category)
    if message == eligibility.NO_JOB_CATEGORY:
        WorkJob.objects.filter(pk=job.pk).update(category_code=None)
    elif message == eligibility.INVALID_JOB_CATEGORY:
        category.approved_platforms.clear()
    elif message == eligibility.NO_ADDRESS:
        WorkJob.objects.filter(pk=job.pk).update(address_region="")
        lines = [WC]
    elif message == eligibility.RESIDENCE_STATE_MISMATCH:
        Contractor.objects.filter(pk=contractor.pk).update(address_region="PA")
    elif message == eligibility.WORK_STATE_MISMATCH:
        WorkJob.objects.filter(pk=job.pk).update(address_region="PA")
    elif message == eligibility.NO_ACTIVE_POLICY_STATES:
        Contractor.objects.filter(pk=contractor.pk).update(address_region="PA")
        WorkJob.objects.filter(pk=job.pk).update(address_region="PA")
    elif message == eligibility.NO_COVERAGE:
        cancel_policy(policy=policy)
        bound_policy(contractor, category=category, lines=[GL])
        lines = [WC]
    elif message == eligibility.POLICY_AFTER_ASSIGNMENT:
        cancel_policy(policy=policy)
        bound_policy(
            contractor, category=category, starts=timezone.now() + timedelta(days=9)
        )
    elif message == eligibility.CATEGORY_MISMATCH:
        other = CategoryCode.objects.create(name="Window cleaning")
        other.approved_platforms.add(platform)
        WorkJob.objects.filter(pk=job.pk).update(category_code=other)
    body = {"coverage_type": lines} if lines else {}
    response = dispatch(api, contractor, job, **body)
    assert response.status_code == 201
    assert response.json()["eligible"] == {
        "result": message == eligibility.ELIGIBLE,
        "message": message,
    }


class TestUpdate:
    def test_fewer_lines_post_an_adjustment(
        self,
        api: ApiClient,
        contractor: Contractor,
        job: WorkJob,
        policy: Policy,
        platform,
    ) -> None:
        an = dispatch(api, contractor, job).json()["id"]
        body = api.put(f"/assignments/{an}", {"coverage_type": [GL]}).json()
        assert body["premium"] == GL_PREMIUM
        assert entries(an)[-1][:3] == ("adjustment", WC, -WC_PREMIUM)
        assert event_types(platform)[-1] == "assignment.updated"

    def test_a_moved_start_moves_the_premium_to_its_new_day(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        first = dispatch(api, contractor, job).json()
        new_start = first["effective_date"] + 2 * 86400
        body = api.put(
            f"/assignments/{first['id']}", {"effective_date": new_start}
        ).json()
        assert body["end_date"] - body["effective_date"] == (
            first["end_date"] - first["effective_date"]
        )
        old_day = next_day(timezone.now()).date()
        new_day = old_day + timedelta(days=2)
        moved = [e for e in entries(first["id"]) if e[0] == "adjustment"]
        assert sorted(moved) == sorted(
            [
                ("adjustment", WC, -WC_PREMIUM, old_day.isoformat()),
                ("adjustment", GL, -GL_PREMIUM, old_day.isoformat()),
                ("adjustment", WC, WC_PREMIUM, new_day.isoformat()),
                ("adjustment", GL, GL_PREMIUM, new_day.isoformat()),
            ]
        )
        assert ledger.total(platform=policy.platform, on=old_day) == 0
        assert ledger.total(platform=policy.platform, on=new_day) == 1016

    def test_a_new_wage_reprices_covered_assignments(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        an = dispatch(api, contractor, job).json()["id"]
        api.put(f"/jobs/{job.public_id}", {"wage": 30000})
        assert api.get(f"/assignments/{an}").json()["premium"] == 1239 + 285
        assert [e[:3] for e in entries(an)[2:]] == [
            ("adjustment", GL, 95),
            ("adjustment", WC, 413),
        ]

    def test_the_end_of_a_bound_assignment_moves_only_by_extend(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        body = dispatch(api, contractor, job).json()
        response = api.put(
            f"/assignments/{body['id']}", {"end_date": body["end_date"] + 86400}
        )
        assert response.json() == {"message": USE_EXTEND, "error_code": "invalid_input"}

    def test_binding_later_charges_then(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        an = dispatch(api, contractor, job, bind=False).json()["id"]
        body = api.put(f"/assignments/{an}", {"bind": True}).json()
        assert (body["policy"], body["premium"]) == (policy.public_id, 1016)
        assert {e[0] for e in entries(an)} == {"charge"}


class TestCancel:
    def test_before_the_start_it_cancels_and_reverses(
        self,
        api: ApiClient,
        contractor: Contractor,
        job: WorkJob,
        policy: Policy,
        platform,
    ) -> None:
        an = dispatch(api, contractor, job).json()["id"]
        body = api.post(
            "/assignments/cancel", {"job_id": job.public_id, "reason": "client_request"}
        ).json()
        assert body["id"] == an
        assert body["cancelled"] is True
        assert body["cancellation_reason"] == "client_request"
        assert isinstance(body["cancellation_date"], int)
        assert body["premium"] == 0
        assert sorted(e[:3] for e in entries(an) if e[0] == "reversal") == [
            ("reversal", GL, -GL_PREMIUM),
            ("reversal", WC, -WC_PREMIUM),
        ]
        assert event_types(platform)[-1] == "assignment.cancelled"
        refused = api.put(f"/assignments/{an}", {"bind": False})
        assert refused.json() == {
            "message": ASSIGNMENT_CANCELLED,
            "error_code": "invalid_input",
        }

    def test_after_the_start_it_is_refused(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        an = dispatch(api, contractor, job).json()["id"]
        Assignment.objects.filter(public_id=an).update(
            effective_at=timezone.now() - timedelta(minutes=1)
        )
        response = api.post("/assignments/cancel", {"job_id": job.public_id})
        assert response.json() == {
            "message": CANCEL_AFTER_START,
            "error_code": "invalid_input",
        }

    def test_a_job_without_assignment_or_unknown_job_is_404(
        self, api: ApiClient, job: WorkJob
    ) -> None:
        none = api.post("/assignments/cancel", {"job_id": job.public_id})
        assert none.status_code == 404
        assert none.json() == {
            "message": NO_ASSIGNMENT_FOR_JOB,
            "error_code": "invalid_assignment_id",
        }
        unknown = api.post("/assignments/cancel", {"job_id": "jb_nope"})
        assert unknown.status_code == 404
        assert unknown.json()["error_code"] == "invalid_job_id"


class TestExtend:
    def test_it_moves_the_end_later_or_leaves_it(
        self,
        api: ApiClient,
        contractor: Contractor,
        job: WorkJob,
        policy: Policy,
        platform,
    ) -> None:
        body = dispatch(api, contractor, job).json()
        later = body["end_date"] + 7 * 86400
        extended = api.post(
            "/assignments/extend", {"job_id": body["job"], "end_date": later}
        ).json()
        assert extended["end_date"] == later
        assert extended["premium"] == body["premium"]
        same = api.post(
            "/assignments/extend", {"job_id": body["job"], "end_date": later}
        )
        assert same.status_code == 200 and same.json()["end_date"] == later
        assert event_types(platform).count("assignment.updated") == 1

    def test_it_never_shortens_and_stays_within_a_year(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        body = dispatch(api, contractor, job).json()
        shorter = api.post(
            "/assignments/extend",
            {"job_id": job.public_id, "end_date": body["end_date"] - 86400},
        )
        assert shorter.json() == {
            "message": EXTEND_SHORTENS,
            "error_code": "end_date_invalid",
        }
        too_far = api.post(
            "/assignments/extend",
            {"job_id": job.public_id, "end_date": body["effective_date"] + 366 * 86400},
        )
        assert too_far.json() == {
            "message": END_TOO_FAR,
            "error_code": "end_date_invalid",
        }


class TestDelete:
    def test_delete_reverses_and_hides_it(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        an = dispatch(api, contractor, job).json()["id"]
        body = api.delete(f"/assignments/{an}").json()
        assert (body["id"], body["object"], body["deleted"]) == (an, "assignment", True)
        assert sum(e[2] for e in entries(an)) == 0
        assert api.get(f"/assignments/{an}").status_code == 404
        assert api.delete(f"/assignments/{an}").status_code == 404

    def test_a_paid_invoice_on_the_job_freezes_its_assignments(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        an = dispatch(api, contractor, job).json()["id"]
        now = timezone.now()
        invoice = create_invoice(
            contractor=contractor,
            job=job,
            gross_pay=50000,
            paycycle_start=now - timedelta(days=1),
            paycycle_end=now,
        )
        mark_invoice_paid(invoice=invoice, at=now)
        for response in (
            api.delete(f"/assignments/{an}"),
            api.put(f"/assignments/{an}", {"coverage_type": [GL]}),
        ):
            assert response.json() == {
                "message": JOB_INVOICE_PAID,
                "error_code": "invoice_already_paid",
            }


def test_ledger_totals_reconcile_to_the_cent(
    api: ApiClient,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
    platform: Platform,
    category: CategoryCode,
) -> None:
    """Charges, an adjustment and a reversal; every total is the sum of what stands."""
    colleague = make_contractor(platform, email="pat@example.com")
    bound_policy(colleague, category=category)
    other_entity = make_entity(platform, name="Riverside Offices")
    other_job = make_job(platform, category=category, entity=other_entity, wage=12345)
    a = dispatch(api, contractor, job).json()  # 826 + 190
    b = dispatch(
        api, colleague, other_job
    ).json()  # 12345 × 413 / 1e4 → 510, × 95 → 117
    c = dispatch(api, colleague, job).json()  # 826 + 190
    api.put(f"/assignments/{a['id']}", {"coverage_type": [WC]})  # −190
    api.post("/assignments/cancel", {"job_id": other_job.public_id})  # b: −627
    day = next_day(timezone.now()).date()
    assert b["premium"] == 510 + 117
    assert ledger.total(platform=platform) == 826 + 1016
    assert ledger.total(platform=platform, on=day) == 826 + 1016
    assert ledger.total(platform=platform, on=day + timedelta(days=1)) == 0
    assert ledger.total(platform=platform, contractor=contractor) == 826
    assert ledger.total(platform=platform, contractor=colleague) == 1016
    assert ledger.total(platform=platform, entity=job.entity) == 826 + 1016
    assert ledger.total(platform=platform, entity=other_entity) == 0
    premiums = Assignment.objects.filter(platform=platform).values_list(
        "premium", flat=True
    )
    assert sum(premiums) == ledger.total(platform=platform)
    assert c["premium"] == 1016


def test_ledger_entries_are_never_changed_or_deleted(
    api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
) -> None:
    dispatch(api, contractor, job)
    entry = LedgerEntry.objects.first()
    entry.amount = 1
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.update(amount=0)
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_racing_creates_with_one_key_make_one_assignment_and_one_charge(
    requires_postgres: None, platform: Platform, platform_key: str
) -> None:
    category = approved_janitorial(platform)
    contractor_product()
    contractor = make_contractor(platform)
    job = make_job(platform, category=category)
    bound_policy(contractor, category=category)
    body = f'{{"contractor": "{contractor.public_id}", "job": "{job.public_id}"}}'
    barrier = threading.Barrier(10)
    responses: list = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            response = Client().post(
                "/api/v1/assignments",
                body,
                content_type="application/json",
                headers={
                    **bearer(platform_key),
                    "Ten99Policy-Idempotent-Key": "dispatch-4711",
                    # The SDK's random per-call key must not split the race.
                    "Idempotency-Key": str(threading.get_ident()),
                },
            )
            with lock:
                responses.append(response)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert len(responses) == 10
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert Assignment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="charge").count() == 2
    assert ledger.total(platform=platform) == 1016

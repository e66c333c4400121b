"""Coverage follows the work (issue 12): every change re-decides the dispatches it touches,
and premium is rated on the pay the work earns. Through /api/v1, on the database in use
(the race needs PostgreSQL)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage.models import (
    Assignment,
    CategoryCode,
    Certificate,
    Contractor,
    LedgerEntry,
    WorkJob,
)
from coverage.services import delete_policy, eligibility, ledger
from coverage.services.dates import next_day
from coverage.services.jobs import DURATION_OUT_OF_RANGE
from policies.models import Policy
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.helpers import (
    GL,
    WC,
    ApiClient,
    approved_janitorial,
    bound_policy,
    event_types,
    make_job,
    unix,
)
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db

# $200 of pay. NJ: WC 412.50 → net 413 → 826¢, GL 95.25 → 95 → 190¢.
# PA: WC 287.00 → 287 → 574¢.
NJ_WC, NJ_GL, PA_WC = 826, 190, 574
PA_ADDRESS = {"line1": "5 Market St", "locality": "Philadelphia", "region": "PA"}


@pytest.fixture
def policy(contractor: Contractor, category: CategoryCode, product) -> Policy:
    return bound_policy(contractor, category=category)


def dispatch(api: ApiClient, contractor: Contractor, job: WorkJob, **body):
    response = api.post(
        "/assignments",
        {"contractor": contractor.public_id, "job": job.public_id, **body},
    )
    assert response.status_code == 201, response.content
    return response.json()


def in_force(assignment_id: str) -> dict[str, Certificate]:
    return {
        c.line: c
        for c in Certificate.objects.filter(
            assignment__public_id=assignment_id, status=Certificate.Status.ISSUED
        )
    }


def printed(certificate: Certificate) -> str:
    return json.dumps(certificate.document)


def ledger_of(assignment_id: str) -> list[tuple[str, str, int]]:
    return [
        (e.kind, e.line, e.amount)
        for e in LedgerEntry.objects.filter(
            assignment__public_id=assignment_id
        ).order_by("pk")
    ]


class TestJobMoves:
    def test_nj_to_pa_reroutes_wc_to_9405_and_reissues_the_certificate(
        self,
        api: ApiClient,
        platform: Platform,
        contractor: Contractor,
        job: WorkJob,
        category: CategoryCode,
        product,
    ) -> None:
        nj = bound_policy(contractor, category=category)
        pa = bound_policy(contractor, category=category, wc_state="PA")
        before = dispatch(api, contractor, job)
        assert before["policy"] == nj.public_id
        assert before["rating"]["wc"]["class_code"] == "9410"
        old_wc = in_force(before["id"])[WC]
        assert "State: NJ \\u00b7 Class 9410" in printed(old_wc)

        response = api.put(f"/jobs/{job.public_id}", {"address": PA_ADDRESS})
        assert response.status_code == 200, response.content

        after = api.get(f"/assignments/{before['id']}").json()
        assert after["eligible"] == {"result": True, "message": eligibility.ELIGIBLE}
        assert after["policy"] == pa.public_id
        assert (
            after["rating"]["wc"]["state"],
            after["rating"]["wc"]["class_code"],
        ) == (
            "PA",
            "9405",
        )
        assert after["premium"] == PA_WC + NJ_GL
        # The ledger says the same: one adjustment takes WC from NJ's to PA's price.
        assert ledger_of(before["id"])[2:] == [("adjustment", WC, PA_WC - NJ_WC)]
        assert ledger.total(platform=platform) == PA_WC + NJ_GL
        new_wc = in_force(before["id"])[WC]
        assert new_wc.number != old_wc.number
        assert "State: PA \\u00b7 Class 9405" in printed(new_wc)
        old_wc.refresh_from_db()
        assert old_wc.status == Certificate.Status.SUPERSEDED
        assert old_wc.superseded_by == new_wc
        # The API's certificate URLs follow the new numbers.
        assert new_wc.number in after["certificates"]["wc_coi_pdf_url"]
        assert event_types(platform)[-1] == "assignment.updated"

    def test_a_move_out_of_the_policy_state_uncovers_and_reverses(
        self,
        api: ApiClient,
        platform: Platform,
        contractor: Contractor,
        job: WorkJob,
        policy: Policy,
    ) -> None:
        before = dispatch(api, contractor, job)
        certificates = in_force(before["id"])
        assert set(certificates) == {WC, GL}

        api.put(f"/jobs/{job.public_id}", {"address": PA_ADDRESS})

        after = api.get(f"/assignments/{before['id']}").json()
        assert after["eligible"] == {
            "result": False,
            "message": eligibility.WORK_STATE_MISMATCH,
        }
        assert (after["policy"], after["premium"]) == (None, 0)
        assert sorted(ledger_of(before["id"])[2:]) == [
            ("adjustment", GL, -NJ_GL),
            ("adjustment", WC, -NJ_WC),
        ]
        assert in_force(before["id"]) == {}
        for certificate in certificates.values():
            certificate.refresh_from_db()
            assert certificate.status == Certificate.Status.REVOKED
        assert event_types(platform)[-1] == "assignment.updated"

    def test_a_category_change_uncovers(
        self,
        api: ApiClient,
        platform: Platform,
        contractor: Contractor,
        job: WorkJob,
        policy: Policy,
    ) -> None:
        other = CategoryCode.objects.create(name="Window cleaning")
        other.approved_platforms.add(platform)
        an = dispatch(api, contractor, job)["id"]
        api.put(f"/jobs/{job.public_id}", {"category_code": other.public_id})
        after = api.get(f"/assignments/{an}").json()
        assert after["eligible"]["message"] == eligibility.CATEGORY_MISMATCH
        assert after["premium"] == 0 and in_force(an) == {}

    def test_a_change_that_decides_nothing_posts_nothing(
        self,
        api: ApiClient,
        platform: Platform,
        contractor: Contractor,
        job: WorkJob,
        policy: Policy,
    ) -> None:
        an = dispatch(api, contractor, job)["id"]
        numbers = {c.number for c in in_force(an).values()}
        events = len(event_types(platform))
        api.put(f"/jobs/{job.public_id}", {"custom_metadata": {"po": "PO-2"}})
        assert {c.number for c in in_force(an).values()} == numbers
        assert len(ledger_of(an)) == 2
        assert len(event_types(platform)) == events


def test_a_residence_change_uncovers_gl(
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
) -> None:
    an = dispatch(api, contractor, job)["id"]
    response = api.put(f"/contractors/{contractor.public_id}", {"address": PA_ADDRESS})
    assert response.status_code == 200, response.content
    after = api.get(f"/assignments/{an}").json()
    assert after["eligible"] == {
        "result": False,
        "message": eligibility.RESIDENCE_STATE_MISMATCH,
    }
    assert after["premium"] == 0 and ledger.total(platform=platform) == 0
    assert in_force(an) == {}
    assert event_types(platform)[-1] == "assignment.updated"


def test_a_policy_cancelled_mid_dispatch_keeps_the_premium_earned(
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
) -> None:
    start = next_day(timezone.now())
    running = dispatch(
        api,
        contractor,
        job,
        effective_date=unix(start),
        end_date=unix(start + timedelta(days=4)),
    )["id"]
    # The next dispatch on the job starts when the running one ends (one live
    # dispatch per contractor, job and window).
    later = dispatch(
        api, contractor, job, effective_date=unix(start + timedelta(days=4))
    )
    certificates = in_force(running)

    # A quarter of the window worked when the policy is cancelled.
    delete_policy(policy=policy, now=start + timedelta(days=1))

    after = api.get(f"/assignments/{running}").json()
    assert after["eligible"] == {
        "result": False,
        "message": eligibility.NO_ACTIVE_POLICY,
    }
    # 826 × ¼ = 206.5 → 207; 190 × ¼ = 47.5 → 48 (half-up per line).
    assert after["premium"] == 207 + 48
    assert sorted(ledger_of(running)[2:]) == [
        ("adjustment", GL, 48 - NJ_GL),
        ("adjustment", WC, 207 - NJ_WC),
    ]
    assert in_force(running) == {}
    for certificate in certificates.values():
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.REVOKED
    # The dispatch that had not started is cancelled and reversed.
    cancelled = api.get(f"/assignments/{later['id']}").json()
    assert (cancelled["cancelled"], cancelled["premium"]) == (True, 0)
    assert ledger.total(platform=platform) == 207 + 48
    assert "assignment.updated" in event_types(platform)

    # A later change to the job decides the dispatch again: still not covered, and
    # the part worked while it was stays on the record, premium and all.
    renamed = api.put(f"/jobs/{job.public_id}", {"name": "Lobby night clean"})
    assert renamed.status_code == 200, renamed.content
    again = api.get(f"/assignments/{running}").json()
    assert again["eligible"]["result"] is False
    assert (again["premium"], again["policy"]) == (207 + 48, after["policy"])
    assert ledger.total(platform=platform) == 207 + 48
    assert in_force(running) == {}


class TestPay:
    def job(self, api: ApiClient, entity, category, **body) -> str:
        response = api.post(
            "/jobs",
            {
                "name": "Deep clean",
                "entity": entity.public_id,
                "category_code": category.public_id,
                "address": {"line1": "1 Main St", "region": "NJ"},
                **body,
            },
        )
        assert response.status_code == 201, response.content
        return response.json()["id"]

    def premium(self, api: ApiClient, contractor: Contractor, job_id: str, **body):
        response = api.post(
            "/assignments", {"contractor": contractor.public_id, "job": job_id, **body}
        )
        assert response.status_code == 201, response.content
        return response.json()["premium"]

    def test_hourly_is_wage_times_hours_flat_is_the_wage(
        self, api: ApiClient, contractor: Contractor, entity, category, policy
    ) -> None:
        flat = self.job(api, entity, category, wage=30000, wage_type="flatfee")
        hourly = self.job(
            api, entity, category, wage=30000, wage_type="hourly", duration_hours=2
        )
        # $300 flat: 30000 × 413 / 10000 = 1239, × 95 → 285.
        assert self.premium(api, contractor, flat) == 1239 + 285
        # $300/h for 2 h is $600 of pay: twice as much premium.
        assert self.premium(api, contractor, hourly) == 2478 + 570

    def test_hourly_without_hours_is_paid_for_the_dispatch_window(
        self, api: ApiClient, contractor: Contractor, entity, category, policy
    ) -> None:
        hourly = self.job(api, entity, category, wage=30000, wage_type="hourly")
        start = next_day(timezone.now()) + timedelta(hours=22)
        premium = self.premium(
            api,
            contractor,
            hourly,
            effective_date=unix(start),
            end_date=unix(start + timedelta(hours=2)),
        )
        assert premium == 2478 + 570

    def test_a_same_day_window_pays_its_hours_not_the_cover_to_midnight(
        self, api: ApiClient, contractor: Contractor, entity, category, policy
    ) -> None:
        # 14:00-16:00 on one day: the cover runs to midnight (the API's date rule), the
        # work and its pay stay two hours.
        hourly = self.job(api, entity, category, wage=30000, wage_type="hourly")
        start = next_day(timezone.now()) + timedelta(hours=14)
        premium = self.premium(
            api,
            contractor,
            hourly,
            effective_date=unix(start),
            end_date=unix(start + timedelta(hours=2)),
        )
        assert premium == 2478 + 570

    def test_new_hours_reprice_the_dispatch(
        self, api: ApiClient, contractor: Contractor, entity, category, policy
    ) -> None:
        hourly = self.job(
            api, entity, category, wage=30000, wage_type="hourly", duration_hours=2
        )
        body = api.post(
            "/assignments", {"contractor": contractor.public_id, "job": hourly}
        ).json()
        api.put(f"/jobs/{hourly}", {"duration_hours": 3})
        after = api.get(f"/assignments/{body['id']}").json()
        assert after["premium"] == 3717 + 855
        assert ledger_of(body["id"])[2:] == [
            ("adjustment", GL, 285),
            ("adjustment", WC, 1239),
        ]

    def test_hours_out_of_range_are_refused(
        self, api: ApiClient, entity, category
    ) -> None:
        response = api.post(
            "/jobs",
            {
                "name": "Deep clean",
                "entity": entity.public_id,
                "category_code": category.public_id,
                "wage": 30000,
                "wage_type": "hourly",
                "duration_hours": 0,
            },
        )
        assert response.status_code == 400
        assert response.json()["fields"] == {"duration_hours": DURATION_OUT_OF_RANGE}


@pytest.mark.django_db(transaction=True)
def test_a_job_move_racing_a_new_dispatch_ends_consistent(
    requires_postgres: None, platform: Platform, platform_key: str
) -> None:
    category = approved_janitorial(platform)
    contractor_product()
    contractors = [
        make_contractor(platform, email=f"t{n}@example.com") for n in range(4)
    ]
    for contractor in contractors:
        bound_policy(contractor, category=category)
    job = make_job(platform, category=category)
    barrier = threading.Barrier(len(contractors) + 1)
    statuses: list[int] = []
    lock = threading.Lock()

    def call(method: str, path: str, body: dict) -> None:
        try:
            barrier.wait()
            response = getattr(Client(), method)(
                path,
                json.dumps(body),
                content_type="application/json",
                headers=bearer(platform_key),
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=call,
            args=(
                "post",
                "/api/v1/assignments",
                {"contractor": c.public_id, "job": job.public_id},
            ),
        )
        for c in contractors
    ]
    threads.append(
        threading.Thread(
            target=call,
            args=("put", f"/api/v1/jobs/{job.public_id}", {"address": PA_ADDRESS}),
        )
    )
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(statuses) == [200] + [201] * len(contractors)
    # Whichever committed first, every dispatch is decided on the job as it now is (PA,
    # where no policy covers WC): none covered, nothing left on the ledger or certified.
    assignments = list(Assignment.objects.filter(job=job))
    assert len(assignments) == len(contractors)
    assert {a.eligibility_message for a in assignments} == {
        eligibility.WORK_STATE_MISMATCH
    }
    assert {a.premium for a in assignments} == {0}
    assert ledger.total(platform=platform) == 0
    assert not Certificate.objects.filter(status=Certificate.Status.ISSUED).exists()


def test_queries_per_redecision_do_not_grow_with_the_dispatches(
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    category: CategoryCode,
    policy: Policy,
) -> None:
    """Each re-decided dispatch costs the same fixed number of queries, named below."""
    bound_policy(contractor, category=category, wc_state="PA")
    start = next_day(timezone.now())

    def queries_to_move(count: int) -> int:
        target = make_job(platform, category=category, name=f"Job for {count}")
        for n in range(count):
            day = start + timedelta(days=n)
            dispatch(
                api,
                contractor,
                target,
                effective_date=unix(day),
                end_date=unix(day + timedelta(hours=20)),
            )
        with CaptureQueriesContext(connection) as captured:
            api.put(f"/jobs/{target.public_id}", {"address": PA_ADDRESS})
        return len(captured)

    two, five = queries_to_move(2), queries_to_move(5)
    per_dispatch = (five - two) // 3
    assert (five - two) % 3 == 0
    assert per_dispatch == PER_REDECISION, per_dispatch


# Per re-decided dispatch that moves state (WC re-routed, both certificates re-issued):
# category approval (1), live policies (1), the tech's approved outside certificates
# (1, coverage.services.own_cover), rate book for
# both lines (1), assignment save (1), ledger settle: balances, first-posting
# check, insert (3), premium save (1), certificates: in force,
# 2 × (supersede, issue, link) (7), certificate URLs for the event (1), event (1),
# its webhook endpoints, read with the event (1; issue 15: deliveries are written in
# the event's transaction), and the charging gate (issue 13): who pays, the
# platform's billing settings (1), and the dispatch's live charges, locked (1).
# (Issue 15 took out the ledger's and the certificates' savepoints, 2 pairs.)
PER_REDECISION = 21


def test_a_two_state_route_routes_each_dispatch_to_its_own_state_and_class(
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    entity,
    category: CategoryCode,
    product,
) -> None:
    """Seed 001: NJ in the morning bills 9410; PA the next morning bills 9405."""
    bound_policy(contractor, category=category)
    bound_policy(contractor, category=category, wc_state="PA")
    nj_job = make_job(platform, category=category, entity=entity, name="Newark office")
    pa_job = make_job(
        platform, category=category, entity=entity, state="PA", name="Philly office"
    )
    morning = next_day(timezone.now()) + timedelta(hours=8)
    legs = [
        dispatch(
            api,
            contractor,
            leg,
            effective_date=unix(morning + timedelta(days=n)),
            end_date=unix(morning + timedelta(days=n, hours=4)),
        )
        for n, leg in enumerate((nj_job, pa_job))
    ]
    routed = [
        (leg["rating"]["wc"]["state"], leg["rating"]["wc"]["class_code"])
        for leg in legs
    ]
    assert routed == [("NJ", "9410"), ("PA", "9405")]
    assert [leg["premium"] for leg in legs] == [NJ_WC + NJ_GL, PA_WC + NJ_GL]
    for leg, text in zip(
        legs,
        ("State: NJ \\u00b7 Class 9410", "State: PA \\u00b7 Class 9405"),
        strict=True,
    ):
        assert text in printed(in_force(leg["id"])[WC])

"""/api/v1/policies: bind from a quote, switch with is_active, delete; events recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage.models import Assignment, Contractor, Event, LedgerEntry, WorkJob
from coverage.services.policies import ALREADY_CANCELLED, QUOTE_ALREADY_BOUND
from coverage.services.quotes import MATCHING_POLICY
from policies.models import Policy, PolicyStatus, PolicyTransaction
from tests.coverage.helpers import GL, WC, ApiClient, bound_policy, event_types, unix

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote_id(api: ApiClient, contractor: Contractor, job: WorkJob, product) -> str:
    response = api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [WC, GL],
        },
    )
    return response.json()["id"]


def test_binding_a_quote_creates_the_policy_through_a_submission(
    api: ApiClient, quote_id: str, contractor: Contractor, platform
) -> None:
    response = api.post("/policies", {"quote_id": quote_id, "is_active": True})
    assert response.status_code == 201, response.content
    body = response.json()
    policy = Policy.objects.get(public_id=body["id"])
    assert body["id"].startswith("pl_")
    assert body["object"] == "policy"
    assert body["quote"] == quote_id
    assert body["contractor"] == contractor.public_id
    assert body["status"] == "active" and body["is_active"] is True
    assert body["coverage_type"] == [WC, GL]
    quote = api.get(f"/quotes/{quote_id}").json()
    assert body["effective_date"] == quote["effective_date"]
    assert body["expiration_date"] == quote["end_date"]
    assert quote["policy"] == body["id"]
    # submission → quoted → bound, with the quote's states and category
    txn = PolicyTransaction.objects.get(policy=policy)
    assert (txn.kind, txn.status) == ("submission", "bound")
    assert (policy.wc_state, policy.gl_state) == ("NJ", "NJ")
    assert event_types(platform) == ["policy.created", "policy.active"]
    assert Event.objects.last().data == body


def test_a_quote_binds_once(api: ApiClient, quote_id: str) -> None:
    api.post("/policies", {"quote": quote_id})
    again = api.post("/policies", {"quote": quote_id})
    assert again.json() == {
        "message": QUOTE_ALREADY_BOUND,
        "error_code": "policy_already_exists",
    }


def test_a_second_quote_for_the_same_cover_does_not_bind(
    api: ApiClient, quote_id: str, contractor: Contractor, job: WorkJob
) -> None:
    twin = api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [GL],
        },
    ).json()["id"]
    api.post("/policies", {"quote": quote_id})
    response = api.post("/policies", {"quote": twin})
    assert response.json() == {
        "message": MATCHING_POLICY,
        "error_code": "contractor_has_matching_policy",
    }


def test_unknown_quote_is_404(api: ApiClient) -> None:
    response = api.post("/policies", {"quote": "qt_nope"})
    assert response.status_code == 404
    assert response.json()["error_code"] == "invalid_quote_id"


def test_lists_filter_by_quote(
    api: ApiClient, quote_id: str, contractor: Contractor
) -> None:
    pl = api.post("/policies", {"quote": quote_id}).json()["id"]
    assert [p["id"] for p in api.get(f"/policies?quote={quote_id}").json()] == [pl]
    assert api.get("/policies?quote=qt_other").json() == []
    mine = api.get(f"/contractors/{contractor.public_id}/policies").json()
    assert [p["id"] for p in mine] == [pl]
    assert (
        api.get(
            f"/contractors/{contractor.public_id}/policies?quote={quote_id}"
        ).json()[0]["quote"]
        == quote_id
    )


def _assignment(
    api: ApiClient, contractor: Contractor, job: WorkJob, days: int
) -> dict:
    start = timezone.now() + timedelta(days=days)
    return api.post(
        "/assignments",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "effective_date": unix(start),
        },
    ).json()


def test_is_active_switches_coverage_off_and_on(
    api: ApiClient, quote_id: str, contractor: Contractor, job: WorkJob, platform
) -> None:
    pl = api.post("/policies", {"quote": quote_id}).json()["id"]
    later = _assignment(api, contractor, job, days=3)
    assert later["eligible"]["result"] is True and later["premium"] > 0
    off = api.put(f"/policies/{pl}", {"is_active": False}).json()
    assert (off["status"], off["is_active"]) == ("cancelled", False)
    cancelled = api.get(f"/assignments/{later['id']}").json()
    assert cancelled["cancelled"] is True and cancelled["premium"] == 0
    on = api.put(f"/policies/{pl}", {"is_active": True}).json()
    assert (on["status"], on["is_active"]) == ("active", True)
    assert event_types(platform)[-3:] == [
        "assignment.cancelled",
        "policy.cancelled",
        "policy.reactivated",
    ]


def test_delete_cancels_coverage_and_later_assignments_only(
    api: ApiClient, quote_id: str, contractor: Contractor, job: WorkJob
) -> None:
    pl = api.post("/policies", {"quote": quote_id}).json()["id"]
    later = _assignment(api, contractor, job, days=3)
    response = api.delete(f"/policies/{pl}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["object"], body["deleted"]) == (pl, "policy", True)
    assert Policy.objects.get(public_id=pl).status == PolicyStatus.CANCELLED
    assignment = Assignment.objects.get(public_id=later["id"])
    assert assignment.cancellation_reason == "policy_cancelled"
    kinds = list(
        LedgerEntry.objects.filter(assignment=assignment).values_list("kind", flat=True)
    )
    assert sorted(kinds) == ["charge", "charge", "reversal", "reversal"]
    again = api.delete(f"/policies/{pl}")
    assert again.json() == {"message": ALREADY_CANCELLED, "error_code": "invalid_input"}


def test_delete_leaves_assignments_that_already_started(
    api: ApiClient, contractor: Contractor, job: WorkJob, category
) -> None:
    policy = bound_policy(contractor, category=category)
    started = _assignment(api, contractor, job, days=1)
    Assignment.objects.filter(public_id=started["id"]).update(
        effective_at=timezone.now() - timedelta(hours=1)
    )
    api.delete(f"/policies/{policy.public_id}")
    assert api.get(f"/assignments/{started['id']}").json()["cancelled"] is False


def test_put_changes_the_term_through_a_policy_change(
    api: ApiClient, quote_id: str
) -> None:
    body = api.post("/policies", {"quote": quote_id}).json()
    new_end = body["expiration_date"] + 10 * 86400
    changed = api.put(f"/policies/{body['id']}", {"expiration_date": new_end}).json()
    assert changed["expiration_date"] == new_end
    assert changed["effective_date"] == body["effective_date"]
    kinds = PolicyTransaction.objects.filter(policy__public_id=body["id"]).values_list(
        "kind", flat=True
    )
    assert sorted(kinds) == ["policy_change", "submission"]


def test_a_policy_cannot_be_created_switched_off(api: ApiClient, quote_id: str) -> None:
    response = api.post("/policies", {"quote": quote_id, "is_active": False})
    assert response.status_code == 400
    assert response.json()["error_code"] == "invalid_input"

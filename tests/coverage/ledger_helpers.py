"""Premium booked through the API for the hash-chain tests (``verify_ledger``)."""

from __future__ import annotations

from coverage.models import Assignment, CategoryCode, Contractor, Entity
from portal.models import Platform
from tests.coverage.helpers import GL, ApiClient, bound_policy, make_job


def book_through_the_api(
    api: ApiClient,
    *,
    platform: Platform,
    contractor: Contractor,
    category: CategoryCode,
    entity: Entity,
) -> list[Assignment]:
    """Three dispatches: charged; one narrowed to GL (adjustment), one cancelled
    (reversals), and one job repriced (adjustments, and the job's audit entry)."""
    bound_policy(contractor, category=category)
    jobs = [
        make_job(platform, category=category, entity=entity, name=f"Job {n}")
        for n in range(3)
    ]
    ids = []
    for job in jobs:
        response = api.post(
            "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
        )
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    narrowed = api.put(f"/assignments/{ids[0]}", {"coverage_type": [GL]})
    assert narrowed.status_code == 200, narrowed.content
    cancel = api.post("/assignments/cancel", {"job_id": jobs[1].public_id})
    assert cancel.status_code == 200, cancel.content
    repriced = api.put(f"/jobs/{jobs[2].public_id}", {"wage": 30000})
    assert repriced.status_code == 200, repriced.content
    return [Assignment.objects.get(public_id=i) for i in ids]

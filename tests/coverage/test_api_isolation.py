"""Tenant isolation: another platform's ids are 404 on every resource, in the API's format."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage.models import (
    ApplicationSession,
    Assignment,
    CategoryCode,
    Contractor,
    Entity,
    Invoice,
    Quote,
    WorkJob,
)
from coverage.services import (
    create_application_session,
    create_assignment,
    create_invoice,
    create_quote,
)
from tests.coverage.helpers import GL, WC, ApiClient, bound_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> dict[str, str]:
    """One of everything on `platform`; the tests call the API as `other_platform`."""
    now = timezone.now()
    policy = bound_policy(contractor, category=category, starts=now - timedelta(days=3))
    second_job = WorkJob.objects.create(
        platform=job.platform,
        entity=entity,
        name="PA",
        category_code=category,
        wage=100,
        wage_type="flatfee",
        address_region="PA",
    )
    quote: Quote = create_quote(
        contractor=contractor,
        job=second_job,
        lines=[GL, WC],
        effective_at=None,
        end_at=None,
        now=now,
    )
    session: ApplicationSession = create_application_session(
        quote=quote,
        success_url="",
        cancel_url="",
        url_for=lambda t: f"http://x/{t}",
        now=now,
    )
    assignment: Assignment = create_assignment(
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=None,
        end_at=None,
        now=now,
    )
    invoice: Invoice = create_invoice(
        contractor=contractor,
        job=job,
        gross_pay=1000,
        paycycle_start=now - timedelta(days=1),
        paycycle_end=now,
    )
    return {
        "entities": entity.public_id,
        "contractors": contractor.public_id,
        "jobs": job.public_id,
        "quotes": quote.public_id,
        "apply/sessions": session.public_id,
        "policies": policy.public_id,
        "assignments": assignment.public_id,
        "invoices": invoice.public_id,
    }


CODES = {
    "entities": "invalid_entity_id",
    "contractors": "invalid_contractor_id",
    "jobs": "invalid_job_id",
    "quotes": "invalid_quote_id",
    "apply/sessions": "invalid_session_id",
    "policies": "invalid_policy_id",
    "assignments": "invalid_assignment_id",
    "invoices": "invalid_invoice_id",
}
UPDATABLE = set(CODES)
DELETABLE = {"entities", "contractors", "jobs", "policies", "assignments", "invoices"}


@pytest.mark.parametrize("resource", list(CODES))
def test_get_put_delete_are_404(
    other_api: ApiClient, api: ApiClient, theirs: dict[str, str], resource: str
) -> None:
    path = f"/{resource}/{theirs[resource]}"
    assert api.get(path).status_code == 200  # it exists, for its owner
    calls = [other_api.get(path)]
    if resource in UPDATABLE:
        calls.append(other_api.put(path, {}))
    if resource in DELETABLE:
        calls.append(other_api.delete(path))
    for response in calls:
        assert response.status_code == 404
        assert response.json()["error_code"] == CODES[resource]


@pytest.mark.parametrize("resource", list(CODES))
def test_lists_show_nothing_of_theirs(
    other_api: ApiClient, theirs: dict[str, str], resource: str
) -> None:
    assert other_api.get(f"/{resource}").json() == []
    cursor = other_api.get(f"/{resource}?starting_after={theirs[resource]}")
    assert cursor.status_code == 400


def test_references_in_bodies_are_404(
    other_api: ApiClient, theirs: dict[str, str]
) -> None:
    for path, body, code in [
        (
            "/quotes",
            {
                "contractor": theirs["contractors"],
                "job": theirs["jobs"],
                "coverage_type": [GL],
            },
            "invalid_contractor_id",
        ),
        (
            "/assignments",
            {"contractor": theirs["contractors"], "job": theirs["jobs"]},
            "invalid_contractor_id",
        ),
        ("/apply/sessions", {"quote": theirs["quotes"]}, "invalid_quote_id"),
        ("/policies", {"quote": theirs["quotes"]}, "invalid_quote_id"),
        ("/assignments/cancel", {"job_id": theirs["jobs"]}, "invalid_job_id"),
        (
            "/apply/sessions/" + theirs["apply/sessions"] + "/expire",
            {},
            "invalid_session_id",
        ),
        (
            f"/contractors/{theirs['contractors']}/policies",
            None,
            "invalid_contractor_id",
        ),
    ]:
        response = other_api.get(path) if body is None else other_api.post(path, body)
        assert response.status_code == 404, path
        assert response.json()["error_code"] == code

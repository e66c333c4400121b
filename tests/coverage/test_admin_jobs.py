"""Support edits a job in the admin through the same service as the API: a wage changed
there adjusts the ledger exactly as PUT /api/v1/jobs/{id} does; a refusal shows on the form
in the service's words and writes nothing."""

from __future__ import annotations

from django.test import Client
from django.utils.html import escape

from coverage.models import Contractor, LedgerEntry, WorkJob
from coverage.services.jobs import WAGE_OUT_OF_RANGE
from policies.models import AuditEntry, AuditVia
from portal.models import Platform, User
from tests.conftest import sign_in
from tests.coverage.helpers import ApiClient, approved_janitorial, make_job
from tests.coverage.portal_helpers import opted_in, ticket, tomorrow


def _covered_job(platform: Platform, email: str) -> WorkJob:
    category = approved_janitorial(platform)
    tech = Contractor.objects.create(
        platform=platform,
        first_name="Terry",
        last_name="Tech",
        email=email,
        address_region="NJ",
    )
    opted_in(tech, category)
    job = make_job(platform, category=category, wage=20_000)
    assert ticket(tech, job, day=tomorrow()).is_covered
    return job


def _form(job: WorkJob, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": job.name,
        "description": job.description,
        "entity": job.entity_id,
        "category_code": job.category_code_id,
        "wage": job.wage,
        "wage_type": job.wage_type,
        "years_experience": "",
    }
    if job.withhold_premium:
        data["withhold_premium"] = "on"
    data.update(changes)
    return data


def adjustments(job: WorkJob) -> list[tuple[str, int]]:
    return sorted(
        LedgerEntry.objects.filter(
            assignment__job=job, kind=LedgerEntry.Kind.ADJUSTMENT
        ).values_list("line", "amount")
    )


def test_an_admin_wage_change_adjusts_the_ledger_as_the_api_does(
    platform: Platform, platform_key: str, support: User
) -> None:
    by_api = _covered_job(platform, "api@example.com")
    by_admin = _covered_job(platform, "admin@example.com")

    response = ApiClient(platform_key).put(
        f"/jobs/{by_api.public_id}", {"wage": 30_000}
    )
    assert response.status_code == 200, response.content

    client = Client()
    sign_in(client, support)
    saved = client.post(
        f"/admin/coverage/workjob/{by_admin.pk}/change/", _form(by_admin, wage=30_000)
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]

    assert WorkJob.objects.get(pk=by_admin.pk).wage == 30_000
    assert adjustments(by_api) and adjustments(by_admin) == adjustments(by_api)

    # The same audit entry, each naming who made it and through which face.
    api_entry, admin_entry = (
        AuditEntry.objects.get(object_type="Work job", object_id=job.public_id)
        for job in (by_api, by_admin)
    )
    wage_change = [
        {"field": "wage", "label": "Wage (cents)", "old": "20000", "new": "30000"}
    ]
    assert api_entry.changes == admin_entry.changes == wage_change
    assert (api_entry.via, api_entry.actor_key.platform_id) == (
        AuditVia.API,
        platform.pk,
    )
    assert (admin_entry.via, admin_entry.actor_user) == (AuditVia.ADMIN, support)
    # Support reads the job's history on its admin page.
    page = client.get(f"/admin/coverage/workjob/{by_admin.pk}/change/")
    assert "Wage (cents): 20000 → 30000" in page.content.decode()


def test_a_refused_admin_edit_shows_the_services_message_and_writes_nothing(
    platform: Platform, support: User
) -> None:
    job = _covered_job(platform, "refused@example.com")
    client = Client()
    sign_in(client, support)
    refused = client.post(
        f"/admin/coverage/workjob/{job.pk}/change/", _form(job, wage=5)
    )
    assert refused.status_code == 200
    assert escape(WAGE_OUT_OF_RANGE) in refused.content.decode()
    assert WorkJob.objects.get(pk=job.pk).wage == 20_000
    assert adjustments(job) == []
    assert not AuditEntry.objects.filter(object_id=job.public_id).exists()

"""Lists that show certificates run a constant number of queries; support's admin finds
certificates by number, insured or holder and re-renders them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage.models import Assignment, CategoryCode, Certificate, Entity
from coverage.services import create_assignment, extend_job_assignment
from portal.models import Platform, User
from tests.coverage.certificate_helpers import addressed_contractor, addressed_job
from tests.coverage.helpers import ApiClient, bound_policy, certificate_queries

pytestmark = pytest.mark.django_db

ADMIN = "/admin/coverage/certificate/"


def dispatch_techs(
    platform: Platform, category: CategoryCode, n: int, *, start: int = 0
) -> list[Assignment]:
    """n techs, each opted in and dispatched twice (the first dispatch re-issued once)."""
    made = []
    for i in range(start, start + n):
        contractor = addressed_contractor(platform, f"tech{i}@example.com")
        contractor.last_name = f"Tech{i}"
        contractor.save(update_fields=["last_name"])
        entity = Entity.objects.create(
            platform=platform, name=f"Holder {i} LLC", address_region="NJ"
        )
        bound_policy(contractor, category=category)
        for _ in range(2):
            # One job each: one live dispatch per contractor, job and window.
            job = addressed_job(platform, category=category, entity=entity)
            made.append(
                create_assignment(
                    contractor=contractor,
                    job=job,
                    lines=None,
                    effective_at=None,
                    end_at=None,
                    now=timezone.now(),
                )
            )
        extend_job_assignment(
            job=job,
            contractor=contractor,
            end_at=made[-1].end_at + timedelta(days=1),
            now=timezone.now(),
        )
    return made


@pytest.mark.parametrize("path", ["/assignments", "/policies"])
def test_api_lists_with_certificates_run_constant_queries_whatever_their_size(
    api: ApiClient,
    platform: Platform,
    category: CategoryCode,
    product,
    path: str,
    django_assert_num_queries,
) -> None:
    dispatch_techs(platform, category, 2)
    api.get("/entities")  # stamps the key's last use, a write made once a minute
    # 1. the API key, 2. the page with its related rows, 3. the page's certificates
    # (an assignment page on PostgreSQL reads them in 2: with_certificate_urls)
    queries = certificate_queries(path) + 2
    with django_assert_num_queries(queries):
        few = api.get(f"{path}?limit=100").json()
    dispatch_techs(platform, category, 10, start=2)
    with django_assert_num_queries(queries):
        many = api.get(f"{path}?limit=100").json()
    assert len(many) > len(few)
    # The prefetched lists say what each object's own GET says.
    for item in many:
        alone = api.get(f"{path}/{item['id']}").json()
        assert item["certificates"] == alone["certificates"]
        assert len(item["certificates"]) == 2
        if path == "/policies":
            assert item["pdf_url"] == alone["pdf_url"]


def test_the_policy_points_at_its_newest_certificate_per_line(
    api: ApiClient, platform: Platform, category: CategoryCode, product
) -> None:
    [_, second] = dispatch_techs(platform, category, 1)
    body = api.get(f"/policies/{second.policy.public_id}").json()
    newest = {
        c.line: c.number
        for c in Certificate.objects.filter(
            policy=second.policy, status="issued"
        ).order_by("pk")
    }
    assert body["certificates"]["gl_coi_pdf_url"].endswith(
        f"/certificates/{newest['general']}/pdf"
    )
    assert body["certificates"]["wc_coi_pdf_url"].endswith(
        f"/certificates/{newest['workers-comp']}/pdf"
    )


@pytest.fixture
def as_support(support: User, client_as: Callable[[User], Client]) -> Client:
    return client_as(support)


def test_admin_list_runs_the_same_queries_for_many_certificates(
    as_support: Client, platform: Platform, category: CategoryCode, product
) -> None:
    dispatch_techs(platform, category, 1)
    as_support.get(ADMIN)  # warm the session
    with CaptureQueriesContext(connection) as few:
        as_support.get(ADMIN)
    dispatch_techs(platform, category, 8, start=1)
    with CaptureQueriesContext(connection) as many:
        response = as_support.get(ADMIN)
    assert response.status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Tech3", 3), ("Holder 3 LLC", 3), ("terry tech3", 3)],
)
def test_support_finds_certificates_by_insured_or_holder(
    as_support: Client,
    platform: Platform,
    category: CategoryCode,
    product,
    query: str,
    expected: int,
) -> None:
    dispatch_techs(platform, category, 5)
    response = as_support.get(ADMIN, {"q": query})
    wanted = Certificate.objects.filter(insured_name="Terry Tech3")
    # Two dispatches × two lines, one of them re-issued once: 6 certificates.
    assert wanted.count() == 6
    for certificate in Certificate.objects.all():
        assert (certificate.number in response.text) == (
            certificate.insured_name == f"Terry Tech{expected}"
        )


def test_support_finds_a_certificate_by_its_number(
    as_support: Client, platform: Platform, category: CategoryCode, product
) -> None:
    dispatch_techs(platform, category, 3)
    target = Certificate.objects.order_by("?").first()
    response = as_support.get(ADMIN, {"q": target.number})
    found = [c.number for c in Certificate.objects.all() if c.number in response.text]
    assert found == [target.number]
    detail = as_support.get(f"{ADMIN}{target.pk}/change/")
    assert detail.status_code == 200
    assert f"/certificates/{target.number}/" in detail.text


def test_support_rerenders_selected_certificates(
    as_support: Client,
    platform: Platform,
    category: CategoryCode,
    product,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_techs(platform, category, 1)
    chosen = list(Certificate.objects.filter(status="issued").order_by("pk")[:2])
    before = {c.pk: c.pdf.name for c in chosen}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_support.post(
            ADMIN, {"action": "rerender", "_selected_action": [c.pk for c in chosen]}
        )
    assert response.status_code == 302
    for certificate in chosen:
        certificate.refresh_from_db()
        assert certificate.pdf.name != before[certificate.pk]
        assert certificate.is_rendered and not certificate.render_pending


def test_certificates_cannot_be_edited_in_the_admin(
    as_support: Client, platform: Platform, category: CategoryCode, product
) -> None:
    dispatch_techs(platform, category, 1)
    certificate = Certificate.objects.first()
    assert as_support.get(f"{ADMIN}add/").status_code == 403
    response = as_support.post(
        f"{ADMIN}{certificate.pk}/change/", {"holder_name": "Someone else"}
    )
    assert response.status_code == 403
    assert as_support.post(f"{ADMIN}{certificate.pk}/delete/").status_code == 403

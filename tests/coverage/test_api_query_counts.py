"""Every /api/v1 list answers in a constant number of queries, whatever its row count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage.models import CategoryCode
from coverage.services import (
    bind_policy_from_quote,
    create_application_session,
    create_assignment,
    create_invoice,
    create_quote,
)
from coverage.services.dates import next_day
from portal.models import Platform
from tests.coverage.helpers import (
    GL,
    WC,
    ApiClient,
    certificate_queries,
    make_entity,
    make_job,
)
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

ROWS = 12


@pytest.fixture
def many(platform: Platform, category: CategoryCode, product) -> str:
    """ROWS of every resource, each with its own contractor, job, quote and policy."""
    now = timezone.now()
    start = next_day(now)
    for i in range(ROWS):
        CategoryCode.objects.create(name=f"Trade {i}").approved_platforms.add(platform)
        contractor = make_contractor(platform, email=f"tech{i}@example.com")
        job = make_job(platform, category=category, entity=make_entity(platform))
        quote = create_quote(
            contractor=contractor,
            job=job,
            lines=[WC, GL],
            effective_at=None,
            end_at=None,
            now=now,
        )
        create_application_session(
            quote=quote,
            success_url="",
            cancel_url="",
            url_for=lambda token: f"http://testserver/apply/{token}/",
            now=now,
        )
        bind_policy_from_quote(quote=quote, now=now)
        assignment = create_assignment(
            contractor=contractor,
            job=job,
            lines=None,
            effective_at=None,
            end_at=None,
            now=now,
        )
        assert assignment.eligible
        create_invoice(
            contractor=contractor,
            job=job,
            gross_pay=100_000,
            paycycle_start=start,
            paycycle_end=start + timedelta(days=7),
        )
    return contractor.public_id


LISTS = [
    "/entities",
    "/contractors",
    "/jobs",
    "/category_codes",
    "/quotes",
    "/apply/sessions",
    "/policies",
    "/assignments",
    "/invoices",
]


def test_every_list_runs_two_queries(
    api: ApiClient, many: str, django_assert_num_queries
) -> None:
    # One fixture for all lists: building the rows is the slow part.
    api.get("/entities")  # stamps the key's last use, a write made once a minute
    for path in LISTS:
        # 1. the API key (with its platform), 2. the page with its related rows,
        # 3. (policies; assignments off PostgreSQL) the page's certificates
        with django_assert_num_queries(2 + certificate_queries(path)):
            response = api.get(f"{path}?limit=100")
        assert response.status_code == 200, path
        assert len(response.json()) >= ROWS, path


def test_a_cursor_adds_one_query(
    api: ApiClient, many: str, django_assert_num_queries
) -> None:
    api.get("/entities")
    for path in LISTS:
        page = api.get(f"{path}?limit=100").json()
        cursor = page[0]["category_code" if path == "/category_codes" else "id"]
        # key, the cursor's row, the page (and its certificates)
        with django_assert_num_queries(3 + certificate_queries(path)):
            response = api.get(f"{path}?limit=100&starting_after={cursor}")
        assert len(response.json()) == len(page) - 1, path


def test_contractor_policies_and_filters(
    api: ApiClient, many: str, django_assert_num_queries
) -> None:
    api.get("/entities")
    # key, the contractor, the page, its certificates
    with django_assert_num_queries(4):
        response = api.get(f"/contractors/{many}/policies")
    assert len(response.json()) == 1
    # key, the page (the filter is a join, not a lookup)
    with django_assert_num_queries(2):
        api.get(f"/invoices?contractor={many}&limit=100")
    with django_assert_num_queries(2):
        api.get("/contractors?email=tech3@example.com")

"""Techs: the list and one tech's page (policies, history, certificates, repeat coverage)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coverage.forms import UNKNOWN_CHOICE
from coverage.models import CategoryCode, Contractor, WorkJob
from coverage.services.eligibility import ELIGIBLE, WORK_STATE_MISMATCH
from coverage.views.contractors import (
    NEVER_DISPATCHED,
    NO_POLICIES,
    NO_TECHS_MATCH,
    REPEAT_APPLIES,
    REPEAT_DOES_NOT_APPLY,
)
from portal.models import Platform, User
from tests.coverage.helpers import make_job
from tests.coverage.portal_helpers import HTMX, opted_in, ticket, tomorrow
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

TECHS = "/techs/"


def page_of(response) -> str:
    return html.unescape(response.content.decode())


def tech_url(contractor: Contractor) -> str:
    return f"/techs/{contractor.public_id}/"


@pytest.fixture
def terry(contractor: Contractor, category: CategoryCode, product) -> Contractor:
    opted_in(contractor, category)
    return contractor


def test_the_list_shows_the_platforms_techs_with_their_coverage(
    dispatcher: User, terry: Contractor, other_platform: Platform, client_as
) -> None:
    rival = make_contractor(other_platform, email="rival@example.com")
    page = page_of(client_as(dispatcher).get(TECHS))
    assert terry.legal_name in page and terry.email in page
    assert "Janitorial services · WC NJ · GL NJ" in page
    assert rival.email not in page


def test_search_and_its_empty_state(
    dispatcher: User, terry: Contractor, platform: Platform, client_as
) -> None:
    make_contractor(platform, email="priya@example.com")
    client = client_as(dispatcher)
    found = page_of(client.get(TECHS, {"q": "priya"}))
    assert "priya@example.com" in found and terry.email not in found
    assert NO_TECHS_MATCH in page_of(client.get(TECHS, {"q": "nobody"}))
    swapped = client.get(TECHS, {"q": "priya"}, headers=HTMX).content.decode()
    assert swapped.lstrip().startswith('<section id="tech-table"')


def test_an_underwriter_sees_every_platforms_techs(
    underwriter: User, terry: Contractor, other_platform: Platform, client_as
) -> None:
    rival = make_contractor(other_platform, email="rival@example.com")
    page = page_of(client_as(underwriter).get(TECHS))
    assert terry.email in page and rival.email in page
    assert other_platform.name in page


def test_the_tech_page_shows_policies_history_and_certificates(
    dispatcher: User, terry: Contractor, job: WorkJob, client_as
) -> None:
    covered = ticket(terry, job, day=tomorrow())
    page = page_of(client_as(dispatcher).get(tech_url(terry)))
    policy = terry.policies.get()
    assert policy.number in page
    assert "WC work in NJ" in page and "GL living in NJ" in page
    assert f'href="/tickets/{covered.public_id}/"' in page
    for number in covered.certificates.values_list("number", flat=True):
        assert f'href="/portal/certificates/{number}.pdf"' in page


def test_repeat_coverage_applies_to_the_next_ticket(
    dispatcher: User, terry: Contractor, job: WorkJob, client_as
) -> None:
    ticket(terry, job, day=tomorrow())
    page = page_of(client_as(dispatcher).get(tech_url(terry)))
    assert REPEAT_APPLIES.format(message=ELIGIBLE) in page


def test_and_why_not_when_the_next_job_is_in_another_state(
    dispatcher: User,
    terry: Contractor,
    platform: Platform,
    category: CategoryCode,
    client_as,
) -> None:
    ticket(terry, make_job(platform, category=category, state="PA"), day=tomorrow())
    page = page_of(client_as(dispatcher).get(tech_url(terry)))
    assert REPEAT_DOES_NOT_APPLY.format(message=WORK_STATE_MISMATCH) in page


def test_ask_about_another_job(
    dispatcher: User,
    terry: Contractor,
    platform: Platform,
    category: CategoryCode,
    client_as,
) -> None:
    pa_job = make_job(platform, category=category, state="PA", name="PA cleaning")
    client = client_as(dispatcher)
    swapped = client.get(tech_url(terry), {"job": pa_job.public_id}, headers=HTMX)
    answer = page_of(swapped)
    assert answer.lstrip().startswith('<section id="repeat"')
    assert REPEAT_DOES_NOT_APPLY.format(message=WORK_STATE_MISMATCH) in answer
    refused = page_of(
        client.get(tech_url(terry), {"job": "jb_nosuchjob"}, headers=HTMX)
    )
    assert UNKNOWN_CHOICE in refused


def test_a_tech_never_dispatched(
    dispatcher: User, platform: Platform, client_as
) -> None:
    newcomer = make_contractor(platform, email="new@example.com")
    page = page_of(client_as(dispatcher).get(tech_url(newcomer)))
    assert NEVER_DISPATCHED in page
    assert NO_POLICIES in page


def test_tenancy_and_roles(
    dispatcher: User,
    outsider: User,
    underwriter: User,
    support: User,
    terry: Contractor,
    client_as,
) -> None:
    assert client_as(outsider).get(tech_url(terry)).status_code == 404
    assert client_as(underwriter).get(tech_url(terry)).status_code == 200
    assert client_as(support).get(tech_url(terry)).status_code == 403
    assert client_as(support).get(TECHS).status_code == 403
    assert Client().get(tech_url(terry))["Location"].startswith("/login/")
    underwriter_page = page_of(client_as(underwriter).get(tech_url(terry)))
    assert "Dispatch Terry" not in underwriter_page
    assert "Dispatch Terry" in page_of(client_as(dispatcher).get(tech_url(terry)))


def test_an_underwriting_account_is_not_a_tech(
    dispatcher: User, terry: Contractor, platform: Platform, client_as
) -> None:
    """A commercial account the underwriters insure (another product) is never
    dispatched: not in the Techs list, not in the new ticket's Tech picker."""
    from policies import services as policy_services
    from policies.products import ensure_property_product

    account = make_contractor(platform, email="risk@bayside.example")
    policy_services.start_submission(
        platform=platform,
        contractor=account,
        product=ensure_property_product(),
        lines=[],
        effective_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=365),
    )
    client = client_as(dispatcher)
    techs = page_of(client.get(TECHS))
    assert terry.email in techs and account.email not in techs
    picker = page_of(client.get("/pickers/techs/"))
    assert f'data-value="{terry.public_id}"' in picker
    assert f'data-value="{account.public_id}"' not in picker
    # Nor by name, nor typed into the form without the list.
    assert "data-value" not in page_of(client.get("/pickers/techs/", {"q": "risk@"}))

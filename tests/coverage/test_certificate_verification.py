"""The public verification page /certificates/<number>/: genuine, in force, and nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from coverage import certificates
from coverage.models import CategoryCode, Certificate, Contractor, WorkJob
from coverage.services import (
    cancel_job_assignment,
    create_assignment,
    extend_job_assignment,
)
from coverage.views.certificates import CERTIFICATE_NOT_FOUND, STANDING_HEADLINES
from coverage.views.formatting import end_moment, moment
from policies.models import Policy
from portal.models import Platform
from tests.coverage.certificate_helpers import (
    HOLDER_NAME,
    INSURED_NAME,
    addressed_contractor,
    addressed_entity,
    addressed_job,
)
from tests.coverage.helpers import GL, WC, bound_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def contractor(platform: Platform) -> Contractor:
    return addressed_contractor(platform)


@pytest.fixture
def job(platform: Platform, category: CategoryCode) -> WorkJob:
    return addressed_job(platform, category=category, entity=addressed_entity(platform))


@pytest.fixture
def policy(contractor: Contractor, category: CategoryCode, product) -> Policy:
    return bound_policy(contractor, category=category)


@pytest.fixture
def gl(contractor: Contractor, job: WorkJob, policy: Policy) -> Certificate:
    assignment = create_assignment(
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=None,
        end_at=None,
        now=timezone.now(),
    )
    return assignment.certificates.get(line=GL)


def page(number: str) -> tuple[int, str, str | None]:
    response = Client().get(f"/certificates/{number}/")
    return response.status_code, response.content.decode(), response.get("X-Robots-Tag")


def standing_of(html: str) -> str:
    marker = 'data-standing="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def move_window(certificate: Certificate, *, starts_in: timedelta) -> None:
    """Time travel: the certificate's dispatch window now starts ``starts_in`` from now."""
    length = certificate.end_at - certificate.effective_at
    start = timezone.now() + starts_in
    Certificate.objects.filter(pk=certificate.pk).update(
        effective_at=start, end_at=start + length
    )


def test_a_certificate_before_its_window_is_genuine_and_scheduled(
    gl: Certificate,
) -> None:
    status, html, robots = page(gl.number)
    assert status == 200
    assert standing_of(html) == certificates.SCHEDULED
    assert escape(STANDING_HEADLINES[certificates.SCHEDULED]) in html
    assert robots == "noindex, nofollow, noarchive"


def test_a_certificate_in_its_window_is_in_force_with_insured_holder_line_and_window(
    gl: Certificate,
) -> None:
    move_window(gl, starts_in=-timedelta(hours=1))
    gl.refresh_from_db()
    status, html, _ = page(gl.number)
    assert status == 200
    assert standing_of(html) == certificates.IN_FORCE
    assert STANDING_HEADLINES[certificates.IN_FORCE] in html
    assert INSURED_NAME in html
    assert HOLDER_NAME in html
    assert "General liability" in html
    assert "additional insured for the dispatch window" in html
    # In the job site's zone (New Jersey), whoever reads it, ends by the 24:00 rule.
    site = gl.assignment.job.zone
    assert str(site) == "America/New_York"
    window = f"{moment(gl.effective_at, site)} – {end_moment(gl.end_at, site)}"
    assert window in html and " UTC" not in window
    assert f"/certificates/{gl.number}/pdf" in html


def test_it_shows_nothing_else_about_the_platform(
    gl: Certificate, platform: Platform, policy: Policy, job: WorkJob
) -> None:
    _, html, _ = page(gl.number)
    for private in (
        platform.name,
        platform.public_id,
        policy.public_id,
        job.public_id,
        job.name,
        gl.assignment.public_id,
        "premium",
    ):
        assert private not in html


def test_a_certificate_past_its_window_is_expired(gl: Certificate) -> None:
    move_window(gl, starts_in=-timedelta(days=40))
    _, html, _ = page(gl.number)
    assert standing_of(html) == certificates.EXPIRED
    assert STANDING_HEADLINES[certificates.EXPIRED] in html


def test_a_certificate_past_its_policy_term_is_expired(gl: Certificate) -> None:
    move_window(gl, starts_in=-timedelta(hours=1))
    Certificate.objects.filter(pk=gl.pk).update(
        policy_expires_at=timezone.now() - timedelta(minutes=1)
    )
    _, html, _ = page(gl.number)
    assert standing_of(html) == certificates.EXPIRED


def test_a_cancelled_dispatchs_certificate_says_revoked_from_that_moment(
    gl: Certificate, job: WorkJob
) -> None:
    cancel_job_assignment(job=job, reason="client_request", now=timezone.now())
    _, html, _ = page(gl.number)
    assert standing_of(html) == certificates.REVOKED
    assert STANDING_HEADLINES[certificates.REVOKED] in html
    assert certificates.REVOCATION_TEXT[certificates.ASSIGNMENT_CANCELLED] in html


def test_a_replaced_certificate_says_so(gl: Certificate, job: WorkJob) -> None:
    extend_job_assignment(
        job=job, end_at=gl.end_at + timedelta(days=2), now=timezone.now()
    )
    _, html, _ = page(gl.number)
    assert standing_of(html) == certificates.SUPERSEDED
    assert (
        escape(
            certificates.REVOCATION_TEXT[certificates.DISPATCH_CHANGED]
            + " "
            + certificates.REPLACED_TEXT
        )
        in html
    )


@pytest.mark.parametrize(
    "number",
    [
        "COI-0000000000000000000000000",
        "COI-NOPE",
        "anything",
        "%00",
        "COI-" + "Z" * 300,
    ],
)
def test_unknown_numbers_get_a_plain_not_found(gl: Certificate, number: str) -> None:
    status, html, robots = page(number)
    assert status == 404
    assert escape(CERTIFICATE_NOT_FOUND) in html
    assert 'data-testid="certificate-not-found"' in html
    assert robots == "noindex, nofollow, noarchive"


def test_a_number_typed_in_lower_case_is_found(gl: Certificate) -> None:
    status, _, _ = page(gl.number.lower())
    assert status == 200


def test_an_unknown_number_costs_the_same_one_query_as_a_known_one(
    gl: Certificate, django_assert_num_queries
) -> None:
    # The page never reveals more than "no such certificate": one indexed lookup
    # either way, no session or user read for an anonymous visitor.
    with django_assert_num_queries(1):
        Client().get(f"/certificates/{gl.number}/")
    with django_assert_num_queries(1):
        Client().get("/certificates/COI-00000000000000000000000000/")


def test_the_page_is_never_cached(gl: Certificate) -> None:
    response = Client().get(f"/certificates/{gl.number}/")
    assert "no-store" in response["Cache-Control"]


def test_numbers_are_unique_and_random(
    contractor: Contractor, job: WorkJob, policy: Policy
) -> None:
    numbers = set()
    for day in range(5):
        # Successive days: one live dispatch per contractor, job and window.
        start = timezone.now() + timedelta(days=day + 1)
        assignment = create_assignment(
            contractor=contractor,
            job=job,
            lines=[WC, GL],
            effective_at=start,
            end_at=start + timedelta(hours=2),
            now=timezone.now(),
        )
        numbers |= set(assignment.certificates.values_list("number", flat=True))
    assert len(numbers) == 10
    # No shared run of characters beyond the prefix: nothing sequential to walk.
    suffixes = sorted(n.removeprefix("COI-") for n in numbers)
    assert len({s[:6] for s in suffixes}) == 10

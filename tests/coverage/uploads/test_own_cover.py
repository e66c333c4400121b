"""Outside certificates count for eligibility (issue 18): our WC and the tech's own GL
cover one dispatch; we price and certify only our line."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coverage.models import (
    Assignment,
    Contractor,
    Entity,
    LedgerEntry,
    UploadedCertificate,
)
from coverage.services import eligibility
from coverage.services.eligibility import ENTITY_REQUIREMENT_UNMET, REQUIRES_LINE
from coverage.uploads.judging import LINE_OURS
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.helpers import ApiClient, bound_policy, make_job, unix
from tests.coverage.uploads import corpus
from tests.coverage.uploads.conftest import GL, WC, pdf_file

pytestmark = pytest.mark.django_db

GL_MISSING = ENTITY_REQUIREMENT_UNMET.format(
    requirement=REQUIRES_LINE.format(line="general liability")
)


@pytest.fixture
def harbor_requires_both(harbor: Entity) -> Entity:
    Entity.objects.filter(pk=harbor.pk).update(required_coverage=[GL, WC])
    harbor.refresh_from_db()
    return harbor


@pytest.fixture
def our_wc(tech: Contractor, category, product):
    return bound_policy(tech, category=category, lines=[WC], days=400)


def dispatch(api: ApiClient, tech: Contractor, job, **extra: Any) -> dict:
    response = api.post(
        "/assignments", {"contractor": tech.public_id, "job": job.public_id, **extra}
    )
    assert response.status_code == 201, response.content
    return response.json()


def own_gl(upload: Any, tech: Contractor, entity: Entity | None, today: date) -> dict:
    fields = {
        "contractor": tech.public_id,
        "certificate": pdf_file(
            corpus.acord_form(corpus.acord_values(today, with_wc=False))
        ),
    }
    if entity is not None:
        fields["entity"] = entity.public_id
    response = upload(**fields)
    assert response.status_code == 201, response.content
    return response.json()


def shown(platform_key: str, upload_id: str) -> dict:
    return (
        Client()
        .get(
            f"/api/v1/files/certificates/{upload_id}?expand[]=review_results.full",
            headers=bearer(platform_key),
        )
        .json()
    )


def test_our_wc_and_the_techs_approved_gl_cover_the_dispatch(
    api: ApiClient,
    upload: Any,
    platform: Platform,
    platform_key: str,
    tech: Contractor,
    harbor_requires_both: Entity,
    our_wc,
    category,
    today: date,
) -> None:
    job = make_job(platform, category=category, entity=harbor_requires_both)
    before = dispatch(api, tech, job)
    assert before["eligible"] == {"result": False, "message": GL_MISSING}

    sent = own_gl(upload, tech, harbor_requires_both, today)
    review = shown(platform_key, sent["id"])
    # The review knows the WC line is ours: it approves a GL-only certificate.
    assert review["status"] == "approved", review
    messages = [r["message"] for r in review["review_results"]["audit_results"]]
    assert (
        LINE_OURS.format(line="Workers' compensation", number=our_wc.number) in messages
    )

    # The approval re-decided the live dispatch.
    after = api.get(f"/assignments/{before['id']}").json()
    assert after["eligible"]["result"] is True, after["eligible"]
    assert after["coverage_type"] == [WC]
    assert after["own_certificates"] == {GL: sent["id"]}
    assert list(after["certificates"]) == ["wc_coi_pdf_url"]
    assert after["policy"] == our_wc.public_id
    # Premium for our line only: the ledger holds WC and nothing for GL.
    lines = set(
        LedgerEntry.objects.filter(assignment__public_id=before["id"]).values_list(
            "line", flat=True
        )
    )
    assert lines == {WC}
    assert after["premium"] == sum(
        LedgerEntry.objects.filter(assignment__public_id=before["id"]).values_list(
            "amount", flat=True
        )
    )
    assert after["premium"] > 0

    # A new dispatch (another job of the customer's: the same window on this job
    # would be a duplicate) is decided the same way at once.
    another = make_job(platform, category=category, entity=harbor_requires_both)
    fresh = dispatch(api, tech, another)
    assert fresh["eligible"]["result"] is True
    assert (fresh["coverage_type"], fresh["own_certificates"]) == (
        [WC],
        {GL: sent["id"]},
    )
    assert fresh["premium"] == after["premium"]


def test_a_dispatch_asking_for_gl_is_not_charged_for_it(
    api: ApiClient,
    upload: Any,
    platform: Platform,
    tech: Contractor,
    harbor: Entity,
    category,
    product,
    today: date,
    with_default: Platform,
) -> None:
    """Our WC + GL policy, the tech's own GL approved: GL is theirs, only WC is ours."""
    bound_policy(tech, category=category, lines=[WC, GL], days=400)
    job = make_job(platform, category=category, entity=harbor)
    both = dispatch(api, tech, job, coverage_type=[WC])
    sent = own_gl(upload, tech, None, today)
    assert UploadedCertificate.objects.get(public_id=sent["id"]).status == "approved"
    # Another job of the customer's (the same window on this one is a duplicate).
    same_terms = make_job(platform, category=category, entity=harbor)
    body = dispatch(api, tech, same_terms, coverage_type=[WC, GL])
    assert body["eligible"]["result"] is True
    assert body["coverage_type"] == [WC]
    assert set(body["own_certificates"]) == {GL}
    assert body["premium"] == both["premium"]


def test_a_certificate_that_ends_inside_the_window_does_not_count(
    api: ApiClient,
    upload: Any,
    platform: Platform,
    tech: Contractor,
    harbor_requires_both: Entity,
    our_wc,
    category,
    today: date,
) -> None:
    job = make_job(platform, category=category, entity=harbor_requires_both)
    own_gl(upload, tech, harbor_requires_both, today)
    _, expires = corpus.term(today)
    # The certificate's GL runs until ``expires``: a dispatch over that day is not
    # covered for its whole window.
    start = timezone.now().replace(
        year=expires.year, month=expires.month, day=expires.day
    ) - timedelta(days=1)
    body = dispatch(
        api,
        tech,
        job,
        effective_date=unix(start),
        end_date=unix(start + timedelta(days=2)),
    )
    assert body["eligible"] == {"result": False, "message": GL_MISSING}
    assert body["own_certificates"] == {}
    # The day before it lapses is still covered.
    inside = dispatch(
        api,
        tech,
        job,
        effective_date=unix(start - timedelta(days=3)),
        end_date=unix(start - timedelta(days=2)),
    )
    assert inside["eligible"]["result"] is True


def test_an_approval_for_another_customer_proves_nothing_here(
    api: ApiClient,
    upload: Any,
    platform: Platform,
    tech: Contractor,
    harbor_requires_both: Entity,
    our_wc,
    category,
    today: date,
) -> None:
    other = Entity.objects.create(
        platform=platform, name="Other Customer", required_coverage=[GL]
    )
    sent = own_gl(upload, tech, other, today)
    assert UploadedCertificate.objects.get(public_id=sent["id"]).status == "approved"
    job = make_job(platform, category=category, entity=harbor_requires_both)
    body = dispatch(api, tech, job)
    assert body["eligible"] == {"result": False, "message": GL_MISSING}


def test_the_board_and_the_ticket_say_which_certificate_covers_which_line(
    api: ApiClient,
    upload: Any,
    platform: Platform,
    tech: Contractor,
    harbor_requires_both: Entity,
    our_wc,
    category,
    today: date,
    dispatcher,
    client_as,
) -> None:
    job = make_job(platform, category=category, entity=harbor_requires_both)
    sent = own_gl(upload, tech, harbor_requires_both, today)
    body = dispatch(api, tech, job)
    portal = client_as(dispatcher)
    day = timezone.now().date() + timedelta(days=1)  # the API's default start
    board = portal.get(f"/board/?day={day.isoformat()}").content.decode()
    assert "own GL (approved)" in board and "WC covered" in board
    assert 'data-testid="own-lapses"' not in board
    page = portal.get(f"/tickets/{body['id']}/").content.decode()
    assert f"Tech's own <code>{sent['id']}</code>; no premium from us" in page
    assert "own GL (approved)" in page


def test_an_own_certificate_lapsing_within_30_days_warns_on_the_board(
    api: ApiClient,
    upload: Any,
    platform: Platform,
    tech: Contractor,
    harbor_requires_both: Entity,
    our_wc,
    category,
    today: date,
    dispatcher,
    client_as,
) -> None:
    values = corpus.acord_values(today, with_wc=False)
    lapses = today + timedelta(days=20)
    values["Policy_GeneralLiability_ExpirationDate_A"] = corpus.mdy(lapses)
    response = upload(
        contractor=tech.public_id,
        entity=harbor_requires_both.public_id,
        certificate=pdf_file(corpus.acord_form(values)),
    )
    assert response.status_code == 201
    job = make_job(platform, category=category, entity=harbor_requires_both)
    start = timezone.now() + timedelta(days=1)
    body = dispatch(
        api,
        tech,
        job,
        effective_date=unix(start),
        end_date=unix(start + timedelta(hours=2)),
    )
    assert body["own_certificates"] == {GL: response.json()["id"]}
    day = start.astimezone(UTC).date()
    board = client_as(dispatcher).get(f"/board/?day={day}").content.decode()
    warning = f"own GL lapses {lapses:%b} {lapses.day}, {lapses.year}"
    assert warning in board


def lapsing_gl(upload: Any, tech: Contractor, entity: Entity, today: date, days: int):
    values = corpus.acord_values(today, with_wc=False)
    values["Policy_GeneralLiability_ExpirationDate_A"] = corpus.mdy(
        today + timedelta(days=days)
    )
    response = upload(
        contractor=tech.public_id,
        entity=entity.public_id,
        certificate=pdf_file(corpus.acord_form(values)),
    )
    assert response.status_code == 201
    return response.json()


def short_dispatch(api: ApiClient, tech: Contractor, job, *, later: int = 0) -> dict:
    # ``later`` hours on: two-hour shifts that do not overlap (one live dispatch per
    # tech, job and window).
    start = timezone.now() + timedelta(days=1, hours=later)
    return dispatch(
        api,
        tech,
        job,
        effective_date=unix(start),
        end_date=unix(start + timedelta(hours=2)),
    )


def test_extending_past_the_own_certificate_re_decides_the_dispatch(
    api: ApiClient,
    upload: Any,
    platform: Platform,
    tech: Contractor,
    harbor_requires_both: Entity,
    our_wc,
    category,
    today: date,
) -> None:
    job = make_job(platform, category=category, entity=harbor_requires_both)
    lapsing_gl(upload, tech, harbor_requires_both, today, days=10)
    body = short_dispatch(api, tech, job)
    assert body["eligible"]["result"] and set(body["own_certificates"]) == {GL}
    response = api.post(
        "/assignments/extend",
        {
            "job": job.public_id,
            "contractor": tech.public_id,
            "end_date": unix(timezone.now() + timedelta(days=15)),
        },
    )
    assert response.status_code == 200, response.content
    extended = response.json()
    # The GL certificate ends inside the longer window: GL is ours again, and our
    # WC-only policy cannot give it.
    assert extended["own_certificates"] == {}
    assert extended["eligible"] == {"result": False, "message": eligibility.NO_COVERAGE}
    assert extended["premium"] == 0


def test_the_daily_sweep_re_decides_what_a_lapse_left_uncovered(
    api: ApiClient,
    upload: Any,
    platform: Platform,
    tech: Contractor,
    harbor_requires_both: Entity,
    our_wc,
    category,
    today: date,
) -> None:
    job = make_job(platform, category=category, entity=harbor_requires_both)
    lapsing_gl(upload, tech, harbor_requires_both, today, days=10)
    kept = short_dispatch(api, tech, job)
    stale = short_dispatch(api, tech, job, later=3)
    # A window that grew without a re-decision (written before the rule, or by hand).
    Assignment.objects.filter(public_id=stale["id"]).update(
        end_at=timezone.now() + timedelta(days=20)
    )
    out = StringIO()
    # Time moved, not slept: the sweep runs eleven days on, once the GL has lapsed.
    later = timezone.now() + timedelta(days=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("lapse_own_certificates", stdout=out)
    assert f"{stale['id']}:" in out.getvalue()
    assert "1 dispatch(es) re-decided." in out.getvalue()
    assert api.get(f"/assignments/{stale['id']}").json()["own_certificates"] == {}
    # The one that ended before the lapse is left as it was decided.
    assert set(api.get(f"/assignments/{kept['id']}").json()["own_certificates"]) == {GL}
    # Nothing left to do: a second run changes nothing.
    again = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("lapse_own_certificates", stdout=again)
    assert "0 dispatch(es) re-decided." in again.getvalue()


def test_an_eligibility_check_with_own_cover_reads_in_three_queries(
    upload: Any,
    platform: Platform,
    tech: Contractor,
    harbor_requires_both: Entity,
    our_wc,
    category,
    today: date,
    django_assert_num_queries,
) -> None:
    for _ in range(3):
        own_gl(upload, tech, harbor_requires_both, today)
    job = make_job(platform, category=category, entity=harbor_requires_both)
    job = type(job).objects.select_related("category_code", "entity").get(pk=job.pk)
    contractor = Contractor.objects.select_related("platform").get(pk=tech.pk)
    start = timezone.now() + timedelta(days=1)
    # category approval, live policies, approved outside certificates — however many
    with django_assert_num_queries(3):
        result = eligibility.check(
            contractor=contractor,
            job=job,
            lines=None,
            effective_at=start,
            end_at=start + timedelta(hours=2),
        )
    assert result.result and set(result.own_cover) == {GL}

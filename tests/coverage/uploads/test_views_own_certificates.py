"""The tech's own-certificates page: a dispatcher uploads a PDF (the API's checks, inline),
sees the review's decision with its reasons, and is warned when an approved one lapses
within 30 days; other platforms get 404."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from coverage.models import Contractor, Entity, UploadedCertificate
from coverage.uploads.intake import NOT_PDF_CONTENT, NOT_PDF_MIME
from coverage.uploads.judging import INSURED_MISMATCH, LIMIT_BELOW
from coverage.views.own_certificates import EXPIRES_SOON, NO_UPLOADS, UPLOADED
from portal.models import Platform, User
from tests.coverage.uploads import corpus
from tests.coverage.uploads.conftest import pdf_file

pytestmark = pytest.mark.django_db


def page_of(client: Any, tech: Contractor) -> str:
    response = client.get(f"/techs/{tech.public_id}/certificates/")
    assert response.status_code == 200
    return response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")


def post(client: Any, tech: Contractor, capture: Any, **fields: Any) -> Any:
    with capture(execute=True):
        return client.post(f"/techs/{tech.public_id}/certificates/upload", fields)


def test_a_dispatcher_uploads_and_reads_the_reason(
    dispatcher: User,
    client_as: Any,
    tech: Contractor,
    with_default: Platform,
    today: date,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_as(dispatcher)
    assert NO_UPLOADS in page_of(client, tech)
    response = post(
        client,
        tech,
        django_capture_on_commit_callbacks,
        certificate=pdf_file(corpus.flattened(today, insured="Terrence Technik LLC")),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?uploaded=1")
    assert UPLOADED in client.get(response["Location"]).content.decode()
    page = page_of(client, tech)
    assert "Flagged" in page
    assert (
        INSURED_MISMATCH.format(found="Terrence Technik LLC", expected="Terry Tech")
        in page
    )


def test_the_upload_can_name_the_customer_whose_requirement_applies(
    dispatcher: User,
    client_as: Any,
    tech: Contractor,
    harbor: Entity,
    today: date,
    django_capture_on_commit_callbacks: Any,
) -> None:
    harbor.required_coverage = ["general"]
    harbor.aggregate_limit = 200_000_000
    harbor.save()
    client = client_as(dispatcher)
    post(
        client,
        tech,
        django_capture_on_commit_callbacks,
        certificate=pdf_file(corpus.flattened(today, aggregate="$1,000,000")),
        # What the customer picker posts: the id it offered, and its text box.
        entity=harbor.public_id,
        entity_search=harbor.name,
    )
    assert UploadedCertificate.objects.get().entity == harbor
    assert LIMIT_BELOW.format(
        label="General aggregate",
        actual="$1,000,000",
        required="$2,000,000",
        owner="Harbor Property Group",
    ) in page_of(client, tech)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (lambda t: pdf_file(corpus.not_a_pdf()), NOT_PDF_CONTENT),
        (lambda t: pdf_file(corpus.ours(t), content_type="image/png"), NOT_PDF_MIME),
    ],
)
def test_a_file_the_api_would_refuse_is_refused_inline(
    dispatcher: User,
    client_as: Any,
    tech: Contractor,
    with_default: Platform,
    today: date,
    file: Any,
    message: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = post(
        client_as(dispatcher),
        tech,
        django_capture_on_commit_callbacks,
        certificate=file(today),
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not UploadedCertificate.objects.exists()


def test_an_approved_certificate_lapsing_within_30_days_warns(
    dispatcher: User,
    client_as: Any,
    tech: Contractor,
    with_default: Platform,
    today: date,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Started 345 days ago on a 365-day term: 20 days left.
    values = corpus.acord_values(today)
    effective, expires = corpus.term(today, started_days_ago=345)
    for key in list(values):
        if key.endswith("EffectiveDate_A"):
            values[key] = corpus.mdy(effective)
        if key.endswith("ExpirationDate_A"):
            values[key] = corpus.mdy(expires)
    client = client_as(dispatcher)
    post(
        client,
        tech,
        django_capture_on_commit_callbacks,
        certificate=pdf_file(corpus.acord_form(values)),
    )
    certificate = UploadedCertificate.objects.get()
    assert certificate.status == "approved"
    page = page_of(client, tech)
    assert expires - today == timedelta(days=20)
    assert (
        EXPIRES_SOON.format(
            line="general liability",
            certificate=certificate.public_id,
            date=corpus.mdy(expires),
            days=20,
        )
        in page
    )


def test_another_platform_and_non_dispatchers_cannot_upload(
    outsider: User,
    underwriter: User,
    client_as: Any,
    tech: Contractor,
    with_default: Platform,
    today: date,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert (
        client_as(outsider).get(f"/techs/{tech.public_id}/certificates/").status_code
        == 404
    )
    refused = post(
        client_as(outsider),
        tech,
        django_capture_on_commit_callbacks,
        certificate=pdf_file(corpus.ours(today)),
    )
    assert refused.status_code == 404  # someone else's tech
    assert (
        post(
            client_as(underwriter),
            tech,
            django_capture_on_commit_callbacks,
            certificate=pdf_file(corpus.ours(today)),
        ).status_code
        == 403
    )
    assert not UploadedCertificate.objects.exists()
    # The underwriter reads the page, without the form.
    assert 'data-testid="upload"' not in page_of(client_as(underwriter), tech)

"""Flagged certificates queue for an underwriter, who approves or denies with a reason:
recorded (who, when, why), announced, and refused inline when it cannot be done."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from coverage.models import Contractor, Event, UploadedCertificate
from coverage.uploads.decisions import APPROVED_BY, NOT_FLAGGED, REASON_REQUIRED
from coverage.uploads.judging import INSURED_MISMATCH
from coverage.views.uploaded_certificates import QUEUE_EMPTY
from portal.models import Platform, User
from tests.coverage.uploads import corpus
from tests.coverage.uploads.conftest import pdf_file

pytestmark = pytest.mark.django_db

DBA = "Terry Tech Cleaning Services"


@pytest.fixture
def flagged(
    upload: Any, tech: Contractor, with_default: Platform, today: date
) -> UploadedCertificate:
    # The tech's business name, not theirs: a person must say whether it is them.
    response = upload(
        contractor=tech.public_id,
        certificate=pdf_file(corpus.flattened(today, insured=DBA)),
    )
    certificate = UploadedCertificate.objects.get(public_id=response.json()["id"])
    assert certificate.status == "flagged"
    return certificate


def test_the_queue_lists_flagged_certificates_in_constant_queries(
    flagged: UploadedCertificate,
    upload: Any,
    tech: Contractor,
    today: date,
    underwriter: User,
    client_as: Any,
    django_assert_num_queries: Any,
) -> None:
    for _ in range(3):
        upload(contractor=tech.public_id, certificate=pdf_file(corpus.scanned()))
    client = client_as(underwriter)
    # session, user, the session's authenticator (django-otp), the flagged
    # certificates with their tech, entity and platform
    with django_assert_num_queries(4):
        response = client.get("/underwriting/certificates/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("/underwriting/certificates/ci_") == 4
    assert flagged.public_id in page


def test_the_queue_is_for_underwriters_only(
    dispatcher: User,
    support: User,
    client_as: Any,
    client: Any,
    flagged: UploadedCertificate,
) -> None:
    for user in (dispatcher, support):
        assert client_as(user).get("/underwriting/certificates/").status_code == 403
        assert (
            client_as(user)
            .get(f"/underwriting/certificates/{flagged.public_id}/")
            .status_code
            == 403
        )
    anonymous = client.get("/underwriting/certificates/")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_an_empty_queue_says_so(underwriter: User, client_as: Any) -> None:
    assert (
        QUEUE_EMPTY
        in client_as(underwriter).get("/underwriting/certificates/").content.decode()
    )


def test_the_review_page_shows_what_was_read_and_why_it_was_flagged(
    flagged: UploadedCertificate, underwriter: User, client_as: Any
) -> None:
    page = (
        client_as(underwriter)
        .get(f"/underwriting/certificates/{flagged.public_id}/")
        .content.decode()
    )
    assert (
        INSURED_MISMATCH.format(found=DBA, expected="Terry Tech").replace('"', "&quot;")
        in page
    )
    assert "KMC-GL-778812" in page
    assert f"/api/v1/files/certificates/{flagged.public_id}/pdf" in page
    # The underwriter opens the PDF with their session.
    pdf = client_as(underwriter).get(
        f"/api/v1/files/certificates/{flagged.public_id}/pdf"
    )
    assert pdf.status_code == 200


def test_approving_with_a_reason_records_who_why_and_announces_it(
    flagged: UploadedCertificate, underwriter: User, client_as: Any
) -> None:
    reason = "Terry trades as Terry Tech Cleaning Services (sole proprietor)."
    response = client_as(underwriter).post(
        f"/underwriting/certificates/{flagged.public_id}/decide",
        {"decision": "approve", "reason": reason},
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == "approved"
    assert flagged.decided_by == underwriter and flagged.decision_reason == reason
    last = flagged.review_results.order_by("pk").last()
    assert last is not None
    assert last.message == APPROVED_BY.format(who="uma", reason=reason)
    assert last.manually_approved
    assert (
        flagged.review_results.filter(rule_name="named_insured").get().manually_approved
    )
    assert list(Event.objects.order_by("pk").values_list("type", flat=True)) == [
        "certificate.flagged",
        "certificate.approved",
    ]


def test_denying_needs_a_reason_and_a_decided_certificate_is_not_decided_again(
    flagged: UploadedCertificate, underwriter: User, client_as: Any
) -> None:
    client = client_as(underwriter)
    url = f"/underwriting/certificates/{flagged.public_id}/decide"
    missing = client.post(url, {"decision": "deny", "reason": "  "})
    assert missing.status_code == 422
    assert REASON_REQUIRED in missing.content.decode().replace("&#x27;", "'")
    flagged.refresh_from_db()
    assert flagged.status == "flagged"

    assert (
        client.post(
            url, {"decision": "deny", "reason": "Not the tech's policy."}
        ).status_code
        == 302
    )
    flagged.refresh_from_db()
    assert flagged.status == "denied"
    again = client.post(url, {"decision": "approve", "reason": "Changed my mind."})
    assert again.status_code == 422
    assert NOT_FLAGGED.format(status="denied") in again.content.decode()
    assert list(Event.objects.order_by("pk").values_list("type", flat=True)) == [
        "certificate.flagged",
        "certificate.denied",
    ]

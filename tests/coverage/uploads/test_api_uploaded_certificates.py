"""/api/v1/files/certificates through HTTP: every documented error, tenancy, list and
retrieve with expand[], downloads, and query counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from coverage.api.inputs import NO_SUCH
from coverage.api.uploaded_certificates import BAD_MULTIPART, UNKNOWN_EXPAND
from coverage.models import Contractor, Entity, UploadedCertificate
from coverage.uploads.intake import (
    MAX_BYTES,
    MISSING_CERTIFICATE,
    MISSING_CONTRACTOR,
    NOT_PDF_CONTENT,
    NOT_PDF_MIME,
    NOT_PDF_NAME,
    TOO_BIG,
)
from coverage.uploads.requirements import NO_REQUIREMENT
from portal.api import INVALID_API_KEY
from portal.models import Platform
from tests.conftest import bearer, field_errors
from tests.coverage.uploads import corpus
from tests.coverage.uploads.conftest import pdf_file

pytestmark = pytest.mark.django_db


def refused(response: Any, status: int, code: str, message: Any) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if isinstance(message, dict):
        body = field_errors(body)
    assert body == {"message": message, "error_code": code}
    assert not UploadedCertificate.objects.exists()


def test_a_certificate_is_accepted_pending_and_reviewed_in_the_background(
    upload: Any,
    tech: Contractor,
    with_default: Platform,
    today: date,
    platform_key: str,
) -> None:
    response = upload(
        contractor=tech.public_id, certificate=pdf_file(corpus.ours(today), "mine.pdf")
    )

    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("ci_") and len(body["id"]) == 13
    assert body["status"] == "pending" and body["review_results"] is None
    assert body["contractor"] == tech.public_id and body["filename"] == "mine.pdf"
    assert body["entity"] is None and body["requirement_source"] == "platform"

    shown = (
        Client()
        .get(f"/api/v1/files/certificates/{body['id']}", headers=bearer(platform_key))
        .json()
    )
    assert shown["status"] == "approved"
    assert shown["review_results"].startswith("ca_")


def test_no_file_is_missing_certificate(
    upload: Any, tech: Contractor, with_default: Platform
) -> None:
    refused(
        upload(contractor=tech.public_id),
        400,
        "missing_certificate",
        MISSING_CERTIFICATE,
    )


def test_no_contractor_is_missing_contractor_id(
    upload: Any, with_default: Platform, today: date
) -> None:
    refused(
        upload(certificate=pdf_file(corpus.ours(today))),
        400,
        "missing_contractor_id",
        MISSING_CONTRACTOR,
    )


def test_a_name_not_ending_in_pdf_is_invalid_file_type(
    upload: Any, tech: Contractor, with_default: Platform, today: date
) -> None:
    refused(
        upload(
            contractor=tech.public_id,
            certificate=pdf_file(corpus.ours(today), "coi.docx"),
        ),
        400,
        "invalid_file_type",
        NOT_PDF_NAME,
    )


def test_another_mime_type_is_invalid_mime_type(
    upload: Any, tech: Contractor, with_default: Platform, today: date
) -> None:
    refused(
        upload(
            contractor=tech.public_id,
            certificate=pdf_file(corpus.ours(today), content_type="image/png"),
        ),
        400,
        "invalid_mime_type",
        NOT_PDF_MIME,
    )


def test_a_file_that_does_not_start_with_pdf_is_invalid_file_type(
    upload: Any, tech: Contractor, with_default: Platform
) -> None:
    refused(
        upload(contractor=tech.public_id, certificate=pdf_file(corpus.not_a_pdf())),
        400,
        "invalid_file_type",
        NOT_PDF_CONTENT,
    )


def test_a_16_mb_file_is_invalid_file_size(
    upload: Any, tech: Contractor, with_default: Platform, today: date
) -> None:
    refused(
        upload(
            contractor=tech.public_id,
            certificate=pdf_file(corpus.sixteen_megabytes(today)),
        ),
        400,
        "invalid_file_size",
        TOO_BIG,
    )


def test_one_byte_over_15_mb_is_stopped_while_it_streams(
    upload: Any, tech: Contractor, with_default: Platform, today: date
) -> None:
    # Small enough for the request to be read, so the streaming cap is what refuses it.
    whole = corpus.ours(today)
    over = whole + b"%" + b"0" * (MAX_BYTES - len(whole))
    assert len(over) == MAX_BYTES + 1
    refused(
        upload(contractor=tech.public_id, certificate=pdf_file(over)),
        400,
        "invalid_file_size",
        TOO_BIG,
    )


def test_exactly_15_mb_is_accepted(
    upload: Any, tech: Contractor, with_default: Platform, today: date
) -> None:
    whole = corpus.ours(today)
    exact = whole + b"%" + b"0" * (MAX_BYTES - len(whole) - 1)
    response = upload(contractor=tech.public_id, certificate=pdf_file(exact))
    assert response.status_code == 201, response.content


def test_without_any_requirement_it_is_no_insurance_requirement_found(
    upload: Any, tech: Contractor, today: date, harbor: Entity
) -> None:
    # Harbor sets no requirement and the platform has no default.
    refused(
        upload(
            contractor=tech.public_id,
            entity=harbor.public_id,
            certificate=pdf_file(corpus.ours(today)),
        ),
        400,
        "no_insurance_requirement_found",
        NO_REQUIREMENT,
    )


def test_a_json_body_is_not_a_certificate(
    tech: Contractor, platform_key: str, with_default: Platform
) -> None:
    response = Client().post(
        "/api/v1/files/certificates",
        data={"contractor": tech.public_id},
        content_type="application/json",
        headers=bearer(platform_key),
    )
    refused(response, 400, "missing_certificate", MISSING_CERTIFICATE)


def test_a_malformed_multipart_body_is_a_400_in_the_apis_format(
    platform_key: str,
) -> None:
    response = Client().generic(
        "POST",
        "/api/v1/files/certificates",
        data=b'--x\r\nContent-Disposition: form-data; name="certificate"\r\n',
        content_type="multipart/form-data; boundary=",
        headers=bearer(platform_key),
    )
    refused(response, 400, "invalid_input", BAD_MULTIPART)


def test_without_a_key_it_is_a_json_401(tech: Contractor, today: date) -> None:
    response = Client().post(
        "/api/v1/files/certificates",
        data={
            "contractor": tech.public_id,
            "certificate": pdf_file(corpus.ours(today)),
        },
    )
    refused(response, 401, "invalid_api_key", INVALID_API_KEY)


def test_another_platforms_contractor_or_entity_is_a_404(
    upload: Any,
    with_default: Platform,
    other_platform: Platform,
    tech: Contractor,
    today: date,
) -> None:
    theirs = Contractor.objects.create(
        platform=other_platform, first_name="O", last_name="T", email="o@example.com"
    )
    refused(
        upload(contractor=theirs.public_id, certificate=pdf_file(corpus.ours(today))),
        404,
        "invalid_contractor_id",
        NO_SUCH.format(what="contractor", id=theirs.public_id),
    )
    their_entity = Entity.objects.create(platform=other_platform, name="Rival Towers")
    refused(
        upload(
            contractor=tech.public_id,
            entity=their_entity.public_id,
            certificate=pdf_file(corpus.ours(today)),
        ),
        404,
        "invalid_entity_id",
        NO_SUCH.format(what="entity", id=their_entity.public_id),
    )


@pytest.fixture
def uploaded(
    upload: Any, tech: Contractor, with_default: Platform, today: date
) -> dict[str, Any]:
    response = upload(
        contractor=tech.public_id,
        certificate=pdf_file(corpus.flattened(today, aggregate="$1,000,000")),
    )
    assert response.status_code == 201
    return response.json()


def test_retrieve_expands_the_review_and_its_full_results(
    uploaded: dict[str, Any], platform_key: str
) -> None:
    url = f"/api/v1/files/certificates/{uploaded['id']}"
    summary = (
        Client()
        .get(url + "?expand[]=review_results", headers=bearer(platform_key))
        .json()
    )
    review = summary["review_results"]
    assert summary["status"] == review["status"] == "denied"
    assert review["id"].startswith("ca_")
    assert set(review) == {"id", "status", "created", "summary"}
    stored = UploadedCertificate.objects.get(public_id=uploaded["id"])
    results = list(stored.review_results.all())
    assert review["summary"] == {
        "total_rules": len(results),
        "passed": sum(r.result == "pass" for r in results),
        "failed": sum(r.result in ("fail", "review") for r in results),
        "warnings": sum(r.result == "warn" for r in results),
    }
    assert review["summary"]["failed"] >= 1

    full = (
        Client()
        .get(url + "?expand[]=review_results.full", headers=bearer(platform_key))
        .json()
    )
    review = full["review_results"]
    parsed = review["parsed_certificate_json"]
    assert parsed["insured"]["name"] == "Terry Tech"
    gl = parsed["coverages"]["commercial_general_liability"]
    assert gl["limits"]["general_aggregate_dollars"] == 1_000_000
    assert [r["id"][:4] for r in review["audit_results"]] == ["car_"] * len(results)
    failed = [r for r in review["audit_results"] if r["result"] == "fail"]
    assert failed[0]["rule_path"] == (
        "coverages.commercial_general_liability.limits.general_aggregate_dollars"
    )
    assert failed[0]["manually_approved"] is False


def test_unknown_expand_is_refused(uploaded: dict[str, Any], platform_key: str) -> None:
    response = Client().get(
        f"/api/v1/files/certificates/{uploaded['id']}?expand[]=contractor",
        headers=bearer(platform_key),
    )
    assert response.status_code == 400
    assert field_errors(response.json()) == {
        "message": {"expand[]": UNKNOWN_EXPAND.format(value="contractor")},
        "error_code": "invalid_input",
    }


def test_another_platform_sees_none_of_it(
    uploaded: dict[str, Any], other_platform_key: str, outsider: Any, client_as: Any
) -> None:
    headers = bearer(other_platform_key)
    url = f"/api/v1/files/certificates/{uploaded['id']}"
    for path in (url, url + "/pdf"):
        response = Client().get(path, headers=headers)
        assert response.status_code == 404
        assert response.json()["error_code"] == "invalid_certificate_id"
    assert Client().get("/api/v1/files/certificates", headers=headers).json() == []
    assert client_as(outsider).get(url + "/pdf").status_code == 404


def test_the_pdf_downloads_with_the_key_or_the_platforms_session(
    uploaded: dict[str, Any], platform_key: str, dispatcher: Any, client_as: Any
) -> None:
    stored = UploadedCertificate.objects.get(public_id=uploaded["id"])
    assert uploaded["pdf_url"].endswith(
        f"/api/v1/files/certificates/{uploaded['id']}/pdf"
    )
    # The file is kept under a random name, never the uploader's.
    assert "coi" not in stored.file.name and stored.file.name.endswith(".pdf")
    for response in (
        Client().get(
            f"/api/v1/files/certificates/{uploaded['id']}/pdf",
            headers=bearer(platform_key),
        ),
        client_as(dispatcher).get(f"/api/v1/files/certificates/{uploaded['id']}/pdf"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Security-Policy"] == "sandbox"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_list_is_newest_first_pages_and_runs_constant_queries(
    upload: Any,
    tech: Contractor,
    with_default: Platform,
    today: date,
    platform_key: str,
    django_assert_num_queries: Any,
) -> None:
    data = corpus.flattened(today)
    ids = [
        upload(contractor=tech.public_id, certificate=pdf_file(data)).json()["id"]
        for _ in range(4)
    ]
    client = Client()
    # the key, the page (with contractor and entity joined), its review results
    with django_assert_num_queries(3):
        page = client.get(
            "/api/v1/files/certificates?limit=3&expand[]=review_results.full",
            headers=bearer(platform_key),
        ).json()
    assert [c["id"] for c in page] == ids[::-1][:3]
    assert all(c["review_results"]["audit_results"] for c in page)
    rest = client.get(
        f"/api/v1/files/certificates?starting_after={page[-1]['id']}",
        headers=bearer(platform_key),
    ).json()
    assert [c["id"] for c in rest] == [ids[0]]
    bad = client.get("/api/v1/files/certificates?limit=0", headers=bearer(platform_key))
    assert bad.status_code == 400 and bad.json()["error_code"] == "invalid_input"

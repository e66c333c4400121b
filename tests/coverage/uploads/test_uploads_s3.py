"""A tech's own certificate in a private S3 bucket (DJANGO_STORAGE_BACKEND=s3): stored
private with its type, reviewed from the bucket, downloaded through the API, linked
from the admin through the API, never written to the local media folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from coverage.models import Contractor, UploadedCertificate
from portal.models import Platform, User
from tests.conftest import bearer, sign_in
from tests.coverage.uploads import corpus
from tests.coverage.uploads.conftest import pdf_file
from tests.s3_server import Bucket

pytestmark = pytest.mark.django_db
PDF = "application/pdf"


def test_an_uploaded_certificate_is_kept_and_reviewed_from_the_bucket(
    bucket: Bucket,
    upload: Any,
    tech: Contractor,
    with_default: Platform,
    today: date,
    platform_key: str,
    media_root: Path,
    support: User,
) -> None:
    data = corpus.ours(today)
    response = upload(contractor=tech.public_id, certificate=pdf_file(data, "mine.pdf"))
    assert response.status_code == 201, response.content
    stored = UploadedCertificate.objects.get(public_id=response.json()["id"])
    key = stored.file.name
    assert bucket.keys() == [key] and key.startswith("uploaded-certificates/")
    assert bucket.body(key) == data
    assert bucket.head(key)["ContentType"] == PDF
    assert bucket.grants(key) == [("CanonicalUser", "FULL_CONTROL")]
    # The review task read it back from the bucket and judged it.
    assert stored.status == "approved"
    served = Client().get(
        f"/api/v1/files/certificates/{stored.public_id}/pdf",
        headers=bearer(platform_key),
    )
    assert (served.status_code, served["Content-Security-Policy"]) == (200, "sandbox")
    assert served.getvalue() == data
    assert [p for p in media_root.rglob("*") if p.is_file()] == []
    admin = sign_in(Client(), support).get(
        f"/admin/coverage/uploadedcertificate/{stored.pk}/change/"
    )
    text = admin.content.decode()
    assert f'href="/api/v1/files/certificates/{stored.public_id}/pdf"' in text
    assert bucket.server.endpoint not in text

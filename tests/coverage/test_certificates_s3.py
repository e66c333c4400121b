"""Certificate PDFs in a private S3 bucket (DJANGO_STORAGE_BACKEND=s3); uploads are in
tests/coverage/uploads/test_uploads_s3.py.

Against a real S3 server on 127.0.0.1 (moto in server mode, tests/s3_server.py): each
object is written private with its content type, read back only through the portal's
views (which check who asks), replaced and deleted as the file on disk would be, and
nothing is written to the local media folder. A bucket option that would publish the
files stops `manage.py check`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from coverage.models import Certificate, Contractor, WorkJob
from portal.models import User
from tests.conftest import bearer, sign_in
from tests.coverage.helpers import GL, WC, ApiClient, bound_policy
from tests.s3_server import Bucket

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PDF = "application/pdf"


def s3_calls(during) -> list[str]:
    """The S3 operations this thread's storage client makes while ``during()`` runs."""
    from django.core.files.storage import default_storage

    made: list[str] = []
    events = default_storage.connection.meta.client.meta.events  # type: ignore[attr-defined]

    def record(model: Any, **kwargs: Any) -> None:
        made.append(model.name)

    events.register("before-call.s3", record)
    try:
        during()
    finally:
        events.unregister("before-call.s3", record)
    return made


def local_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def dispatch(
    api: ApiClient, contractor: Contractor, job: WorkJob, capture
) -> dict[str, Any]:
    with capture(execute=True):  # the commit runs the render task
        response = api.post(
            "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
        )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_dispatchs_pdfs_are_private_objects_served_only_through_the_portal(
    bucket: Bucket,
    api: ApiClient,
    platform_key: str,
    contractor: Contractor,
    job: WorkJob,
    category,
    product,
    media_root: Path,
    django_capture_on_commit_callbacks,
) -> None:
    bound_policy(contractor, category=category)
    body = dispatch(api, contractor, job, django_capture_on_commit_callbacks)
    issued = Certificate.objects.filter(assignment__public_id=body["id"])
    assert sorted(c.line for c in issued) == sorted([GL, WC])
    assert bucket.keys() == sorted(c.pdf.name for c in issued)
    for certificate in issued:
        key = certificate.pdf.name
        assert key.startswith("certificates/") and key.endswith(".pdf")
        assert bucket.head(key)["ContentType"] == PDF
        # Private: the owner alone, no AllUsers / AuthenticatedUsers grant.
        assert bucket.grants(key) == [("CanonicalUser", "FULL_CONTROL")]
        stored = bucket.body(key)
        assert stored.startswith(b"%PDF-")
        # The API (platform key) and the public verification link both stream it.
        by_key = Client().get(
            f"/api/v1/certificates/{certificate.number}/pdf",
            headers=bearer(platform_key),
        )
        assert (by_key.status_code, by_key["Content-Type"]) == (200, PDF)
        assert by_key.getvalue() == stored
        public = Client().get(f"/certificates/{certificate.number}/pdf")
        assert public.getvalue() == stored
    # A download is one round trip to the bucket (a GET, no HEADs).
    number = issued[0].number
    assert s3_calls(lambda: Client().get(f"/certificates/{number}/pdf").getvalue()) == [
        "GetObject"
    ]
    # No link anywhere points into the bucket, and nothing went to the local disk.
    shown = api.get(f"/assignments/{body['id']}").content.decode()
    page = Client().get(f"/certificates/{issued[0].number}/").content.decode()
    for text in (shown, page):
        assert bucket.server.endpoint not in text and bucket.name not in text
    assert local_files(media_root) == []


def test_supports_admin_links_to_the_portals_downloads_not_the_bucket(
    bucket: Bucket,
    api: ApiClient,
    support: User,
    contractor: Contractor,
    job: WorkJob,
    category,
    product,
    django_capture_on_commit_callbacks,
) -> None:
    bound_policy(contractor, category=category)
    dispatch(api, contractor, job, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.filter(line=GL).get()
    admin = sign_in(Client(), support)
    page = admin.get(f"/admin/coverage/certificate/{certificate.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    link = f'href="/portal/certificates/{certificate.number}.pdf"'
    assert link in text and bucket.server.endpoint not in text
    download = admin.get(f"/portal/certificates/{certificate.number}.pdf")
    assert download.getvalue() == bucket.body(certificate.pdf.name)


def test_a_revoked_certificates_new_pdf_replaces_the_old_object(
    bucket: Bucket,
    api: ApiClient,
    platform_key: str,
    contractor: Contractor,
    job: WorkJob,
    category,
    product,
    django_capture_on_commit_callbacks,
) -> None:
    bound_policy(contractor, category=category)
    body = dispatch(api, contractor, job, django_capture_on_commit_callbacks)
    before = {c.pk: c.pdf.name for c in Certificate.objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api.post(
            "/assignments/cancel",
            {"job_id": job.public_id, "contractor": contractor.public_id},
        )
    assert cancelled.status_code == 200, cancelled.content
    after = {c.pk: c for c in Certificate.objects.all()}
    assert set(after) == set(before)
    assert all(c.status == Certificate.Status.REVOKED for c in after.values())
    # Each re-rendered once (VOID), the old object deleted: the bucket holds exactly
    # what the rows point at, and its history shows two writes per certificate.
    assert bucket.keys() == sorted(c.pdf.name for c in after.values())
    assert not set(bucket.keys()) & set(before.values())
    versions, deleted = bucket.server.versions(bucket.name)
    assert len(versions) == 2 * len(before)
    assert sorted(m["Key"] for m in deleted) == sorted(before.values())
    for certificate in after.values():
        served = Client().get(
            f"/api/v1/certificates/{certificate.number}/pdf",
            headers=bearer(platform_key),
        )
        assert served.getvalue() == bucket.body(certificate.pdf.name)
    print(
        f"\nS3: {len(before)} certificates, cancelled: {len(versions)} object writes, "
        f"{len(deleted)} old objects deleted, {len(bucket.keys())} left (dispatch {body['id']})"
    )


def check(options: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check` as a host runs it at deploy, with this bucket configuration."""
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_PAYMENT_PROCESSOR": "sandbox",
            "DJANGO_STORAGE_BACKEND": "s3",
            "DJANGO_STORAGE_OPTIONS": options,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_options_that_would_publish_the_files_stop_manage_py_check() -> None:
    public = check(
        '{"bucket_name": "coi", "default_acl": "public-read", '
        '"querystring_auth": false, "custom_domain": "cdn.example.com"}'
    )
    assert public.returncode == 1, public.stdout + public.stderr
    assert "portal.E020" in public.stderr
    for refusal in (
        "'public-read' is not private",
        "querystring_auth",
        "custom_domain",
    ):
        assert refusal in public.stderr
    unnamed = check("{}")
    assert unnamed.returncode == 1 and "name the bucket" in unnamed.stderr
    # AWS's ACL-less buckets take bucket-owner-full-control; the check needs no network.
    private = check(
        '{"bucket_name": "coi", "default_acl": "bucket-owner-full-control"}'
    )
    assert private.returncode == 0, private.stdout + private.stderr

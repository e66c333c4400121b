"""An upload whose review task was lost is reviewed by `manage.py review_certificates`;
a decided upload is never reviewed twice."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from coverage.models import Contractor, Event, UploadedCertificate
from coverage.uploads.review import review_now
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.uploads import corpus
from tests.coverage.uploads.conftest import pdf_file

pytestmark = pytest.mark.django_db


def test_the_sweep_reviews_what_a_dead_worker_left_and_only_once(
    platform_key: str, tech: Contractor, with_default: Platform, today: date
) -> None:
    # No on-commit callbacks run here: the review task is never enqueued (lost).
    response = Client().post(
        "/api/v1/files/certificates",
        data={
            "contractor": tech.public_id,
            "certificate": pdf_file(corpus.flattened(today)),
        },
        headers=bearer(platform_key),
    )
    assert response.status_code == 201
    certificate = UploadedCertificate.objects.get()
    assert certificate.status == "pending"

    out = StringIO()
    call_command("review_certificates", stdout=out)
    assert out.getvalue() == "Reviewed 1 uploaded certificate(s).\n"
    certificate.refresh_from_db()
    assert certificate.status == "approved"
    assert certificate.review_seconds is not None and certificate.review_seconds < 30

    results = certificate.review_results.count()
    assert review_now(certificate_id=certificate.pk) == "busy, gone or done"
    assert certificate.review_results.count() == results
    assert list(Event.objects.values_list("type", flat=True)) == [
        "certificate.approved"
    ]


def test_a_failure_of_our_own_is_an_error_without_an_event(
    upload: Any, tech: Contractor, with_default: Platform, today: date, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("judging bug")

    monkeypatch.setattr("coverage.uploads.judging.judge", broken)
    response = upload(
        contractor=tech.public_id, certificate=pdf_file(corpus.flattened(today))
    )
    assert response.status_code == 201
    assert UploadedCertificate.objects.get().status == "error"
    assert not Event.objects.exists()

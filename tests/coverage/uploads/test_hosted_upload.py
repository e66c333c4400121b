"""The tech's hosted upload link: made by the dispatcher, opened without a login, the same
intake and review as the API."""

from __future__ import annotations

import re
import time
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.test import Client

from coverage.models import Contractor, Entity, UploadedCertificate
from coverage.uploads.intake import NOT_PDF_NAME
from coverage.uploads.links import LINK_DAYS, make_token
from coverage.views.hosted_upload import LINK_INVALID, RECEIVED
from portal.models import User
from tests.coverage.uploads import corpus
from tests.coverage.uploads.conftest import pdf_file

pytestmark = pytest.mark.django_db


def link_from_tech_page(
    dispatcher: User, client_as, tech: Contractor, wanted: str
) -> str:
    page = client_as(dispatcher).get(
        f"/techs/{tech.public_id}/certificates/?link={wanted}"
    )
    assert page.status_code == 200
    found = re.search(
        r'data-testid="upload-link" value="([^"]+)"|value="([^"]+)" data-testid="upload-link"',
        page.content.decode(),
    )
    assert found, "no link on the page"
    return urlsplit(found.group(1) or found.group(2)).path


def send(path: str, data: bytes, name: str = "coi.pdf"):
    tech_phone = Client(enforce_csrf_checks=True)
    shown = tech_phone.get(path)
    assert shown.status_code == 200
    token = tech_phone.cookies["csrftoken"].value
    return tech_phone.post(
        path,
        {"certificate": pdf_file(data, name), "csrfmiddlewaretoken": token},
    )


def test_the_tech_uploads_from_the_link_and_the_review_runs(
    dispatcher: User,
    client_as,
    tech: Contractor,
    harbor: Entity,
    today: date,
    django_capture_on_commit_callbacks,
) -> None:
    Entity.objects.filter(pk=harbor.pk).update(required_coverage=["general"])
    path = link_from_tech_page(dispatcher, client_as, tech, harbor.public_id)
    page = Client().get(path).content.decode()
    assert tech.legal_name in page and harbor.name in page
    assert 'name="viewport"' in page  # phone-friendly like every portal page
    with django_capture_on_commit_callbacks(execute=True):
        response = send(path, corpus.acord_form(corpus.acord_values(today)))
    assert response.status_code == 200
    assert RECEIVED in response.content.decode()
    upload = UploadedCertificate.objects.get(contractor=tech)
    assert upload.entity == harbor
    assert upload.status == UploadedCertificate.Status.APPROVED


def test_without_the_csrf_token_nothing_is_stored(tech: Contractor) -> None:
    path = f"/upload/{make_token(contractor=tech, entity=None)}/"
    response = Client(enforce_csrf_checks=True).post(
        path, {"certificate": pdf_file(b"%PDF-1.4")}
    )
    assert response.status_code == 403
    assert not UploadedCertificate.objects.exists()


def test_a_bad_file_is_an_inline_error(tech: Contractor, with_default) -> None:
    path = f"/upload/{make_token(contractor=tech, entity=None)}/"
    response = send(path, b"%PDF-1.4 not really", name="coi.txt")
    assert response.status_code == 422
    assert NOT_PDF_NAME in response.content.decode()
    assert not UploadedCertificate.objects.exists()


def test_a_forged_tampered_or_expired_link_opens_nothing(
    tech: Contractor, monkeypatch
) -> None:
    token = make_token(contractor=tech, entity=None)
    for bad in ("nonsense", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        response = Client().get(f"/upload/{bad}/")
        assert response.status_code == 404
        assert LINK_INVALID in response.content.decode()
    real = time.time()
    monkeypatch.setattr(
        "django.core.signing.time.time", lambda: real + (LINK_DAYS + 1) * 86400
    )
    assert Client().get(f"/upload/{token}/").status_code == 404


def test_a_deleted_tech_or_customer_closes_the_link(
    tech: Contractor, harbor: Entity
) -> None:
    token = make_token(contractor=tech, entity=harbor)
    assert Client().get(f"/upload/{token}/").status_code == 200
    Entity.objects.filter(pk=harbor.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert Client().get(f"/upload/{token}/").status_code == 404


def test_only_dispatchers_get_a_link(underwriter: User, client_as, tech) -> None:
    page = client_as(underwriter).get(
        f"/techs/{tech.public_id}/certificates/?link=default"
    )
    assert 'data-testid="upload-link"' not in page.content.decode()

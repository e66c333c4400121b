"""Certificates issued on dispatch: what they say, where they are stored, who may fetch them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from coverage import certificates
from coverage.api.certificates import CERTIFICATE_NOT_READY
from coverage.certificates import rendering
from coverage.certificates.document import (
    CANCELLATION_WORDING,
    PRODUCER,
    SAMPLE_GL_INSURER,
    SAMPLE_WC_INSURER,
    format_date,
)
from coverage.models import (
    CERTIFICATE_NUMBER_PREFIX,
    CategoryCode,
    Certificate,
    Contractor,
    Entity,
    WorkJob,
)
from coverage.views.certificates import CERTIFICATE_BEING_PREPARED
from policies.models import Policy
from portal.models import Platform, User
from tests.conftest import bearer
from tests.coverage.certificate_helpers import (
    HOLDER_NAME,
    INSURED_NAME,
    addressed_contractor,
    addressed_entity,
    addressed_job,
    path_of,
    stored_text,
    window_text,
)
from tests.coverage.helpers import GL, WC, ApiClient, bound_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def contractor(platform: Platform) -> Contractor:
    return addressed_contractor(platform)


@pytest.fixture
def entity(platform: Platform) -> Entity:
    return addressed_entity(platform)


@pytest.fixture
def job(platform: Platform, category: CategoryCode, entity: Entity) -> WorkJob:
    return addressed_job(platform, category=category, entity=entity)


@pytest.fixture
def policy(contractor: Contractor, category: CategoryCode, product) -> Policy:
    return bound_policy(contractor, category=category)


@pytest.fixture
def dispatched(
    api: ApiClient,
    contractor: Contractor,
    job: WorkJob,
    policy: Policy,
    django_capture_on_commit_callbacks,
) -> dict:
    """A covered WC + GL dispatch through the API, committed (so its PDFs are rendered)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
        )
    assert response.status_code == 201, response.content
    return response.json()


def certificate_of(assignment_id: str, line: str) -> Certificate:
    return Certificate.objects.get(
        assignment__public_id=assignment_id,
        line=line,
        status=Certificate.Status.ISSUED,
    )


class TestIssueOnDispatch:
    def test_a_covered_dispatch_gets_one_rendered_certificate_per_line(
        self, dispatched: dict, platform: Platform, policy: Policy
    ) -> None:
        issued = Certificate.objects.filter(assignment__public_id=dispatched["id"])
        assert sorted(c.line for c in issued) == sorted([WC, GL])
        for certificate in issued:
            assert certificate.platform == platform
            assert certificate.policy == policy
            assert certificate.status == Certificate.Status.ISSUED
            assert certificate.is_rendered and not certificate.render_pending
            assert default_storage.exists(certificate.pdf.name)
            assert certificate.number.startswith(CERTIFICATE_NUMBER_PREFIX)
            # 26 random Crockford base-32 characters: 130 bits, not guessable.
            assert len(certificate.number) == len(CERTIFICATE_NUMBER_PREFIX) + 26

    def test_the_response_answers_before_rendering_with_the_urls_already_set(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        # Nothing commits inside a test's transaction: the render task has not run.
        body = api.post(
            "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
        ).json()
        gl = certificate_of(body["id"], GL)
        assert gl.render_pending and not gl.is_rendered
        assert body["certificates"] == {
            "gl_coi_pdf_url": certificates.api_pdf_url(gl.number),
            "wc_coi_pdf_url": certificates.api_pdf_url(
                certificate_of(body["id"], WC).number
            ),
        }
        assert path_of(body["certificates"]["gl_coi_pdf_url"]) == (
            f"/api/v1/certificates/{gl.number}/pdf"
        )
        # Until the worker has rendered it, the API says so rather than rendering.
        response = api.get(f"/certificates/{gl.number}/pdf")
        assert response.status_code == 409
        assert response.json() == {
            "message": CERTIFICATE_NOT_READY,
            "error_code": "certificate_not_ready",
        }
        assert response["Retry-After"] == "2"

    def test_the_gl_certificate_names_the_holder_additional_insured_for_the_window(
        self, dispatched: dict, policy: Policy, job: WorkJob
    ) -> None:
        gl = certificate_of(dispatched["id"], GL)
        text = stored_text(gl.pdf.name)
        window = window_text(gl.effective_at, gl.end_at, gl.assignment.job.zone)
        assert INSURED_NAME in text
        assert "41 Ferry Street Newark, NJ 07105" in text
        assert (
            f"{HOLDER_NAME} is an additional insured under general liability policy "
            f"{policy.number}, with respect to liability arising out of the named "
            f"insured's operations, for the dispatch window only: {window}."
        ) in text
        # The holder reads the job's name; its internal id means nothing to them.
        assert (
            "Work job: Lobby deep clean\n" in text
            or "Work job: Lobby deep clean " in text
        )
        assert job.public_id not in text
        assert "Site: 200 Harbor Boulevard, Weehawken, NJ 07086" in text
        assert f"Dispatch window: {window}" in text
        assert policy.number in text
        assert format_date(policy.effective_at.date()) in text
        assert format_date(policy.expires_at.date()) in text
        assert "EACH OCCURRENCE $1,000,000" in text
        assert "GENERAL AGGREGATE $2,000,000" in text
        assert f"{SAMPLE_GL_INSURER.name} {SAMPLE_GL_INSURER.naic}" in text
        assert PRODUCER.name in text
        assert CANCELLATION_WORDING in text
        assert gl.number in text
        assert certificates.verification_url(gl.number) in text

    def test_the_wc_certificate_shows_the_state_and_class_code_routed_at_dispatch(
        self, dispatched: dict, policy: Policy
    ) -> None:
        wc = certificate_of(dispatched["id"], WC)
        text = stored_text(wc.pdf.name)
        assert INSURED_NAME in text
        assert "State: NJ \u00b7 Class 9410 (routed at dispatch)" in text
        assert policy.number in text
        assert "E.L. EACH ACCIDENT $1,000,000" in text
        assert f"{SAMPLE_WC_INSURER.name} {SAMPLE_WC_INSURER.naic}" in text
        # The holder is the certificate holder, but no one is additional insured on WC.
        assert HOLDER_NAME in text
        assert "is an additional insured" not in text
        assert (
            f"Dispatch window: {window_text(wc.effective_at, wc.end_at, wc.assignment.job.zone)}"
            in text
        )

    def test_the_policy_points_at_its_latest_certificates(
        self, dispatched: dict, api: ApiClient, policy: Policy
    ) -> None:
        body = api.get(f"/policies/{policy.public_id}").json()
        assert body["certificates"] == dispatched["certificates"]
        newest = max(
            Certificate.objects.filter(policy=policy), key=lambda c: c.pk
        ).number
        assert body["pdf_url"] == certificates.api_pdf_url(newest)

    def test_no_certificate_for_an_unbound_or_ineligible_dispatch(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, platform, category
    ) -> None:
        ineligible = api.post(
            "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
        ).json()
        assert ineligible["eligible"]["result"] is False
        assert ineligible["certificates"] == {}
        bound_policy(contractor, category=category)
        # After the first one's window: one live dispatch per contractor, job and window.
        unbound = api.post(
            "/assignments",
            {
                "contractor": contractor.public_id,
                "job": job.public_id,
                "bind": False,
                "effective_date": ineligible["end_date"],
            },
        ).json()
        assert unbound["eligible"]["result"] is True
        assert unbound["certificates"] == {}
        assert not Certificate.objects.exists()

    def test_a_gl_only_dispatch_gets_only_a_gl_certificate(
        self, api: ApiClient, contractor: Contractor, job: WorkJob, policy: Policy
    ) -> None:
        body = api.post(
            "/assignments",
            {
                "contractor": contractor.public_id,
                "job": job.public_id,
                "coverage_type": [GL],
            },
        ).json()
        assert list(body["certificates"]) == ["gl_coi_pdf_url"]

    def test_the_created_event_carries_the_certificate_urls(
        self, dispatched: dict, platform: Platform
    ) -> None:
        event = platform.events.get(type="assignment.created")
        assert event.data["certificates"] == dispatched["certificates"]


class TestPdfAccess:
    def test_the_platform_key_downloads_the_stored_pdf(
        self, dispatched: dict, api: ApiClient
    ) -> None:
        gl = certificate_of(dispatched["id"], GL)
        response = api.get(path_of(dispatched["certificates"]["gl_coi_pdf_url"])[7:])
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{gl.number}-GL.pdf"'
        )
        body = b"".join(response.streaming_content)
        assert body.startswith(b"%PDF")
        with default_storage.open(gl.pdf.name, "rb") as stored:
            assert body == stored.read()

    def test_downloads_never_render(
        self, dispatched: dict, api: ApiClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def refuse(*args: object) -> bytes:
            raise AssertionError("rendered on a download")

        monkeypatch.setattr(rendering, "render_certificate_pdf", refuse)
        url = path_of(dispatched["certificates"]["wc_coi_pdf_url"])
        assert api.get(url.removeprefix("/api/v1")).status_code == 200

    def test_another_platform_gets_404(
        self, dispatched: dict, other_api: ApiClient
    ) -> None:
        url = path_of(dispatched["certificates"]["gl_coi_pdf_url"])
        response = other_api.get(url.removeprefix("/api/v1"))
        assert response.status_code == 404
        assert response.json()["error_code"] == "invalid_certificate_id"

    def test_unknown_numbers_and_no_key_are_refused(
        self, dispatched: dict, api: ApiClient
    ) -> None:
        assert api.get("/certificates/COI-NOPE/pdf").status_code == 404
        assert api.get("/certificates/COI-%00/pdf").status_code == 404
        url = path_of(dispatched["certificates"]["gl_coi_pdf_url"])
        assert Client().get(url).status_code == 401

    def test_the_api_url_opens_for_signed_in_users_of_the_platform_only(
        self,
        dispatched: dict,
        client_as,
        dispatcher: User,
        outsider: User,
        support: User,
    ) -> None:
        url = path_of(dispatched["certificates"]["gl_coi_pdf_url"])
        assert client_as(dispatcher).get(url).status_code == 200
        assert client_as(support).get(url).status_code == 200
        assert client_as(outsider).get(url).status_code == 404

    def test_the_portal_download_is_for_the_platforms_users(
        self, dispatched: dict, client_as, dispatcher: User, outsider: User
    ) -> None:
        gl = certificate_of(dispatched["id"], GL)
        url = f"/portal/certificates/{gl.number}.pdf"
        response = client_as(dispatcher).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'inline; filename="{gl.number}-GL.pdf"'
        )
        assert client_as(outsider).get(url).status_code == 404
        anonymous = Client().get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/login/")

    def test_the_portal_shows_a_being_prepared_page_until_rendered(
        self,
        api: ApiClient,
        contractor: Contractor,
        job: WorkJob,
        policy: Policy,
        client_as,
        dispatcher: User,
    ) -> None:
        body = api.post(
            "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
        ).json()
        gl = certificate_of(body["id"], GL)
        response = client_as(dispatcher).get(f"/portal/certificates/{gl.number}.pdf")
        assert response.status_code == 202
        assert escape(CERTIFICATE_BEING_PREPARED) in response.content.decode()

    def test_the_public_pdf_opens_with_the_number_alone(self, dispatched: dict) -> None:
        wc = certificate_of(dispatched["id"], WC)
        response = Client().get(f"/certificates/{wc.number}/pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
        assert Client().get("/certificates/COI-UNKNOWN/pdf").status_code == 404


def test_a_key_of_the_platform_opens_the_pdf_under_any_auth_form(
    dispatched: dict, platform_key: str
) -> None:
    url = path_of(dispatched["certificates"]["gl_coi_pdf_url"])
    assert Client().get(url, headers=bearer(platform_key)).status_code == 200
    assert Client().get(url, headers={"Authorization": platform_key}).status_code == 200


def test_certificates_in_force_stop_at_one_per_line(
    dispatched: dict, policy: Policy
) -> None:
    gl = certificate_of(dispatched["id"], GL)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            platform=gl.platform,
            assignment=gl.assignment,
            policy=policy,
            line=GL,
            effective_at=gl.effective_at,
            end_at=gl.end_at,
            policy_expires_at=gl.policy_expires_at,
            insured_name="x",
            holder_name="y",
            document={},
            issued_at=timezone.now() - timedelta(seconds=1),
        )

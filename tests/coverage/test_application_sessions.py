"""/api/v1/apply/sessions and the hosted page the contractor opts in on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coverage.forms.hosted import OptInForm
from coverage.models import ApplicationSession, Contractor, WorkJob
from coverage.services.quotes import (
    QUOTE_ALREADY_BOUND,
    SESSION_COMPLETE,
    SESSION_EXPIRED,
)
from coverage.views.apply import SESSION_COMPLETE_PAGE, SESSION_EXPIRED_PAGE
from policies.models import Policy
from tests.coverage.helpers import GL, WC, ApiClient, event_types

pytestmark = pytest.mark.django_db

SUCCESS = "https://dispatch.example.com/welcome"
CANCEL = "https://dispatch.example.com/later"


@pytest.fixture
def quote_id(api: ApiClient, contractor: Contractor, job: WorkJob, product) -> str:
    return api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [WC, GL],
        },
    ).json()["id"]


@pytest.fixture
def session(api: ApiClient, quote_id: str) -> dict:
    response = api.post(
        "/apply/sessions",
        {"quote": quote_id, "success_url": SUCCESS, "cancel_url": CANCEL},
    )
    assert response.status_code == 201, response.content
    return response.json()


def page_path(session: dict) -> str:
    return session["url"].removeprefix("http://testserver")


def opt_in(session: dict, attest: bool = True):
    client = Client(enforce_csrf_checks=True)
    client.get(page_path(session))
    data = {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    if attest:
        data["attest"] = "on"
    return client.post(page_path(session) + "opt-in", data)


def test_a_session_has_a_ulid_id_and_a_hosted_url(
    session: dict, quote_id: str, contractor: Contractor, platform
) -> None:
    assert session["id"].startswith("ias_") and len(session["id"]) == 30
    assert session["quote"] == quote_id
    assert session["contractor"] == contractor.public_id
    assert session["url"].startswith("http://testserver/apply/")
    assert (session["success_url"], session["cancel_url"]) == (SUCCESS, CANCEL)
    assert (session["step"], session["expired"], session["completed"]) == (
        "verify_info",
        False,
        None,
    )
    assert event_types(platform) == ["application.created"]


def test_the_page_shows_the_quote_without_a_login(session: dict) -> None:
    response = Client().get(page_path(session))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "9410",
        "96816",
        "NJ",
        "$4.13",
        "$0.95",
        "$10.16",
        OptInForm.base_fields["attest"].label,
    ):
        assert text in html
    assert f'href="{CANCEL}"' in html
    # The opt-in form may redirect to the platform's site, and only there.
    assert (
        "form-action 'self' https://dispatch.example.com"
        in response["Content-Security-Policy"]
    )


def test_opting_in_binds_the_policy_and_redirects(
    api: ApiClient, session: dict, quote_id: str, platform
) -> None:
    response = opt_in(session)
    assert response.status_code == 302
    assert response["Location"] == SUCCESS
    policy = Policy.objects.get()
    stored = api.get(f"/apply/sessions/{session['id']}").json()
    assert stored["step"] == "application_complete"
    assert stored["policy"] == policy.public_id
    assert api.get(f"/quotes/{quote_id}").json()["policy"] == policy.public_id
    assert event_types(platform) == [
        "application.created",
        "application.started",  # the contractor opened the page (opt_in does)
        "policy.created",
        "policy.active",
        "application.complete",
    ]
    # The link now shows the confirmation, and cannot bind twice.
    assert SESSION_COMPLETE_PAGE in Client().get(page_path(session)).content.decode()
    again = opt_in(session)
    assert again.status_code == 400
    assert Policy.objects.count() == 1


def test_opting_in_needs_the_attestation(session: dict) -> None:
    response = opt_in(session, attest=False)
    assert response.status_code == 400
    assert "Tick the box to confirm before opting in." in response.content.decode()
    assert not Policy.objects.exists()


def test_the_form_is_csrf_protected(session: dict) -> None:
    response = Client(enforce_csrf_checks=True).post(
        page_path(session) + "opt-in", {"attest": "on"}
    )
    assert response.status_code == 403


def test_without_success_url_the_page_confirms(api: ApiClient, quote_id: str) -> None:
    bare = api.post("/apply/sessions", {"quote_id": quote_id}).json()
    response = opt_in(bare)
    assert response.status_code == 200
    assert SESSION_COMPLETE_PAGE in response.content.decode()


def test_expire_then_reuse_is_refused(api: ApiClient, session: dict, platform) -> None:
    expired = api.post(f"/apply/sessions/{session['id']}/expire").json()
    assert expired["expired"] is True
    assert event_types(platform)[-1] == "application.expired"
    again = api.post(f"/apply/sessions/{session['id']}/expire")
    assert again.json() == {"message": SESSION_EXPIRED, "error_code": "session_expired"}
    assert SESSION_EXPIRED_PAGE in Client().get(page_path(session)).content.decode()
    refused = opt_in(session)
    assert refused.status_code == 400
    assert SESSION_EXPIRED_PAGE in refused.content.decode()
    assert not Policy.objects.exists()


def test_a_completed_session_cannot_expire(api: ApiClient, session: dict) -> None:
    opt_in(session)
    response = api.post(f"/apply/sessions/{session['id']}/expire")
    assert response.json() == {
        "message": SESSION_COMPLETE,
        "error_code": "application_already_complete",
    }


def test_a_session_lapses_by_itself(api: ApiClient, session: dict) -> None:
    ApplicationSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get(f"/apply/sessions/{session['id']}").json()["expired"] is True
    assert opt_in(session).status_code == 400


def test_put_changes_only_the_urls(api: ApiClient, session: dict) -> None:
    response = api.put(
        f"/apply/sessions/{session['id']}",
        {"success_url": "https://dispatch.example.com/done", "quote": "qt_ignored"},
    ).json()
    assert response["success_url"] == "https://dispatch.example.com/done"
    assert response["cancel_url"] == CANCEL
    bad = api.put(f"/apply/sessions/{session['id']}", {"cancel_url": "not a url"})
    assert bad.status_code == 400
    assert bad.json()["error_code"] == "invalid_input"


def test_a_bound_quote_gets_no_session(api: ApiClient, quote_id: str) -> None:
    api.post("/policies", {"quote": quote_id})
    response = api.post("/apply/sessions", {"quote": quote_id})
    assert response.json() == {
        "message": QUOTE_ALREADY_BOUND,
        "error_code": "policy_already_exists",
    }


def test_unknown_session_and_token(api: ApiClient) -> None:
    response = api.get("/apply/sessions/ias_nope")
    assert response.status_code == 404
    assert response.json()["error_code"] == "invalid_session_id"
    assert Client().get("/apply/not-a-token/").status_code == 404

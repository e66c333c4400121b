"""/api/v1/payment/sessions and the hosted card page, including lapsing by itself."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from coverage.models import (
    BillingSettings,
    CardOnFile,
    Charge,
    Contractor,
    PaymentSession,
)
from coverage.payments import charging, rules, sandbox, sessions
from coverage.payments.cards import save_card
from coverage.services.eligibility import ELIGIBLE
from portal.models import Platform
from tests.coverage.helpers import GL, WC, ApiClient, bound_policy, event_types

pytestmark = pytest.mark.django_db

RETURN = "https://dispatch.example.com/card-done"


@pytest.fixture
def hosts(platform: Platform) -> BillingSettings:
    platform.hosted_flow_allowed_redirect_hosts = ["dispatch.example.com"]
    platform.save(update_fields=["hosted_flow_allowed_redirect_hosts"])
    return BillingSettings.objects.create(platform=platform)


def create(api: ApiClient, contractor: Contractor, return_url: str = RETURN):
    return api.post(
        "/payment/sessions",
        {"contractor": contractor.public_id, "return_url": return_url},
    )


def page(url: str) -> tuple[Client, str, dict[str, str]]:
    path = url.removeprefix("http://testserver")
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    return client, path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}


def test_a_session_is_created_pending_for_thirty_minutes(
    api: ApiClient, hosts, contractor: Contractor
) -> None:
    response = create(api, contractor)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("hps_")
    assert body["contractor_id"] == contractor.public_id
    assert (body["status"], body["processor"], body["return_url"]) == (
        "pending",
        "checkout",
        RETURN,
    )
    assert body["expires_at"] - body["created"] == 30 * 60
    assert body["completed_at"] is None and body["cancelled_at"] is None
    assert body["url"].startswith("http://testserver/payment/setup/")
    # The url is shown once: the cancel response (and the webhook) never carry it.
    cancelled = api.post(f"/payment/sessions/{body['id']}/cancel").json()
    assert "url" not in cancelled and cancelled["status"] == "cancelled"
    assert cancelled["cancelled_at"] is not None
    assert event_types(contractor.platform)[-1] == "payment.session.cancelled"


@pytest.mark.parametrize(
    "return_url",
    [
        "http://dispatch.example.com/done",
        "https://evil.example.com/done",
        "https://sub.dispatch.example.com/done",
        "https://dispatch.example.com.evil.com/done",
        "https://user:pass@dispatch.example.com/done",
        "https://user@dispatch.example.com/done",
        "https://dispatch.example.com/done#frag",
        "https://dispatch.example.com:99999/done",
        "not a url",
        "",
    ],
)
def test_a_return_url_off_the_allow_list_is_refused(
    api: ApiClient, hosts, contractor: Contractor, return_url: str
) -> None:
    response = create(api, contractor, return_url)
    assert response.status_code == 400
    message = (
        sessions.RETURN_URL_REQUIRED if not return_url else sessions.INVALID_RETURN_URL
    )
    assert response.json() == {"message": message, "error_code": "invalid_return_url"}
    assert not PaymentSession.objects.exists()


def test_no_allow_list_refuses_every_url(
    api: ApiClient, contractor: Contractor
) -> None:
    response = create(api, contractor)
    assert response.status_code == 400
    assert response.json()["error_code"] == "invalid_return_url"


def test_another_tenants_contractor_and_session_are_404(
    api: ApiClient, other_api: ApiClient, hosts, contractor: Contractor
) -> None:
    assert create(other_api, contractor).status_code == 404
    made = create(api, contractor).json()
    assert other_api.post(f"/payment/sessions/{made['id']}/cancel").status_code == 404
    assert api.post("/payment/sessions/hps_nope/cancel").status_code == 404
    missing = api.post("/payment/sessions", {"return_url": RETURN})
    assert missing.status_code == 400


def test_the_page_saves_the_card_once_and_returns(
    api: ApiClient, hosts, contractor: Contractor
) -> None:
    body = create(api, contractor).json()
    client, path, data = page(body["url"])
    assert 'data-testid="payment-setup"' in client.get(path).content.decode()
    response = client.post(path + "card", {**data, "card_number": sandbox.SUCCEEDS})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == RETURN
    assert parse_qs(location.query) == {"hps_id": [body["id"]], "status": ["completed"]}
    assert CardOnFile.objects.get().last4 == "4242"
    stored = PaymentSession.objects.get()
    assert stored.status == "completed" and stored.completed_at is not None
    assert event_types(contractor.platform)[-1] == "payment.session.completed"
    # Single use: the link now says so and takes no second card.
    assert sessions.PAGE_USED in client.get(path).content.decode()
    again = client.post(path + "card", {**data, "card_number": sandbox.SUCCEEDS})
    assert again.status_code == 400
    assert CardOnFile.objects.count() == 1
    cancel = api.post(f"/payment/sessions/{body['id']}/cancel")
    assert cancel.status_code == 400
    assert cancel.json()["message"] == sessions.SESSION_NOT_PENDING.format(
        status="completed", action="cancelled"
    )


def test_cancelling_on_the_page_returns_with_status_cancelled(
    api: ApiClient, hosts, contractor: Contractor
) -> None:
    body = create(api, contractor).json()
    client, path, data = page(body["url"])
    response = client.post(path + "cancel", data)
    assert parse_qs(urlsplit(response["Location"]).query)["status"] == ["cancelled"]
    assert PaymentSession.objects.get().status == "cancelled"


def test_sessions_expire_by_themselves_with_their_event(
    api: ApiClient, hosts, contractor: Contractor
) -> None:
    body = create(api, contractor).json()
    assert sessions.expire_due_sessions(now=timezone.now()) == 0
    later = timezone.now() + timedelta(minutes=31)
    assert sessions.expire_due_sessions(now=later) == 1
    stored = PaymentSession.objects.get()
    assert stored.status == "expired"
    assert event_types(contractor.platform)[-1] == "payment.session.expired"
    assert sessions.expire_due_sessions(now=later) == 0
    client, path, data = page(body["url"])
    assert sessions.PAGE_USED in client.get(path).content.decode()
    cancel = api.post(f"/payment/sessions/{body['id']}/cancel")
    assert cancel.status_code == 400


def test_application_sessions_expire_by_themselves_too(
    api: ApiClient, contractor: Contractor, job, product
) -> None:
    from django.core.management import call_command

    quote = api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [WC, GL],
        },
    ).json()
    session = api.post("/apply/sessions", {"quote": quote["id"]}).json()
    from coverage.models import ApplicationSession

    ApplicationSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("expire_sessions", stdout=__import__("io").StringIO())
    assert ApplicationSession.objects.get().expired_at is not None
    assert event_types(contractor.platform)[-1] == "application.expired"
    assert api.get(f"/apply/sessions/{session['id']}").json()["expired"] is True


def test_a_card_update_through_a_session_recovers_a_declined_dispatch(
    api: ApiClient,
    hosts,
    contractor: Contractor,
    job,
    product,
    django_capture_on_commit_callbacks,
) -> None:
    bound_policy(contractor, category=job.category_code)
    save_card(
        contractor=contractor, card_token=sandbox.DECLINED_ON_CHARGE, now=timezone.now()
    )
    made = api.post(
        "/assignments",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "effective_date": int((timezone.now() + timedelta(days=2)).timestamp()),
        },
    ).json()
    charging.run_due_charges(now=Charge.objects.get().due_at)
    assert api.get(f"/assignments/{made['id']}").json()["eligible"]["result"] is False
    body = create(api, contractor).json()
    client, path, data = page(body["url"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path + "card", {**data, "card_number": sandbox.SUCCEEDS})
    assert api.get(f"/assignments/{made['id']}").json()["eligible"] == {
        "result": True,
        "message": ELIGIBLE,
    }
    assert rules.current_card(contractor).last4 == "4242"


def test_support_sets_the_allow_list_in_the_admin(
    support, client_as, platform: Platform, api: ApiClient, contractor: Contractor
) -> None:
    from django.utils.html import escape

    from coverage.services.onboarding import BAD_REDIRECT_HOST

    BillingSettings.objects.create(platform=platform)
    admin = client_as(support)
    url = f"/admin/portal/platform/{platform.pk}/change/"
    fields = {
        "name": platform.name,
        "time_zone": "",
        "default_insurance_requirement": "null",
    }
    bad = admin.post(
        url,
        {**fields, "hosted_flow_allowed_redirect_hosts": '["https://x.example.com/"]'},
    )
    assert bad.status_code == 200
    refusal = escape(BAD_REDIRECT_HOST.format(value="https://x.example.com/"))
    assert refusal in bad.content.decode()
    done = admin.post(
        url,
        {
            **fields,
            "hosted_flow_allowed_redirect_hosts": '["Dispatch.Example.com", "other.example.org"]',
        },
    )
    assert done.status_code == 302, done.content.decode()
    platform.refresh_from_db()
    assert platform.hosted_flow_allowed_redirect_hosts == [
        "dispatch.example.com",
        "other.example.org",
    ]
    assert create(api, contractor).status_code == 201
    for page in (
        "charge",
        "cardonfile",
        "collectionentry",
        "paymentsession",
        "notice",
        "refund",
    ):
        assert admin.get(f"/admin/coverage/{page}/").status_code == 200

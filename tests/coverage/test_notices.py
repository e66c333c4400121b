"""E-mail notices really sent over SMTP to a server on 127.0.0.1, and the card payer's path."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from coverage import notices
from coverage.models import (
    BillingSettings,
    Certificate,
    Charge,
    Contractor,
    Notice,
    WorkJob,
)
from coverage.payments import charging, rules, sandbox
from coverage.payments.cards import save_card
from coverage.services.eligibility import ELIGIBLE
from portal.models import Platform
from tests.coverage.helpers import GL, WC, ApiClient, bound_policy, event_types
from tests.coverage.smtp_server import free_port, parts, smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_TIMEOUT = 5
        yield inbox


@pytest.fixture
def card_platform(platform: Platform) -> Platform:
    BillingSettings.objects.create(platform=platform)
    return platform


def test_a_card_payers_whole_path_with_the_notice_received(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
    smtp,
    django_capture_on_commit_callbacks,
) -> None:
    quote = api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [WC, GL],
        },
    ).json()
    session = api.post("/apply/sessions", {"quote": quote["id"]}).json()
    path = session["url"].removeprefix("http://testserver")
    client = Client()
    client.get(path)
    assert (
        client.post(path + "card", {"card_number": sandbox.SUCCEEDS}).status_code == 302
    )
    assert client.post(path + "opt-in", {"attest": "on"}).status_code == 200
    starts = timezone.now() + timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        made = api.post(
            "/assignments",
            {
                "contractor": contractor.public_id,
                "job": job.public_id,
                "effective_date": int(starts.timestamp()),
            },
        ).json()
    assert made["eligible"] == {"result": False, "message": rules.CHARGE_PENDING}
    charge = Charge.objects.get()
    # The notice arrived at the SMTP server before anything was charged.
    assert len(smtp.messages) == 1 and charge.status == "pending"
    message = smtp.messages[0]
    assert smtp.recipients[0] == [contractor.email]
    # The notice reads in the job site's zone (New Jersey's): from 19:00 there the
    # UTC date is already the next day's.
    there = timezone.localtime(starts, job.zone)
    assert message["Subject"] == (
        f"Your coverage for {job.name} on {there:%b} {there.day}: "
        f"{charging.dollars(charge.amount)} will be charged"
    )
    text, html = parts(message)
    assert charging.dollars(charge.amount) in text and "Visa •••• 4242" in text
    due = timezone.localtime(charge.due_at, job.zone)
    assert f"{due:%b} {due.day}" in text
    assert "opt out" in text and "<strong>" in html
    assert Notice.objects.get().sent_at is not None

    charging.run_due_charges(now=charge.due_at)
    stored = api.get(f"/assignments/{made['id']}").json()
    assert stored["eligible"] == {"result": True, "message": ELIGIBLE}
    assert Certificate.objects.filter(assignment__public_id=made["id"]).count() == 2
    assert event_types(card_platform)[-2:] == [
        "invoice.charge_card_succeeded",
        "assignment.active",
    ]


def test_a_decline_is_e_mailed_with_its_reason(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
    smtp,
    django_capture_on_commit_callbacks,
) -> None:
    bound_policy(contractor, category=job.category_code)
    save_card(
        contractor=contractor, card_token=sandbox.INSUFFICIENT_FUNDS, now=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            "/assignments",
            {
                "contractor": contractor.public_id,
                "job": job.public_id,
                "effective_date": int((timezone.now() + timedelta(days=2)).timestamp()),
            },
        )
    with django_capture_on_commit_callbacks(execute=True):
        charging.run_due_charges(now=Charge.objects.get().due_at)
    assert len(smtp.messages) == 2
    declined = smtp.messages[1]
    assert declined["Subject"].startswith("Your card was declined: ")
    text, _ = parts(declined)
    assert "Your card has insufficient funds." in text
    assert "Visa •••• 9995" in text


def test_the_dispatchers_opt_in_link_is_e_mailed(
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
    dispatcher,
    client_as,
    smtp,
    django_capture_on_commit_callbacks,
) -> None:
    from tests.coverage.portal_helpers import ticket

    uncovered = ticket(contractor, job)
    assert not uncovered.is_covered
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(dispatcher).post(f"/tickets/{uncovered.public_id}/opt-in")
    assert response.status_code in (200, 302)
    assert len(smtp.messages) == 1
    text, html = parts(smtp.messages[0])
    from coverage.models import ApplicationSession

    link = ApplicationSession.objects.get().url
    assert link in text and f'href="{link}"' in html
    # The start reads in the job site's zone (New Jersey), not the dispatcher's (UTC).
    site = uncovered.effective_at.astimezone(ZoneInfo("America/New_York"))
    starts = f"starting {site:%b} {site.day}, {site:%Y %H:%M} {site.tzname()}."
    assert starts in text and starts.replace("starting", "") in html
    assert (
        smtp.messages[0]["Subject"]
        == f"Get covered for {job.name} with {platform.name}"
    )


def test_a_failed_send_is_retried_with_back_off(
    platform: Platform, settings, django_capture_on_commit_callbacks
) -> None:
    port = free_port()  # nothing listens there yet
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        port,
        2,
    )
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        notice = notices.queue(
            platform_id=platform.pk,
            to="tech@example.com",
            kind="opt_in_link",
            context={
                "first_name": "Terry",
                "platform": platform.name,
                "job": "Cleaning",
                "entity": "Harbor",
                "starts": now,
                "url": "https://x.example/a",
                "expires_at": now,
            },
            now=now,
            zone=ZoneInfo("UTC"),
        )
    notice.refresh_from_db()
    assert notice.sent_at is None and notice.attempts == 1 and notice.last_error
    assert notice.next_attempt_at > now
    assert notices.deliver_due(now=now) == 0  # not due yet
    with smtp_server(port) as (inbox, _):
        assert notices.deliver_due(now=notice.next_attempt_at) == 1
    assert len(inbox.messages) == 1
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.attempts == 2

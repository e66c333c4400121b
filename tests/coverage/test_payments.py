"""Card payers are charged before they are covered (seed 000, condition 7).

Through /api/v1 and the hosted application page; the sandbox processor answers as
Stripe's test mode does for its test cards.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from coverage.models import (
    BillingSettings,
    CardOnFile,
    Certificate,
    Charge,
    CollectionEntry,
    Contractor,
    Delivery,
    LedgerEntry,
    Refund,
    SandboxCharge,
    WebhookEndpoint,
    WorkJob,
)
from coverage.payments import charging, rules, sandbox
from coverage.payments.cards import save_card
from coverage.payments.sandbox import SandboxProcessor
from coverage.services import ledger
from coverage.services.eligibility import ELIGIBLE
from policies.models import Policy
from portal.models import Platform
from tests.coverage.helpers import GL, WC, ApiClient, bound_policy, event_types

SUCCESS = "https://dispatch.example.com/welcome"


@pytest.fixture
def card_platform(platform: Platform) -> Platform:
    BillingSettings.objects.create(platform=platform, contractors_pay_by_card=True)
    return platform


def start_application(api: ApiClient, contractor: Contractor, job: WorkJob) -> str:
    quote = api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [WC, GL],
        },
    )
    assert quote.status_code == 201, quote.content
    session = api.post(
        "/apply/sessions", {"quote": quote.json()["id"], "success_url": SUCCESS}
    )
    assert session.status_code == 201, session.content
    return session.json()["url"].removeprefix("http://testserver")


def page_client(path: str) -> tuple[Client, dict[str, str]]:
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    return client, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}


def apply_with_card(
    api: ApiClient, contractor: Contractor, job: WorkJob, number: str
) -> None:
    path = start_application(api, contractor, job)
    client, data = page_client(path)
    saved = client.post(path + "card", {**data, "card_number": number})
    assert saved.status_code == 302, saved.content.decode()
    done = client.post(path + "opt-in", {**data, "attest": "on"})
    assert done.status_code == 302, done.content.decode()


def dispatch(
    api: ApiClient, contractor: Contractor, job: WorkJob, starts, ends=None
) -> dict:
    window = {"effective_date": int(starts.timestamp())}
    if ends is not None:
        window["end_date"] = int(ends.timestamp())
    response = api.post(
        "/assignments",
        {"contractor": contractor.public_id, "job": job.public_id, **window},
    )
    assert response.status_code == 201, response.content
    return response.json()


def collected(platform: Platform) -> int:
    return (
        CollectionEntry.objects.filter(platform=platform).aggregate(s=Sum("amount"))[
            "s"
        ]
        or 0
    )


@pytest.mark.django_db
def test_a_card_payer_adds_a_card_is_charged_then_covered(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    path = start_application(api, contractor, job)
    client, data = page_client(path)
    page = client.get(path).content.decode()
    assert 'data-testid="apply-card"' in page
    # Attesting before the card step is refused with its own message.
    early = client.post(path + "opt-in", {**data, "attest": "on"})
    assert early.status_code == 400
    assert rules.CARD_REQUIRED in early.content.decode()
    assert not Policy.objects.exists()
    assert (
        client.post(
            path + "card", {**data, "card_number": "4242 4242 4242 4242"}
        ).status_code
        == 302
    )
    page = client.get(path).content.decode()
    assert "Visa •••• 4242" in page and 'data-testid="apply-card"' not in page
    assert client.post(path + "opt-in", {**data, "attest": "on"}).status_code == 302
    # The number itself is nowhere in our tables: only references and the last four.
    card = CardOnFile.objects.get()
    assert (card.brand, card.last4) == ("visa", "4242")
    assert "4242424242424242" not in repr(vars(card))

    now = timezone.now()
    starts = now + timedelta(days=3)
    body = dispatch(api, contractor, job, starts)
    assert body["eligible"] == {"result": False, "message": rules.CHARGE_PENDING}
    assert body["premium"] == 0 and body["certificates"] == {}
    assert not Certificate.objects.exists()
    assert "assignment.active" not in event_types(card_platform)
    charge = Charge.objects.get()
    assert charge.status == "pending" and charge.amount > 0
    # Notice first, charge 24 h later (the dispatch starts after that).
    assert abs((charge.due_at - now) - rules.NOTICE_PERIOD) < timedelta(minutes=1)
    assert charging.run_due_charges(now=now) == 0

    assert charging.run_due_charges(now=charge.due_at) == 1
    stored = api.get(f"/assignments/{body['id']}").json()
    assert stored["eligible"] == {"result": True, "message": ELIGIBLE}
    assert stored["premium"] == charge.amount
    assert set(stored["certificates"]) == {"wc_coi_pdf_url", "gl_coi_pdf_url"}
    assert event_types(card_platform)[-2:] == [
        "invoice.charge_card_succeeded",
        "assignment.active",
    ]
    # Billed, collected and the processor's records agree to the cent.
    assert (
        ledger.total(platform=card_platform)
        == collected(card_platform)
        == charge.amount
    )
    assert SandboxCharge.objects.get().amount == charge.amount
    # A retry after success charges nothing more.
    charging.run_charge(charge_id=charge.pk, now=charge.due_at)
    assert SandboxCharge.objects.count() == 1


@pytest.mark.django_db
def test_a_dispatch_starting_soon_is_charged_an_hour_before_it_starts(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    bound_policy(contractor, category=job.category_code)
    save_card(contractor=contractor, card_token=sandbox.SUCCEEDS, now=timezone.now())
    now = timezone.now()
    starts = now + timedelta(hours=5)
    dispatch(api, contractor, job, starts)
    due = Charge.objects.get().due_at
    assert abs(due - (starts - rules.CHARGE_LEAD)) < timedelta(seconds=5)
    assert (
        rules.charge_due_at(notified_at=now, starts_at=now + timedelta(minutes=20))
        == now
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (sandbox.DECLINED_ON_CHARGE, "Your card was declined."),
        (sandbox.INSUFFICIENT_FUNDS, "Your card has insufficient funds."),
        (
            sandbox.AUTHENTICATION_REQUIRED,
            "Your card needs you to confirm this payment with your bank.",
        ),
    ],
)
def test_a_decline_leaves_the_dispatch_uncovered_and_a_new_card_recovers(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
    number: str,
    reason: str,
    django_capture_on_commit_callbacks,
) -> None:
    apply_with_card(api, contractor, job, number)
    body = dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    charge = Charge.objects.get()
    charging.run_due_charges(now=charge.due_at)
    stored = api.get(f"/assignments/{body['id']}").json()
    message = rules.CARD_DECLINED.format(reason=reason)
    assert stored["eligible"] == {"result": False, "message": message}
    assert stored["premium"] == 0 and stored["certificates"] == {}
    assert event_types(card_platform)[-1] == "invoice.charge_card_failed"
    assert ledger.total(platform=card_platform) == collected(card_platform) == 0
    failed = CollectionEntry.objects.get()
    assert (failed.kind, failed.amount, failed.attempted) == (
        "failed",
        0,
        charge.amount,
    )

    # The contractor updates the card: the declined charge runs again, at once.
    with django_capture_on_commit_callbacks(execute=True):
        save_card(
            contractor=contractor, card_token=sandbox.SUCCEEDS, now=timezone.now()
        )
    charge.refresh_from_db()
    assert (charge.status, charge.attempt) == ("succeeded", 2)
    stored = api.get(f"/assignments/{body['id']}").json()
    assert stored["eligible"] == {"result": True, "message": ELIGIBLE}
    assert (
        ledger.total(platform=card_platform)
        == collected(card_platform)
        == charge.amount
    )
    assert CardOnFile.objects.filter(replaced_at__isnull=True).get().last4 == "4242"


@pytest.mark.django_db
def test_withheld_premium_is_never_asked_for_a_card(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    api.put(f"/contractors/{contractor.public_id}", {"withhold_premium": True})
    path = start_application(api, contractor, job)
    client, data = page_client(path)
    assert 'data-testid="apply-card"' not in client.get(path).content.decode()
    assert client.post(path + "opt-in", {**data, "attest": "on"}).status_code == 302
    body = dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    assert body["eligible"] == {"result": True, "message": ELIGIBLE}
    assert body["premium"] > 0
    assert not Charge.objects.exists() and not CardOnFile.objects.exists()


@pytest.mark.django_db
def test_a_job_that_withholds_premium_needs_no_charge(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    api.put(f"/jobs/{job.public_id}", {"withhold_premium": True})
    bound_policy(contractor, category=job.category_code)
    body = dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    assert body["eligible"]["result"] is True
    assert not Charge.objects.exists()


@pytest.mark.django_db
def test_a_platform_that_remits_premium_charges_no_card(
    api: ApiClient, platform: Platform, contractor: Contractor, job: WorkJob, product
) -> None:
    bound_policy(contractor, category=job.category_code)
    body = dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    assert body["eligible"] == {"result": True, "message": ELIGIBLE}
    assert not Charge.objects.exists()


@pytest.mark.django_db
def test_another_platforms_card_billing_and_webhooks_are_not_this_ones(
    api: ApiClient,
    platform: Platform,
    other_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    # The dispatch reads its platform's billing mode and webhook subscribers with the
    # contractor row: another platform's settings must not leak into it.
    BillingSettings.objects.create(
        platform=other_platform, contractors_pay_by_card=True
    )
    WebhookEndpoint.objects.create(
        platform=other_platform,
        url="https://hooks.other.example/",
        secret="s",
        events=["*"],
    )
    bound_policy(contractor, category=job.category_code)
    body = dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    assert body["eligible"] == {"result": True, "message": ELIGIBLE}
    assert not Charge.objects.exists()
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_dispatch_held_for_its_charge_that_loses_cover_books_nothing(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    # Held uncovered until its first charge, then the job moves out of the policy's
    # state: it was never covered, so nothing is earned, booked or charged.
    apply_with_card(api, contractor, job, sandbox.SUCCEEDS)
    held = dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    assert held["premium"] == 0
    moved = api.put(
        f"/jobs/{job.public_id}",
        {
            "address": {
                "line1": "1 Market St",
                "locality": "Philadelphia",
                "region": "PA",
            }
        },
    )
    assert moved.status_code == 200, moved.content
    after = api.get(f"/assignments/{held['id']}").json()
    assert after["eligible"]["result"] is False
    assert after["premium"] == 0
    assert ledger.total(platform=card_platform) == 0
    assert not Charge.objects.filter(status=Charge.Status.PENDING).exists()


@pytest.mark.django_db
def test_cancelling_a_charged_dispatch_refunds_it(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    apply_with_card(api, contractor, job, sandbox.SUCCEEDS)
    dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    charge = Charge.objects.get()
    charging.run_due_charges(now=charge.due_at)
    response = api.post("/assignments/cancel", {"job": job.public_id})
    assert response.status_code == 200, response.content
    charge.refresh_from_db()
    assert charge.refunded == charge.amount
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason) == (charge.amount, "cancelled")
    assert SandboxCharge.objects.get().refunded == charge.amount
    kinds = list(CollectionEntry.objects.order_by("pk").values_list("kind", "amount"))
    assert kinds == [("charged", charge.amount), ("refunded", -charge.amount)]
    assert ledger.total(platform=card_platform) == collected(card_platform) == 0


@pytest.mark.django_db
def test_cancelling_before_the_charge_drops_it(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    apply_with_card(api, contractor, job, sandbox.SUCCEEDS)
    dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    api.post("/assignments/cancel", {"job": job.public_id})
    charge = Charge.objects.get()
    assert charge.status == "cancelled"
    assert charging.run_due_charges(now=charge.due_at) == 0
    assert not SandboxCharge.objects.exists()


@pytest.mark.django_db
def test_a_wage_change_charges_up_and_refunds_down(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
    django_capture_on_commit_callbacks,
) -> None:
    apply_with_card(api, contractor, job, sandbox.SUCCEEDS)
    dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    first = Charge.objects.get()
    charging.run_due_charges(now=first.due_at)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            api.put(f"/jobs/{job.public_id}", {"wage": job.wage * 2}).status_code == 200
        )
    adjustment = Charge.objects.get(purpose="adjustment")
    assert adjustment.status == "succeeded"
    assert ledger.total(platform=card_platform) == collected(card_platform)
    assert collected(card_platform) == first.amount + adjustment.amount
    assert api.put(f"/jobs/{job.public_id}", {"wage": job.wage}).status_code == 200
    assert (
        ledger.total(platform=card_platform) == collected(card_platform) == first.amount
    )
    assert Refund.objects.get().amount == adjustment.amount


@pytest.mark.django_db
def test_an_audit_to_actual_pay_charges_up_and_refunds_down(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
    django_capture_on_commit_callbacks,
) -> None:
    """Premium trued up to an invoice's gross pay is collected like any adjustment."""
    apply_with_card(api, contractor, job, sandbox.SUCCEEDS)
    starts = timezone.now() + timedelta(days=3)
    dispatch(api, contractor, job, starts)
    first = Charge.objects.get()
    charging.run_due_charges(now=first.due_at)
    period = {
        "contractor": contractor.public_id,
        "job": job.public_id,
        "paycycle_startdate": int((starts - timedelta(days=1)).timestamp()),
        "paycycle_enddate": int((starts + timedelta(days=2)).timestamp()),
    }
    with django_capture_on_commit_callbacks(execute=True):
        invoice = api.post("/invoices", {**period, "gross_pay": job.wage * 2})
    assert invoice.status_code == 201, invoice.content
    adjustment = Charge.objects.get(purpose="adjustment")
    assert adjustment.status == "succeeded"
    assert ledger.total(platform=card_platform) == collected(card_platform)
    assert collected(card_platform) == first.amount + adjustment.amount
    # The invoice withdrawn: back to the estimate, the audit's charge refunded.
    deleted = api.delete(f"/invoices/{invoice.json()['id']}")
    assert deleted.status_code == 200, deleted.content
    assert (
        ledger.total(platform=card_platform) == collected(card_platform) == first.amount
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_racing_retries_of_one_charge_charge_once(
    requires_postgres: None, product
) -> None:
    from tests.coverage.helpers import approved_janitorial, make_job
    from tests.policies.helpers import make_contractor

    platform = Platform.objects.create(name="Race Co")
    BillingSettings.objects.create(platform=platform)
    category = approved_janitorial(platform)
    contractor = make_contractor(platform, email="race@example.com", state="NJ")
    job = make_job(platform, category=category)
    bound_policy(contractor, category=category)
    save_card(contractor=contractor, card_token=sandbox.SUCCEEDS, now=timezone.now())
    from coverage.services import create_assignment

    assignment = create_assignment(
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=timezone.now() + timedelta(days=3),
        end_at=None,
        now=timezone.now(),
    )
    charge = Charge.objects.get(assignment=assignment)
    barrier = threading.Barrier(20)
    statuses: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            statuses.append(
                charging.run_charge(charge_id=charge.pk, now=charge.due_at).status
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == ["succeeded"] * 20
    assert SandboxCharge.objects.count() == 1
    assert CollectionEntry.objects.filter(kind="charged").count() == 1
    assert event_types(platform).count("assignment.active") == 1
    assert (
        LedgerEntry.objects.filter(assignment=assignment).aggregate(s=Sum("amount"))[
            "s"
        ]
        == charge.amount
    )
    # The processor's own guard: the same key sent 20 times at once is one charge.
    processor = SandboxProcessor()
    card = CardOnFile.objects.get()
    refs: list[str] = []
    barrier = threading.Barrier(20)

    def direct() -> None:
        try:
            barrier.wait()
            refs.append(
                processor.charge(
                    customer_ref=card.customer_ref,
                    payment_method_ref=card.payment_method_ref,
                    amount=500,
                    idempotency_key="same-key",
                    description="race",
                ).ref
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=direct) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(refs) == 20 and len(set(refs)) == 1
    assert SandboxCharge.objects.filter(idempotency_key="same-key").count() == 1


@pytest.mark.django_db
def test_an_unknown_card_number_is_refused_inline(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    path = start_application(api, contractor, job)
    client, data = page_client(path)
    response = client.post(
        path + "card", {**data, "card_number": "1234 5678 9012 3456"}
    )
    assert response.status_code == 400
    assert sandbox.UNKNOWN_TEST_CARD in response.content.decode()
    declined = client.post(path + "card", {**data, "card_number": sandbox.DECLINED})
    assert declined.status_code == 400
    assert sandbox.CARD_DECLINED in declined.content.decode()
    assert not CardOnFile.objects.exists()
    missing = client.post(path + "card", data)
    assert missing.status_code == 400
    from coverage.forms.hosted import CARD_NUMBER_REQUIRED

    assert CARD_NUMBER_REQUIRED in missing.content.decode()


@pytest.mark.django_db
def test_the_ticket_shows_the_charge_pending_then_declined(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
    dispatcher,
    client_as,
) -> None:
    from django.core.management import call_command

    bound_policy(contractor, category=job.category_code)
    save_card(
        contractor=contractor, card_token=sandbox.DECLINED_ON_CHARGE, now=timezone.now()
    )
    body = dispatch(api, contractor, job, timezone.now() + timedelta(days=3))
    portal = client_as(dispatcher)
    page = portal.get(f"/tickets/{body['id']}/").content.decode()
    assert escape(rules.CHARGE_PENDING) in page
    assert 'data-testid="charge" data-status="pending"' in page and "Charge due" in page
    charge = Charge.objects.get()
    Charge.objects.filter(pk=charge.pk).update(due_at=timezone.now())
    out = __import__("io").StringIO()
    call_command("charge_premiums", stdout=out)
    assert out.getvalue().strip() == "Ran 1 charge(s)."
    page = portal.get(f"/tickets/{body['id']}/").content.decode()
    assert escape(rules.CARD_DECLINED.format(reason="Your card was declined.")) in page
    assert 'data-status="failed"' in page and "Visa •••• 0341" in page


@pytest.mark.django_db
def test_the_collections_report_reconciles_billed_collected_and_refunded(
    api: ApiClient,
    card_platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
    dispatcher,
    client_as,
    django_assert_num_queries,
) -> None:
    from coverage.views.premium_collections import COLLECTIONS_RECONCILED

    bound_policy(contractor, category=job.category_code)
    save_card(contractor=contractor, card_token=sandbox.SUCCEEDS, now=timezone.now())
    for days in (2, 3, 4):
        # A day each: one live dispatch per contractor, job and window.
        starts = timezone.now() + timedelta(days=days)
        dispatch(api, contractor, job, starts, starts + timedelta(hours=20))
    charges = list(Charge.objects.order_by("pk"))
    for charge in charges:
        charging.run_charge(charge_id=charge.pk, now=timezone.now())
    api.post("/assignments/cancel", {"job": job.public_id})  # the latest: refunded
    portal = client_as(dispatcher)
    today = timezone.now().date()
    query = f"?start={today.replace(day=1):%Y-%m-%d}&end={today + timedelta(days=10):%Y-%m-%d}"
    page = portal.get("/premium/collections/" + query).content.decode()
    assert escape(COLLECTIONS_RECONCILED) in page and 'data-reconciled="true"' in page
    collected_total = sum(c.amount for c in charges)
    from coverage.views.formatting import money

    assert f'data-testid="collected">{money(collected_total)}' in page
    assert f'data-testid="refunded">{money(charges[-1].amount)}' in page
    assert f'data-testid="billed">{money(collected_total - charges[-1].amount)}' in page
    # Constant queries whatever the rows: session, user with their platform, 6 GROUP
    # BYs, the processor's charges and refunds, the sandbox's own records.
    with django_assert_num_queries(11):
        portal.get("/premium/collections/" + query)
    for days in (5, 6):
        # A day each: one live dispatch per contractor, job and window.
        starts = timezone.now() + timedelta(days=days)
        dispatch(api, contractor, job, starts, starts + timedelta(hours=20))
    for charge in Charge.objects.filter(status="pending"):
        charging.run_charge(charge_id=charge.pk, now=timezone.now())
    with django_assert_num_queries(11):
        portal.get("/premium/collections/" + query)

"""The Stripe adapter through the real ``stripe`` library against a Stripe-shaped local server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage.models import (
    BillingSettings,
    Charge,
    CollectionEntry,
    Contractor,
    WorkJob,
)
from coverage.payments import charging, rules
from coverage.payments.cards import save_card
from coverage.payments.configured import get_processor
from coverage.payments.processor import CardRejected
from coverage.payments.stripe import CARD_NOT_CONFIRMED, StripeProcessor
from coverage.services import ledger
from coverage.services.eligibility import ELIGIBLE
from portal.models import Platform
from tests.coverage.helpers import ApiClient, bound_policy
from tests.coverage.stripe_server import KEY, confirm_setup, stripe_server


@pytest.fixture
def stripe_api():
    with stripe_server() as (state, base):
        yield state, base


@pytest.fixture
def processor(stripe_api) -> StripeProcessor:
    _, base = stripe_api
    return StripeProcessor(api_key=KEY, api_base=base, max_network_retries=2)


def saved(processor: StripeProcessor, state, payment_method: str):
    customer, secret = processor.begin_card_setup(
        customer_ref="", email="t@example.com"
    )
    setup_id = secret.split("_secret_")[0]
    confirm_setup(state, setup_id, payment_method)
    return processor.save_card(
        customer_ref=customer, email="t@example.com", card_token=setup_id
    )


def test_a_card_saved_with_a_setup_intent_is_charged_off_session(
    processor, stripe_api
) -> None:
    state, _ = stripe_api
    card = saved(processor, state, "pm_card_visa")
    assert (
        card.customer_ref.startswith("cus_")
        and card.payment_method_ref == "pm_card_visa"
    )
    assert (card.brand, card.last4) == ("visa", "4242")
    result = processor.charge(
        customer_ref=card.customer_ref,
        payment_method_ref=card.payment_method_ref,
        amount=1234,
        idempotency_key="chg_one",
        description="Premium",
    )
    assert result.succeeded and result.ref.startswith("pi_")
    _, _, params, key = state.requests[-1]
    assert key == "chg_one"
    assert (params["off_session"], params["confirm"], params["amount"]) == (
        "true",
        "true",
        "1234",
    )
    assert processor.charge_status(charge_ref=result.ref) == "succeeded"
    refund = processor.refund(
        charge_ref=result.ref, amount=1234, idempotency_key="re_one"
    )
    assert refund.ref.startswith("re_") and state.refunds[0]["amount"] == 1234


@pytest.mark.parametrize(
    ("payment_method", "code", "message"),
    [
        ("pm_card_visa_chargeDeclined", "generic_decline", "Your card was declined."),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        (
            "pm_card_authenticationRequired",
            "authentication_required",
            "Your card was declined. This transaction requires authentication.",
        ),
    ],
)
def test_declines_come_back_as_answers_with_their_code(
    processor, stripe_api, payment_method: str, code: str, message: str
) -> None:
    state, _ = stripe_api
    card = saved(processor, state, payment_method)
    result = processor.charge(
        customer_ref=card.customer_ref,
        payment_method_ref=card.payment_method_ref,
        amount=500,
        idempotency_key=f"chg_{code}",
        description="Premium",
    )
    assert not result.succeeded
    assert (result.failure_code, result.failure_message) == (code, message)
    assert result.ref.startswith("pi_")


def test_a_500_is_retried_by_the_library_with_the_same_key(
    processor, stripe_api
) -> None:
    state, _ = stripe_api
    card = saved(processor, state, "pm_card_visa")
    state.fail_next = 1
    result = processor.charge(
        customer_ref=card.customer_ref,
        payment_method_ref=card.payment_method_ref,
        amount=700,
        idempotency_key="chg_retry",
        description="Premium",
    )
    assert result.succeeded
    posts = [r for r in state.requests if r[1] == "/v1/payment_intents"]
    assert [r[3] for r in posts] == ["chg_retry", "chg_retry"]
    assert len(state.charges()) == 1


def test_an_unconfirmed_setup_intent_saves_no_card(processor, stripe_api) -> None:
    customer, secret = processor.begin_card_setup(
        customer_ref="", email="t@example.com"
    )
    with pytest.raises(CardRejected) as refused:
        processor.save_card(
            customer_ref=customer,
            email="t@example.com",
            card_token=secret.split("_secret_")[0],
        )
    assert refused.value.message == CARD_NOT_CONFIRMED


@pytest.mark.django_db
def test_the_product_charges_through_stripe_when_configured(
    settings,
    stripe_api,
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    product,
) -> None:
    state, base = stripe_api
    settings.PAYMENT_PROCESSOR = "stripe"
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = KEY, base
    BillingSettings.objects.create(platform=platform)
    processor = get_processor()
    assert isinstance(processor, StripeProcessor)
    customer, secret = processor.begin_card_setup(
        customer_ref="", email=contractor.email
    )
    setup_id = secret.split("_secret_")[0]
    confirm_setup(state, setup_id, "pm_card_visa")
    card = save_card(contractor=contractor, card_token=setup_id, now=timezone.now())
    assert (card.processor, card.customer_ref) == ("stripe", customer)
    bound_policy(contractor, category=job.category_code)
    made = api.post(
        "/assignments",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "effective_date": int((timezone.now() + timedelta(days=2)).timestamp()),
        },
    ).json()
    assert made["eligible"]["message"] == rules.CHARGE_PENDING
    charge = Charge.objects.get()
    charging.run_due_charges(now=charge.due_at)
    assert (
        api.get(f"/assignments/{made['id']}").json()["eligible"]["message"] == ELIGIBLE
    )
    charge.refresh_from_db()
    stripe_charge = state.intents[charge.processor_ref]
    assert stripe_charge["amount"] == charge.amount == ledger.total(platform=platform)
    assert stripe_charge["customer"] == customer
    api.post("/assignments/cancel", {"job": job.public_id})
    assert state.refunds[0]["payment_intent"] == charge.processor_ref
    assert sum(e.amount for e in CollectionEntry.objects.all()) == 0

"""The Stripe processor, through the official ``stripe`` library (``StripeClient``).

A card is saved with a SetupIntent (``usage=off_session``) that Stripe.js confirms on
the hosted page; ``save_card`` then reads that SetupIntent's payment method (brand,
last four). A premium is charged with an off-session PaymentIntent confirmed at once,
under our idempotency key; a refund is a Refund of that PaymentIntent. The library
retries connection errors, 409s and 5xx itself (``max_network_retries``), reusing
the idempotency key, so a retried charge is still one charge.
"""

from __future__ import annotations

from typing import Any

import stripe
from stripe.params import SetupIntentCreateParams

from coverage.payments.processor import (
    CardRejected,
    ChargeResult,
    RefundResult,
    SavedCard,
)

CARD_NOT_CONFIRMED = "The card was not confirmed with your bank; try again."
CURRENCY = "usd"


class StripeProcessor:
    name = "stripe"

    def __init__(
        self, *, api_key: str, api_base: str = "", max_network_retries: int = 2
    ) -> None:
        options: dict[str, Any] = {"max_network_retries": max_network_retries}
        if api_base:
            options["base_addresses"] = {"api": api_base}
        self.client = stripe.StripeClient(api_key, **options)

    def begin_card_setup(self, *, customer_ref: str, email: str) -> tuple[str, str]:
        """(customer id, SetupIntent client secret) for Stripe.js on the hosted page."""
        if not customer_ref:
            customer_ref = self.client.v1.customers.create(params={"email": email}).id
        params: SetupIntentCreateParams = {
            "customer": customer_ref,
            "usage": "off_session",
            # Cards only in effect: nothing that redirects can be charged off-session.
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
        intent = self.client.v1.setup_intents.create(params=params)
        return customer_ref, str(intent.client_secret)

    def save_card(self, *, customer_ref: str, email: str, card_token: str) -> SavedCard:
        """``card_token`` is the SetupIntent id Stripe.js confirmed."""
        try:
            intent = self.client.v1.setup_intents.retrieve(
                card_token, params={"expand": ["payment_method"]}
            )
        except stripe.InvalidRequestError as exc:
            raise CardRejected(CARD_NOT_CONFIRMED) from exc
        method = intent.payment_method
        if intent.status != "succeeded" or method is None or isinstance(method, str):
            raise CardRejected(CARD_NOT_CONFIRMED)
        card = method.card
        customer = intent.customer
        return SavedCard(
            customer_ref=customer if isinstance(customer, str) else customer_ref,
            payment_method_ref=method.id,
            brand=card.brand if card else "card",
            last4=card.last4 if card else "",
        )

    def charge(
        self,
        *,
        customer_ref: str,
        payment_method_ref: str,
        amount: int,
        idempotency_key: str,
        description: str,
    ) -> ChargeResult:
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": amount,
                    "currency": CURRENCY,
                    "customer": customer_ref,
                    "payment_method": payment_method_ref,
                    "off_session": True,
                    "confirm": True,
                    "description": description,
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as exc:
            # A decline or a card that needs the holder (authentication_required):
            # an answer, not a failure to reach Stripe.
            error = exc.error
            failed = error.payment_intent if error else None
            code = (error.code if error else "") or "card_declined"
            if code == "card_declined" and error and error.decline_code:
                code = error.decline_code
            return ChargeResult(
                succeeded=False,
                ref=failed.id if failed else "",
                failure_code=code,
                failure_message=(error.message if error else "")
                or exc.user_message
                or "",
            )
        if intent.status == "succeeded":
            return ChargeResult(succeeded=True, ref=intent.id)
        return ChargeResult(
            succeeded=False,
            ref=intent.id,
            failure_code=intent.status,
            failure_message="The payment was not completed.",
        )

    def refund(
        self, *, charge_ref: str, amount: int, idempotency_key: str
    ) -> RefundResult:
        refund = self.client.v1.refunds.create(
            params={"payment_intent": charge_ref, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )
        return RefundResult(ref=refund.id)

    def charge_status(self, *, charge_ref: str) -> str:
        return str(self.client.v1.payment_intents.retrieve(charge_ref).status)

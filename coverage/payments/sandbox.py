"""The sandbox processor: Stripe's test-mode behaviour without a network.

Test card numbers (any future expiry, any CVC), as in Stripe's test mode:

======================  =====================================================
4242 4242 4242 4242     succeeds
4000 0000 0000 0002     declined when it is saved (``card_declined``)
4000 0000 0000 0341     saved, then every charge declined (``card_declined``)
4000 0000 0000 9995     saved, charges declined for insufficient funds
4000 0027 6000 3184     saved, charges need re-authentication
                        (``authentication_required``: off-session, a decline)
======================  =====================================================

Any other number is refused when saved. The number is never stored: the outcome it
stands for is carried in the payment-method reference (``pm_sbx_<outcome>_<random>``).
Charges are recorded in ``SandboxCharge``, unique by idempotency key, so a replayed
request gets the first answer, as a real processor does.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from coverage.models import SandboxCharge
from coverage.payments.processor import (
    CardRejected,
    ChargeResult,
    RefundResult,
    SavedCard,
)

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
DECLINED_ON_CHARGE = "4000000000000341"
INSUFFICIENT_FUNDS = "4000000000009995"
AUTHENTICATION_REQUIRED = "4000002760003184"

# Outcome per test number: (code in the payment-method ref, failure code, message).
TEST_CARDS = {
    SUCCEEDS: ("ok", "", ""),
    DECLINED_ON_CHARGE: ("declined", "card_declined", "Your card was declined."),
    INSUFFICIENT_FUNDS: (
        "funds",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    AUTHENTICATION_REQUIRED: (
        "auth",
        "authentication_required",
        "Your card needs you to confirm this payment with your bank.",
    ),
}
_BY_OUTCOME = {
    outcome: (code, message) for outcome, code, message in TEST_CARDS.values()
}

CARD_DECLINED = "Your card was declined."
UNKNOWN_TEST_CARD = (
    "The sandbox accepts only its test cards: 4242 4242 4242 4242 succeeds, "
    "4000 0000 0000 0002 is declined, 4000 0000 0000 0341 is declined when charged, "
    "4000 0000 0000 9995 has insufficient funds, 4000 0027 6000 3184 needs "
    "authentication."
)


def digits(card_number: str) -> str:
    return "".join(ch for ch in card_number if ch.isdigit())


class SandboxProcessor:
    name = "sandbox"

    def begin_card_setup(self, *, customer_ref: str, email: str) -> tuple[str, str]:
        # No client-side step: the hosted page's own form takes a test card number.
        return customer_ref, ""

    def save_card(self, *, customer_ref: str, email: str, card_token: str) -> SavedCard:
        number = digits(card_token)
        if number == DECLINED:
            # As Stripe's SetupIntent does for this test card: refused at once.
            raise CardRejected(CARD_DECLINED, code="card_declined")
        if number not in TEST_CARDS:
            raise CardRejected(UNKNOWN_TEST_CARD)
        outcome = TEST_CARDS[number][0]
        return SavedCard(
            customer_ref=customer_ref or f"cus_sbx_{secrets.token_hex(8)}",
            payment_method_ref=f"pm_sbx_{outcome}_{secrets.token_hex(8)}",
            brand="visa",
            last4=number[-4:],
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
        outcome = payment_method_ref.split("_")[2]
        code, _ = _BY_OUTCOME.get(outcome, ("card_declined", ""))
        try:
            # A savepoint: a racing duplicate fails here alone and reads the winner.
            with transaction.atomic():
                record = SandboxCharge.objects.create(
                    ref=f"pi_sbx_{secrets.token_hex(10)}",
                    idempotency_key=idempotency_key,
                    payment_method_ref=payment_method_ref,
                    amount=amount,
                    status="failed" if code else "succeeded",
                    failure_code=code,
                )
        except IntegrityError:
            record = SandboxCharge.objects.get(idempotency_key=idempotency_key)
        return _result(record)

    def refund(
        self, *, charge_ref: str, amount: int, idempotency_key: str
    ) -> RefundResult:
        record = SandboxCharge.objects.select_for_update().get(ref=charge_ref)
        record.refunded += amount
        record.save(update_fields=["refunded"])
        return RefundResult(ref=f"re_sbx_{secrets.token_hex(10)}")

    def charge_status(self, *, charge_ref: str) -> str:
        return SandboxCharge.objects.get(ref=charge_ref).status


def _result(record: SandboxCharge) -> ChargeResult:
    if record.status == "succeeded":
        return ChargeResult(succeeded=True, ref=record.ref)
    message = next(
        (m for c, m in _BY_OUTCOME.values() if c == record.failure_code),
        "Your card was declined.",
    )
    return ChargeResult(
        succeeded=False,
        ref=record.ref,
        failure_code=record.failure_code,
        failure_message=message,
    )

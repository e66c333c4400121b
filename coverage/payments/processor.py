"""The payment processor interface (``configured.get_processor`` picks the implementation).

A processor saves a card (returning only references, brand and last four), charges a
saved card off-session under an idempotency key, refunds, and reads a charge's status.
Implementations: ``sandbox`` (test cards, for development, the demo and tests) and
``stripe`` (the official library); ``settings.PAYMENT_PROCESSOR`` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SavedCard:
    customer_ref: str
    payment_method_ref: str
    brand: str
    last4: str


@dataclass(frozen=True)
class ChargeResult:
    """What the processor answered: ``succeeded`` or a decline with its code and message."""

    succeeded: bool
    ref: str
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class RefundResult:
    ref: str


class CardRejected(Exception):
    """The card could not be saved (a wrong number, an expired card)."""

    def __init__(self, message: str, code: str = "invalid_card") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Processor(Protocol):
    name: str

    def begin_card_setup(self, *, customer_ref: str, email: str) -> tuple[str, str]:
        """(customer ref, client secret) for the hosted page's card field; an empty
        secret means the processor takes the card number in our own form (sandbox)."""
        ...

    def save_card(
        self, *, customer_ref: str, email: str, card_token: str
    ) -> SavedCard: ...

    def charge(
        self,
        *,
        customer_ref: str,
        payment_method_ref: str,
        amount: int,
        idempotency_key: str,
        description: str,
    ) -> ChargeResult: ...

    def refund(
        self, *, charge_ref: str, amount: int, idempotency_key: str
    ) -> RefundResult: ...

    def charge_status(self, *, charge_ref: str) -> str: ...

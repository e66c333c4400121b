"""Saving a contractor's card: through the processor, never storing the number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from coverage.models import ApplicationSession, CardOnFile, Contractor
from coverage.payments import charging, rules
from coverage.payments.configured import get_processor
from coverage.payments.processor import CardRejected
from coverage.services.quotes import SESSION_COMPLETE, SESSION_EXPIRED


@dataclass(frozen=True)
class CardCapture:
    """How a hosted page takes the card: Stripe Elements (a SetupIntent's client
    secret and the publishable key) or, with no secret, the sandbox's number field."""

    processor: str
    publishable_key: str = ""
    client_secret: str = ""

    @property
    def in_browser(self) -> bool:
        return bool(self.client_secret)


def begin_card_capture(*, contractor: Contractor) -> CardCapture:
    """Start taking a card for ``contractor`` on a hosted page (a SetupIntent on Stripe)."""
    processor = get_processor()
    previous = rules.current_card(contractor)
    _, secret = processor.begin_card_setup(
        customer_ref=previous.customer_ref if previous else "", email=contractor.email
    )
    if not secret:
        return CardCapture(processor=processor.name)
    return CardCapture(
        processor=processor.name,
        publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
        client_secret=secret,
    )


@transaction.atomic
def save_card(*, contractor: Contractor, card_token: str, now: datetime) -> CardOnFile:
    """Save the card behind ``card_token`` (a sandbox test number, or a Stripe payment
    method) as the contractor's current card; declined charges try again with it."""
    locked = Contractor.objects.select_for_update().get(pk=contractor.pk)
    previous = rules.current_card(locked)
    processor = get_processor()
    try:
        saved = processor.save_card(
            customer_ref=previous.customer_ref if previous else "",
            email=locked.email,
            card_token=card_token,
        )
    except CardRejected as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    if previous is not None:
        previous.replaced_at = now
        previous.save(update_fields=["replaced_at"])
    card = CardOnFile.objects.create(
        platform_id=locked.platform_id,
        contractor=locked,
        processor=processor.name,
        customer_ref=saved.customer_ref,
        payment_method_ref=saved.payment_method_ref,
        brand=saved.brand,
        last4=saved.last4,
        created_at=now,
    )
    charging.retry_failed(contractor_id=locked.pk, now=now)
    return card


@transaction.atomic
def add_application_card(
    *, session: ApplicationSession, card_token: str, now: datetime
) -> CardOnFile:
    """The hosted application's ``add_card_details`` step: save the card, go on to review."""
    locked = (
        ApplicationSession.objects.select_for_update(of=("self",))
        .select_related("quote__contractor", "quote__job")
        .get(pk=session.pk)
    )
    if locked.completed_at is not None:
        raise ValidationError(SESSION_COMPLETE, code="application_already_complete")
    if locked.is_expired(now):
        raise ValidationError(SESSION_EXPIRED, code="session_expired")
    card = save_card(contractor=locked.quote.contractor, card_token=card_token, now=now)
    locked.step = ApplicationSession.Step.FINAL_REVIEW
    locked.save(update_fields=["step"])
    return card

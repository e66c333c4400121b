"""The processor this deployment charges through, chosen by ``DJANGO_PAYMENT_PROCESSOR``.

Apart from the interface (``processor.py``) so that the interface knows none of its
implementations: sandbox and Stripe import the interface, and only this module imports them.
"""

from __future__ import annotations

from django.conf import settings

from coverage.payments.processor import Processor
from coverage.payments.sandbox import SandboxProcessor
from coverage.payments.stripe import StripeProcessor


def get_processor() -> Processor:
    """The configured processor (``DJANGO_PAYMENT_PROCESSOR``: sandbox or stripe)."""
    name = settings.PAYMENT_PROCESSOR
    if name == "sandbox":
        return SandboxProcessor()
    if name == "stripe":
        return StripeProcessor(
            api_key=settings.STRIPE_SECRET_KEY,
            api_base=settings.STRIPE_API_BASE,
            max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        )
    raise RuntimeError(f"Unknown payment processor {name!r}")

"""Webhook signatures: the public API's Stripe-style scheme, as its Node SDK verifies it::

    Ten99Policy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

The HMAC key is the endpoint's whole secret string, ``whsec_`` included. Every
attempt is signed afresh, so a retry hours later still passes a receiver's
five-minute tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from portal.ids import random_base62

SIGNATURE_HEADER = "Ten99Policy-Signature"
SIGNATURE_SCHEME = "v1"
SECRET_PREFIX = "whsec_"
SECRET_RANDOM_LENGTH = 32  # base 62: about 190 bits
DEFAULT_TOLERANCE_SECONDS = 300

# The verifier's messages: the Node SDK's own wording.
SIGNATURE_HEADER_UNREADABLE = "Unable to extract timestamp and signatures from header"
SIGNATURE_SCHEME_MISSING = "No signatures found with expected scheme"
SIGNATURE_MISMATCH = "No signatures found matching the expected signature for payload."
SIGNATURE_TOO_OLD = "Timestamp outside the tolerance zone"


class SignatureVerificationError(Exception):
    """A delivery whose signature header does not prove it came from us."""


def _digest(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``Ten99Policy-Signature`` header value for ``body`` sent at ``timestamp``."""
    digest = _digest(secret=secret, timestamp=timestamp, body=body)
    return f"t={timestamp},{SIGNATURE_SCHEME}={digest}"


def verify(
    *,
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | None = None,
) -> int:
    """Check a received delivery as a receiver should; return its timestamp.

    The same rules as the public API's Node SDK: any ``v1`` signature may match
    (compared in constant time), and a timestamp older than ``tolerance`` seconds
    is refused so that a captured delivery cannot be replayed later.
    """
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                timestamp = None
        elif key == SIGNATURE_SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise SignatureVerificationError(SIGNATURE_HEADER_UNREADABLE)
    if not signatures:
        raise SignatureVerificationError(SIGNATURE_SCHEME_MISSING)
    expected = _digest(secret=secret, timestamp=timestamp, body=body)
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise SignatureVerificationError(SIGNATURE_MISMATCH)
    age = (int(time.time()) if now is None else now) - timestamp
    if tolerance > 0 and age > tolerance:
        raise SignatureVerificationError(SIGNATURE_TOO_OLD)
    return timestamp


def new_secret() -> str:
    return SECRET_PREFIX + random_base62(SECRET_RANDOM_LENGTH)

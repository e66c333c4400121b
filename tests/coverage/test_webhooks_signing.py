"""The signature scheme (the public API's Node SDK verifier's) and the retry schedule."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

import pytest

from coverage.webhooks.delivery import MAX_ATTEMPTS, retry_delay
from coverage.webhooks.signing import (
    SIGNATURE_HEADER_UNREADABLE,
    SIGNATURE_MISMATCH,
    SIGNATURE_SCHEME_MISSING,
    SIGNATURE_TOO_OLD,
    SignatureVerificationError,
    new_secret,
    sign,
    verify,
)

SECRET = "whsec_known_answer_secret"
BODY = b'{"id":"ev_1","object":"event"}'
T = 1_700_000_000


def test_signature_is_hmac_sha256_of_timestamp_dot_body_keyed_by_the_whole_secret() -> (
    None
):
    expected = hmac.new(
        SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256
    ).hexdigest()
    assert sign(secret=SECRET, timestamp=T, body=BODY) == f"t={T},v1={expected}"


def test_signature_matches_a_known_answer() -> None:
    # printf '1700000000.{"id":"ev_1","object":"event"}' |
    #   openssl dgst -sha256 -hmac 'whsec_known_answer_secret'
    assert sign(secret=SECRET, timestamp=T, body=BODY) == (
        "t=1700000000,v1=d5011f110b97e4093448b032a6c343c3cd08ad0645baa7533edcd65a548d6932"
    )


def test_verify_accepts_our_own_signature() -> None:
    header = sign(secret=SECRET, timestamp=T, body=BODY)
    assert verify(secret=SECRET, header=header, body=BODY, now=T + 10) == T


def test_any_v1_signature_may_match() -> None:
    # Receivers must accept a header carrying several signatures (secret rotation).
    good = sign(secret=SECRET, timestamp=T, body=BODY).split(",")[1]
    header = f"t={T},v1={'0' * 64},{good},v0=ignored"
    assert verify(secret=SECRET, header=header, body=BODY, now=T) == T


@pytest.mark.parametrize(
    ("header", "body", "secret", "message"),
    [
        (
            sign(secret=SECRET, timestamp=T, body=BODY),
            BODY + b" ",
            SECRET,
            SIGNATURE_MISMATCH,
        ),
        (
            sign(secret=SECRET, timestamp=T, body=BODY),
            BODY,
            "whsec_other",
            SIGNATURE_MISMATCH,
        ),
        (f"v1={'a' * 64}", BODY, SECRET, SIGNATURE_HEADER_UNREADABLE),
        (f"t=soon,v1={'a' * 64}", BODY, SECRET, SIGNATURE_HEADER_UNREADABLE),
        (f"t={T},v0={'a' * 64}", BODY, SECRET, SIGNATURE_SCHEME_MISSING),
    ],
    ids=["tampered-body", "wrong-secret", "no-timestamp", "bad-timestamp", "no-v1"],
)
def test_verify_refuses(header: str, body: bytes, secret: str, message: str) -> None:
    with pytest.raises(SignatureVerificationError, match=re.escape(message)):
        verify(secret=secret, header=header, body=body, now=T)


def test_verify_refuses_a_replay_older_than_the_tolerance() -> None:
    header = sign(secret=SECRET, timestamp=T, body=BODY)
    assert verify(secret=SECRET, header=header, body=BODY, now=T + 300) == T
    with pytest.raises(SignatureVerificationError, match=SIGNATURE_TOO_OLD):
        verify(secret=SECRET, header=header, body=BODY, now=T + 301)
    # Tolerance 0 switches the age check off, as in the Node SDK.
    assert verify(secret=SECRET, header=header, body=BODY, tolerance=0, now=T + 10**6)


def test_secrets_are_whsec_and_random() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(re.fullmatch(r"whsec_[0-9A-Za-z]{32}", s) for s in secrets)


def test_retry_delays_grow_and_stop_after_the_last_attempt() -> None:
    delays = [retry_delay(attempt=n) for n in range(1, MAX_ATTEMPTS)]
    assert delays[:4] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
    ]
    assert all(a < b for a, b in zip(delays, delays[1:], strict=False))
    assert retry_delay(attempt=MAX_ATTEMPTS) is None

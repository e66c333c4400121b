"""What an authenticator app does: the current TOTP code for a key shown on the setup page."""

from __future__ import annotations

import base64
import time

from django_otp.oath import TOTP

STEP = 30


def totp_code(key_base32: str, *, later: int = 0) -> str:
    """The 6-digit code for ``key_base32`` (as the setup page shows it), ``later`` steps on.

    django-otp accepts one step of drift and never the same step twice, so a second
    sign-in within one 30-second step uses ``later=1``.
    """
    raw = key_base32.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    totp = TOTP(key, step=STEP, t0=0, digits=6, drift=later)
    totp.time = time.time()
    return f"{totp.token():06d}"


class Authenticator:
    """One user's app across several sign-ins: never offers a step already used."""

    def __init__(self, key_base32: str) -> None:
        self.key = key_base32
        self.last_step = -1

    def code(self) -> str:
        now = int(time.time() // STEP)
        step = max(now, self.last_step + 1)
        if step > now + 1:
            # Both usable steps are spent: wait for the clock to reach the next one.
            time.sleep((step - 1) * STEP - time.time() + 0.2)
            now = int(time.time() // STEP)
        self.last_step = step
        return totp_code(self.key, later=step - now)

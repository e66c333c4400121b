"""Second factor at sign-in (TOTP through django-otp): who needs it, setting it up, using it.

Support and underwriters see and change every platform's data, so a password alone
never opens a session for them: after the password, the session is sent to set up an
authenticator app (first time) or to enter its code. A dispatcher may turn it on;
from then on it is required for them too.

Whether a session still owes its second factor is decided once, when the password
is accepted (``user_logged_in``), and kept in the session: the pages a signed-in
user opens cost no extra query for it.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import Role, User

REQUIRED_SESSION_KEY = "second_factor_required"
DEVICE_NAME = "Authenticator app"
# Messages users see (asserted exactly in tests).
WRONG_CODE = (
    "That code is not right or has expired. Enter the 6 digits your "
    "authenticator app shows now."
)
THROTTLED = (
    "Too many wrong codes in a row. Wait {seconds} s, then enter the code your "
    "authenticator app shows."
)

# Paths a session that owes its second factor may still open: signing out, the
# pages that collect the factor, static files, and the JSON APIs (which take API
# keys, never a session).
_OPEN_PREFIXES = ("/account/", "/logout/", "/login/", "/healthz", "/static/")
_API_PREFIXES = ("/api/", "/job/v1/", "/policy/v1/")


def required_by_role(*, user: User) -> bool:
    return user.is_superuser or user.role in (Role.SUPPORT, Role.UNDERWRITER)


def second_factor_required(*, user: User) -> bool:
    """Support, underwriters and anyone who turned it on sign in with a code."""
    return required_by_role(user=user) or user_has_device(user, confirmed=True)


@receiver(user_logged_in)
def _remember_requirement(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[REQUIRED_SESSION_KEY] = second_factor_required(user=user)


def pending_device(*, user: User) -> TOTPDevice:
    """The user's authenticator being set up (one unconfirmed device, kept until used)."""
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as a QR code image (SVG data URI: our CSP allows data: images)."""
    url = device.config_url
    issuer = settings.OTP_TOTP_ISSUER
    if issuer and "issuer=" not in url:
        url += "&" + urlencode({"issuer": issuer})
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def _throttled(devices: list[TOTPDevice]) -> str:
    """The wait message when every device is throttled after wrong codes, else "".

    django-otp doubles the wait after each wrong code in a row (1 s, 2 s, 4 s...) and
    refuses even the right code meanwhile: say so rather than "not right".
    """
    waits: list[int] = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed:
            return ""
        until = (data or {}).get("locked_until")
        if until is not None:
            waits.append(max(1, math.ceil((until - timezone.now()).total_seconds())))
    return THROTTLED.format(seconds=min(waits)) if waits else WRONG_CODE


def _clean(token: str) -> str:
    return token.strip().replace(" ", "")


@transaction.atomic
def confirm_device(*, request: HttpRequest, device: TOTPDevice, token: str) -> str:
    """Turn the authenticator on if ``token`` is its current code and verify the
    session; "" when done, else the message to show."""
    refused = _throttled([device])
    if refused:
        return refused
    if not device.verify_token(_clean(token)):
        return WRONG_CODE
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per user: any other unconfirmed one is dropped.
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    otp_login(request, device)
    request.session[REQUIRED_SESSION_KEY] = True
    return ""


def verify(*, request: HttpRequest, user: User, token: str) -> str:
    """Verify the session with the current code of one of the user's authenticators;
    "" when done, else the message to show."""
    refused = _throttled(list(TOTPDevice.objects.filter(user=user, confirmed=True)))
    if refused:
        return refused
    device = match_token(user, _clean(token))
    if device is None:
        return WRONG_CODE
    otp_login(request, device)
    return ""


def safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class SecondFactorMiddleware:
    """Sends a signed-in session that still owes its second factor to collect it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        redirect = self._redirect(request)
        return redirect if redirect is not None else self.get_response(request)

    def _redirect(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(_OPEN_PREFIXES + _API_PREFIXES):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        session = request.session
        if REQUIRED_SESSION_KEY not in session:
            # A session from before second factors existed.
            session[REQUIRED_SESSION_KEY] = second_factor_required(user=user)
        # is_verified() is installed on the user by django-otp's OTPMiddleware.
        if not session[REQUIRED_SESSION_KEY] or user.is_verified():  # type: ignore[attr-defined]
            return None
        has_device = user_has_device(user, confirmed=True)
        page = "two_factor_verify" if has_device else "two_factor_setup"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(page)}?{query}")

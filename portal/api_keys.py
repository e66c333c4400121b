"""Issuing, reading and revoking API keys. Raw keys exist only in the issuer's hands."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from portal import audit
from portal.ids import random_base62
from portal.models import ApiKey, Platform

KEY_RANDOM_LENGTH = 40
# Writing last_used_at on every call would turn each read into a write; a minute's
# precision is all anyone needs to see whether a key is in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _raw_key(mode: str) -> str:
    return f"{settings.API_KEY_PRODUCT_PREFIX}_sk_{mode}_{random_base62(KEY_RANDOM_LENGTH)}"


@transaction.atomic
def issue_api_key(
    *,
    kind: str,
    name: str,
    platform: Platform | None = None,
    mode: str = ApiKey.Mode.TEST,
    by: object = None,
    via: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its raw value, which is shown once and never stored."""
    raw = _raw_key(mode)
    key = ApiKey(
        kind=kind,
        name=name,
        platform=platform,
        mode=mode,
        display_prefix=raw[: len(raw) - KEY_RANDOM_LENGTH + 6],
        digest=ApiKey.digest_of(raw),
    )
    key.full_clean()
    key.save()
    audit.record(by=by, via=via, row=key, action=audit.CREATED)
    return key, raw


@transaction.atomic
def revoke_api_key(*, key: ApiKey, by: object = None, via: str | None = None) -> None:
    if key.revoked_at is None:
        was = audit.before(key)
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(by=by, via=via, row=key, before=was)


def key_from_headers(request: HttpRequest) -> str | None:
    """The raw key in the Authorization header, in any of the forms the public SDKs send.

    Accepted: ``Bearer KEY``; HTTP Basic with the key as user name (base64 of
    ``KEY:``); ``Basic KEY`` with the raw key; and the bare key with no scheme.
    """
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None
    scheme, _, rest = header.partition(" ")
    rest = rest.strip()
    if not rest:
        return scheme  # a bare key
    if scheme.lower() == "bearer":
        return rest
    if scheme.lower() == "basic":
        if "_sk_" in rest:
            return rest.split(":", 1)[0]
        try:
            decoded = base64.b64decode(rest, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.split(":", 1)[0]
    return None


def authenticate_request(request: HttpRequest) -> ApiKey | None:
    """The active key behind this request, or None. Cached on the request."""
    if hasattr(request, "_api_key"):
        cached: ApiKey | None = request._api_key
        return cached
    raw = key_from_headers(request)
    key = None
    if raw:
        key = (
            ApiKey.objects.active()
            .select_related("platform")
            .filter(digest=ApiKey.digest_of(raw))
            .first()
        )
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    # A plain attribute on the request: HttpRequest declares no slot for it.
    setattr(request, "_api_key", key)  # noqa: B010
    return key

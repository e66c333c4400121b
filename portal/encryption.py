"""Secrets at rest (tax ids): a text field stored as a Fernet token, and how it is shown.

The keys come from the environment (``FIELD_ENCRYPTION_KEYS``, comma-separated Fernet
keys, see settings): the first encrypts, every one decrypts, so a key is rotated by
putting a new one first, running ``manage.py reencrypt_fields``, then dropping the old
one. A database dump or a read replica shows tokens only; the value is readable only
where the keys are.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Fernet tokens are base64 of a version byte 0x80 onwards: they always start so.
TOKEN_PREFIX = "gAAAAA"
MASK = "••••"
KEYS_MISSING = (
    "Set FIELD_ENCRYPTION_KEYS (Fernet keys, comma-separated, newest first); "
    "with debug off it has no default."
)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(KEYS_MISSING)
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key: {exc}"
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same value under the first key."""
    return fernet().rotate(token.encode()).decode()


def is_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def masked(value: str) -> str:
    """The last four characters of a tax id, the rest hidden: ``••••6789``.

    Separators do not count, so ``12-3456789`` and ``123-45-6789`` both end ``6789``.
    An empty value stays empty (nothing on file).
    """
    kept = "".join(ch for ch in value if ch.isalnum())[-4:]
    return f"{MASK}{kept}" if value else ""


class EncryptedTextField(models.TextField):
    """A string encrypted on the way into the database and decrypted on the way out.

    Empty stays empty (unencrypted), so "none on file" needs no key. Lookups other
    than presence cannot work on ciphertext: never filter or search on this field.
    """

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            raise ImproperlyConfigured(
                f"{self.model.__name__}.{self.name} holds a value none of "
                "FIELD_ENCRYPTION_KEYS decrypts (a key was dropped too early?)."
            ) from None


@checks.register(checks.Tags.security, deploy=True)
def check_keys(**kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: keys are set, valid, and not the published development key."""
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        return [checks.Error(KEYS_MISSING, id="portal.E010")]
    try:
        _fernet(tuple(keys))
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="portal.E011")]
    if settings.DEV_FIELD_ENCRYPTION_KEY in keys:
        return [
            checks.Error(
                "FIELD_ENCRYPTION_KEYS holds the published development key.",
                id="portal.E012",
            )
        ]
    return []


def rewrite_column(
    *, connection: Any, table: str, column: str, change: Callable[[str], str]
) -> int:
    """Apply ``change`` to every non-empty stored value of one column; return how many changed.

    Raw SQL on purpose: the model field would decrypt on the way out, and these
    callers (the data migration, key rotation) need what is really stored.
    """
    qn = connection.ops.quote_name
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {qn(column)} FROM {qn(table)} WHERE {qn(column)} <> ''"
        )
        rows = cursor.fetchall()
        for pk, stored in rows:
            new = change(stored)
            if new != stored:
                cursor.execute(
                    f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE id = %s",
                    [new, pk],
                )
                changed += 1
    return changed


def encrypt_plaintext(stored: str) -> str:
    """A value written before encryption, encrypted; a token left as it is."""
    return stored if is_token(stored) else encrypt(stored)


def decrypt_token(stored: str) -> str:
    return decrypt(stored) if is_token(stored) else stored

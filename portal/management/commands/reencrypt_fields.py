from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from portal.encryption import (
    EncryptedTextField,
    encrypt_plaintext,
    rewrite_column,
    rotate,
)


def _under_first_key(stored: str) -> str:
    # A plaintext value (written before encryption) is encrypted; a token is
    # re-encrypted under the first key, whichever listed key wrote it.
    encrypted = encrypt_plaintext(stored)
    return rotate(encrypted) if encrypted == stored else encrypted


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field (tax ids) under the first key of "
        "FIELD_ENCRYPTION_KEYS, so that older keys can then be dropped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        with transaction.atomic():
            for model in apps.get_models():
                for field in model._meta.concrete_fields:
                    if isinstance(field, EncryptedTextField):
                        total += _rewrite(model._meta.db_table, field.column)
        self.stdout.write(f"Re-encrypted {total} values under the first key.")


def _rewrite(table: str, column: str) -> int:
    return rewrite_column(
        connection=connection, table=table, column=column, change=_under_first_key
    )

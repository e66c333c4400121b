"""Writing to a draft transaction: what every write to its contents shares — the row
lock, state checks, short ids, checksums and the value rules (shares, money, text
lengths)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Final, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from policies.models import PolicyTransaction, TransactionStatus

M = TypeVar("M", bound=models.Model)

TRANSACTION_NOT_DRAFT = (
    "The job is {status}: its contents can be changed only while it is a draft."
)
CHECKSUM_MISMATCH = (
    "The supplied checksum '{supplied}' does not match the current checksum "
    "'{current}'."
)
PERCENT_RANGE = "{field} must be between 0 and 100 percent."
PERCENT_NOT_POSITIVE = "{field} must be more than 0 percent."
PERCENT_PRECISION = "{field} has at most two decimal places."
AMOUNT_NEGATIVE = "{field} cannot be negative."
AMOUNT_PRECISION = "{field} has at most two decimal places."
AMOUNT_TOO_LARGE = "{field} is too large."
UNKNOWN_CURRENCY = "Unknown currency: {currency}. Use one of: {known}."
TOO_LONG = "{field} is at most {limit} characters."
REQUIRED = "{field} is required."
UNKNOWN_CODE = "'{code}' is not a valid {typelist} code. Use one of: {known}."

CURRENCIES: Final = ("usd", "cad", "eur", "gbp")


class Unset(Enum):
    """A PATCH leaves a field it does not name as it is."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET


@dataclass(frozen=True)
class Money:
    """An amount in a currency (lower-case ISO code), as the Cloud API writes money."""

    amount: Decimal
    currency: str = "usd"


class ChecksumMismatch(ValidationError):
    """The resource changed since the caller read it (HTTP 409 on the API)."""

    def __init__(self, *, current: str, supplied: str) -> None:
        super().__init__(
            CHECKSUM_MISMATCH.format(current=current, supplied=supplied),
            code="409:checksum_mismatch",
        )
        self.current = current
        self.supplied = supplied


def _plain(field: models.Field, value: Any) -> Any:
    # The same row must stamp the same whether it was just saved (values as the
    # caller gave them: Decimal("5.5")) or read back (Decimal("5.50")).
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(field, models.DecimalField):
        return f"{Decimal(value):.{field.decimal_places}f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def checksum(*rows: models.Model, extra: Any = None) -> str:
    """A version stamp of a resource: MD5 of every stored value of its rows.

    It changes whenever any column changes, exposed or not, as the Cloud API's
    checksums do; callers treat it as opaque.
    """
    values = [
        [
            row._meta.label,
            [_plain(f, getattr(row, f.attname)) for f in row._meta.concrete_fields],
        ]
        for row in rows
    ]
    if extra is not None:
        values.append(["extra", extra])
    payload = json.dumps(values, sort_keys=True, default=str).encode()
    return hashlib.md5(payload, usedforsecurity=False).hexdigest()


def verify_checksum(supplied: str | None, current: str) -> None:
    """Refuse the write when the caller sent a checksum that is no longer current."""
    if supplied is not None and supplied != current:
        raise ChecksumMismatch(current=current, supplied=supplied)


def lock_transaction(txn: PolicyTransaction | int) -> PolicyTransaction:
    """The transaction, re-read under its row lock.

    Every write to a transaction's contents takes this lock first: it orders the
    write against quote/bind (so "only while draft" holds) and makes the short-id
    counter safe.
    """
    pk = txn if isinstance(txn, int) else txn.pk
    return (
        PolicyTransaction.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=pk)
    )


def lock_draft(txn: PolicyTransaction | int) -> PolicyTransaction:
    locked = lock_transaction(txn)
    if locked.status != TransactionStatus.DRAFT:
        raise ValidationError(
            TRANSACTION_NOT_DRAFT.format(status=locked.get_status_display().lower()),
            code="invalid_state",
        )
    return locked


def next_number(txn: PolicyTransaction) -> int:
    """The next short id of a child of ``txn`` (which must be locked)."""
    txn.last_child_number += 1
    PolicyTransaction.objects.filter(pk=txn.pk).update(
        last_child_number=txn.last_child_number
    )
    return txn.last_child_number


def relock(row: M) -> M:
    """``row`` re-read under its own row lock."""
    return type(row)._default_manager.select_for_update(of=("self",)).get(pk=row.pk)


class Errors:
    """Collects field errors so that one response names every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)

    def percent(
        self, field: str, label: str, value: Decimal | None, *, positive: bool = False
    ) -> None:
        if value is None:
            return
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
            self.add(field, PERCENT_RANGE.format(field=label))
        elif positive and value == 0:
            # "-0" and "0.00" included: a party with no share takes no part.
            self.add(field, PERCENT_NOT_POSITIVE.format(field=label))
        elif value != value.quantize(Decimal("0.01")):
            self.add(field, PERCENT_PRECISION.format(field=label))

    def money(self, field: str, label: str, value: Money | None) -> None:
        if value is None:
            return
        amount = value.amount
        if not amount.is_finite() or amount < 0:
            self.add(field, AMOUNT_NEGATIVE.format(field=label))
        elif amount != amount.quantize(Decimal("0.01")):
            self.add(field, AMOUNT_PRECISION.format(field=label))
        elif amount >= Decimal(10) ** 12:
            self.add(field, AMOUNT_TOO_LARGE.format(field=label))
        if value.currency not in CURRENCIES:
            self.add(
                field,
                UNKNOWN_CURRENCY.format(
                    currency=value.currency, known=", ".join(CURRENCIES)
                ),
            )

    def text(
        self, field: str, label: str, value: str, limit: int, required: bool = False
    ) -> None:
        if required and not value.strip():
            self.add(field, REQUIRED.format(field=label))
        elif len(value) > limit:
            self.add(field, TOO_LONG.format(field=label, limit=limit))

    def code(
        self,
        field: str,
        typelist: str,
        value: str,
        choices: type[models.TextChoices],
    ) -> None:
        if value not in choices.values:
            self.add(
                field,
                UNKNOWN_CODE.format(
                    code=value, typelist=typelist, known=", ".join(choices.values)
                ),
            )


def percent_text(value: Decimal) -> str:
    """A share as people write it: 50, 12.5, 33.33."""
    return f"{value.normalize():f}"

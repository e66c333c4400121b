"""Parties of a coinsurance agreement: the coinsurers, by producer code, with their
role and share; the agreement's total stays within 100 percent."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from policies.models import (
    AuditAction,
    CoinsuranceAgreement,
    CoinsuranceParty,
    CoinsuranceRole,
    ProducerCode,
)
from policies.services.audit import Actor, delete_recorded, record_row, snapshot
from policies.services.coinsurance import (
    check_share_total,
    locked_agreement,
    party_share_total,
)
from policies.services.drafts import (
    UNSET,
    Errors,
    Unset,
    checksum,
    next_number,
    relock,
    verify_checksum,
)

UNKNOWN_PRODUCER_CODE = "No producer code {id}."
PARTY_ALREADY_ON_AGREEMENT = (
    "The producer code {code} is already a party to this coinsurance agreement."
)


# ---------------------------------------------------------------------------
# Parties


@transaction.atomic
def add_coinsurance_party(
    *,
    agreement: CoinsuranceAgreement,
    producer_code: ProducerCode | None,
    role: str,
    share: Decimal,
    producer_code_id: str = "",
    by: Actor = None,
) -> CoinsuranceParty:
    """Add a coinsurer (by producer code) to an agreement, within the 100 % total.

    ``producer_code`` is None when the caller named one that does not exist
    (``producer_code_id`` is then what they named).
    """
    txn, current = locked_agreement(agreement)
    errors = Errors()
    if producer_code is None:
        errors.add("producer_code", UNKNOWN_PRODUCER_CODE.format(id=producer_code_id))
    errors.code("role", "CoinsuranceRole", role, CoinsuranceRole)
    errors.percent("share", "The party's share", share, positive=True)
    errors.raise_if_any()
    assert producer_code is not None
    if CoinsuranceParty.objects.filter(
        agreement=current, producer_code=producer_code
    ).exists():
        raise ValidationError(
            {
                "producer_code": [
                    PARTY_ALREADY_ON_AGREEMENT.format(code=producer_code.code)
                ]
            }
        )
    check_share_total(current.our_share + share, party_share_total(current))
    party = CoinsuranceParty.objects.create(
        transaction=txn,
        number=next_number(txn),
        agreement=current,
        producer_code=producer_code,
        role=role,
        share=share,
    )
    record_row(by=by, action=AuditAction.CREATED, row=party, txn=txn)
    return party


@transaction.atomic
def update_coinsurance_party(
    *,
    party: CoinsuranceParty,
    checksum_supplied: str | None = None,
    role: str | Unset = UNSET,
    share: Decimal | Unset = UNSET,
    by: Actor = None,
) -> CoinsuranceParty:
    txn, agreement = locked_agreement(party.agreement)
    current = relock(party)
    verify_checksum(checksum_supplied, checksum(current))
    before = snapshot(current)
    errors = Errors()
    if not isinstance(role, Unset):
        errors.code("role", "CoinsuranceRole", role, CoinsuranceRole)
    if not isinstance(share, Unset):
        errors.percent("share", "The party's share", share, positive=True)
    errors.raise_if_any()
    if not isinstance(share, Unset):
        check_share_total(
            agreement.our_share + share,
            party_share_total(agreement, excluding=current.pk),
        )
        current.share = share
    if not isinstance(role, Unset):
        current.role = role
    current.save()
    record_row(by=by, action=AuditAction.CHANGED, row=current, txn=txn, before=before)
    return current


@transaction.atomic
def delete_coinsurance_party(
    *, party: CoinsuranceParty, checksum_supplied: str | None = None, by: Actor = None
) -> None:
    txn, _ = locked_agreement(party.agreement)
    current = relock(party)
    verify_checksum(checksum_supplied, checksum(current))
    delete_recorded(by=by, row=current, txn=txn)

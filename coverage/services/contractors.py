"""Writes for contractors (the techs): create, change, delete (which ends their coverage)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from typing_extensions import TypedDict

from coverage.audit import Actor, AuditAction, audited
from coverage.audit import before as audit_before
from coverage.models import Contractor
from coverage.services.inputs import (
    REQUIRED,
    apply_address,
    invalid,
    merge_metadata,
    validate_fields,
)
from coverage.services.policies import end_coverage
from coverage.services.redecide import redecide_contractor
from portal.models import Platform

DUPLICATE_EMAIL = (
    "You already have a contractor with that same email address in the system. Use a "
    "different email address or modify the existing contractor record."
)
INVALID_EMAIL = "Enter a valid email address."
TAX_ID_TOO_LONG = "tax_identification must be at most 20 characters."
# The column holds ciphertext, so its length no longer bounds the value: this does.
TAX_ID_MAX_LENGTH = 20


class ContractorData(TypedDict, total=False):
    first_name: str
    middle_name: str
    last_name: str
    email: str
    phone: str
    company_name: str
    tax_identification: str
    address: dict[str, Any] | None
    custom_metadata: dict[str, Any]
    withhold_premium: bool


def _email_taken(contractor: Contractor, email: str) -> bool:
    return (
        Contractor.objects.for_platform(contractor.platform)
        .live()
        .annotate(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .exclude(pk=contractor.pk)
        .exists()
    )


def _apply_contractor(contractor: Contractor, data: ContractorData) -> None:
    for field in ("first_name", "last_name"):
        if field in data:
            value = (data[field] or "").strip()
            if not value:
                raise invalid(field, REQUIRED)
            setattr(contractor, field, value)
    for field in (
        "middle_name",
        "phone",
        "company_name",
        "tax_identification",
    ):
        if field in data:
            setattr(contractor, field, (data[field] or "").strip())  # type: ignore[literal-required]
    if len(contractor.tax_identification) > TAX_ID_MAX_LENGTH:
        raise invalid("tax_identification", TAX_ID_TOO_LONG)
    if "email" in data:
        email = (data["email"] or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            raise invalid("email", INVALID_EMAIL) from None
        if _email_taken(contractor, email):
            raise ValidationError(DUPLICATE_EMAIL, code="duplicate_email")
        contractor.email = email
    if "address" in data:
        apply_address(contractor, data["address"], region_required=False)
    if "custom_metadata" in data:
        contractor.custom_metadata = merge_metadata(
            contractor.custom_metadata, data["custom_metadata"] or {}
        )
    if "withhold_premium" in data:
        contractor.withhold_premium = bool(data["withhold_premium"])


def _save_contractor(contractor: Contractor) -> None:
    validate_fields(contractor, exclude=["platform"])
    # Two requests racing with one email both pass _email_taken; the unique index
    # lets one through and the other gets the same answer as a plain duplicate.
    try:
        with transaction.atomic():
            contractor.save()
    except IntegrityError:
        raise ValidationError(DUPLICATE_EMAIL, code="duplicate_email") from None


@transaction.atomic
def create_contractor(
    *,
    platform: Platform,
    data: ContractorData,
    by: Actor = None,
    via: str | None = None,
) -> Contractor:
    for field in ("first_name", "last_name", "email"):
        if field not in data:
            raise invalid(field, REQUIRED)
    contractor = Contractor(platform=platform)
    _apply_contractor(contractor, data)
    _save_contractor(contractor)
    audited(by=by, via=via, row=contractor, action=AuditAction.CREATED)
    return contractor


def _decided_on(contractor: Contractor) -> tuple[Any, ...]:
    """What a dispatch is decided (residence state), rated or certified (name, address) on."""
    return (contractor.legal_name, tuple(contractor.address.values()))


@transaction.atomic
def update_contractor(
    *,
    contractor: Contractor,
    data: ContractorData,
    now: datetime,
    by: Actor = None,
    via: str | None = None,
) -> Contractor:
    """Edit a contractor; a new residence or name re-decides their live dispatches."""
    # Locked, so a dispatch being reported for them waits (or is seen by the re-decision).
    contractor = (
        Contractor.objects.select_for_update(of=("self",))
        .select_related("platform")
        .get(pk=contractor.pk)
    )
    before = _decided_on(contractor)
    was = audit_before(contractor)
    _apply_contractor(contractor, data)
    _save_contractor(contractor)
    audited(by=by, via=via, row=contractor, before=was)
    if _decided_on(contractor) != before:
        redecide_contractor(contractor=contractor, now=now)
    return contractor


@transaction.atomic
def delete_contractor(
    *, contractor: Contractor, now: datetime, by: Actor = None, via: str | None = None
) -> Contractor:
    """Delete a contractor: their active policies are cancelled at once (API §2.2)."""
    contractor = Contractor.objects.select_for_update(of=("self",)).get(
        pk=contractor.pk
    )
    was = audit_before(contractor)
    for policy in contractor.policies.filter(status="active").order_by("pk"):
        end_coverage(policy=policy, now=now, by=by)
    contractor.deleted_at = now
    contractor.save(update_fields=["deleted_at"])
    audited(by=by, via=via, row=contractor, action=AuditAction.DELETED, before=was)
    return contractor

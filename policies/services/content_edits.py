"""Editing what a draft already holds: its locations, and its contacts and their roles.

Same rules as adding them (``policies.services.contents``), only while the
transaction is a draft, each change audited old → new in its own transaction.
A contact belongs to the insured's account and is shared by its policies (as in
Guidewire): its details change everywhere, its roles only on this draft.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from policies.models import (
    AuditAction,
    Contact,
    ContactRole,
    LocationNamedInsured,
    PolicyContactRole,
    PolicyLocation,
    PolicyTransaction,
)
from policies.services.audit import Actor, record, record_row, snapshot
from policies.services.contents import (
    LNI_NOT_NAMED_INSURED,
    check_contact_details,
    check_location,
    check_roles,
)
from policies.services.drafts import Errors, lock_draft, relock

LOCATION_NOT_ON_TRANSACTION = "The location is not on this job."
CONTACT_NOT_ON_TRANSACTION = "The contact is not on this job."
ACCOUNT_HOLDER_DETAILS = (
    "The primary named insured is the insured contractor: change their details on "
    "the contractor, not here."
)


@transaction.atomic
def update_location(
    *,
    txn: PolicyTransaction,
    location: PolicyLocation,
    address_line1: str,
    city: str,
    state: str,
    postal_code: str,
    address_line2: str = "",
    by: Actor = None,
) -> PolicyLocation:
    """A draft's location with a corrected address (its number stays)."""
    txn = lock_draft(txn)
    if location.transaction_id != txn.pk:
        raise ValidationError(LOCATION_NOT_ON_TRANSACTION, code="invalid_input")
    location = relock(location)
    check_location(
        address_line1=address_line1,
        address_line2=address_line2,
        city=city,
        state=state,
        postal_code=postal_code,
        country=location.country,
    )
    before = snapshot(location)
    location.address_line1 = address_line1.strip()
    location.address_line2 = address_line2.strip()
    location.city = city.strip()
    location.state = state
    location.postal_code = postal_code.strip()
    location.save()
    record_row(by=by, action=AuditAction.CHANGED, row=location, txn=txn, before=before)
    return location


def _role_text(roles: Sequence[str]) -> str | None:
    return ", ".join(ContactRole(r).label for r in roles) or None


@transaction.atomic
def update_contact(
    *,
    txn: PolicyTransaction,
    contact: Contact,
    kind: str,
    first_name: str = "",
    last_name: str = "",
    company_name: str = "",
    email: str = "",
    phone: str = "",
    roles: Sequence[str] = (),
    by: Actor = None,
) -> Contact:
    """A contact on a draft: its details (on the account) and its roles on the draft.

    The primary named insured is the insured contractor: its role stays and its
    details come from the contractor, so only its other roles change here."""
    txn = lock_draft(txn)
    held = list(
        PolicyContactRole.objects.select_for_update()
        .filter(transaction=txn, contact=contact)
        .values_list("role", flat=True)
    )
    if not held:
        raise ValidationError(CONTACT_NOT_ON_TRANSACTION, code="invalid_input")
    contact = relock(contact)
    primary = ContactRole.PRIMARY_NAMED_INSURED in held
    errors = Errors()
    given = (kind, first_name, last_name, company_name, email, phone)
    if primary and tuple(v.strip() for v in given) != (
        contact.kind,
        contact.first_name,
        contact.last_name,
        contact.company_name,
        contact.email,
        contact.phone,
    ):
        errors.add("last_name", ACCOUNT_HOLDER_DETAILS)
    check_contact_details(
        errors,
        kind=kind,
        first_name=first_name,
        last_name=last_name,
        company_name=company_name,
        email=email,
        phone=phone,
    )
    # The contact's own roles are replaced, so they do not count as taken.
    PolicyContactRole.objects.filter(transaction=txn, contact=contact).exclude(
        role=ContactRole.PRIMARY_NAMED_INSURED
    ).delete()
    wanted = [r for r in roles if r != ContactRole.PRIMARY_NAMED_INSURED or not primary]
    checked = check_roles(txn, wanted, errors) if wanted or not primary else []
    if (
        ContactRole.SECONDARY_NAMED_INSURED in checked
        and LocationNamedInsured.objects.filter(
            location__transaction=txn, contact=contact
        ).exists()
    ):
        errors.add("roles", LNI_NOT_NAMED_INSURED)
    errors.raise_if_any()
    before = snapshot(contact)
    contact.kind = kind
    contact.first_name = first_name.strip()
    contact.last_name = last_name.strip()
    contact.company_name = company_name.strip()
    contact.email = email
    contact.phone = phone.strip()
    contact.save()
    PolicyContactRole.objects.bulk_create(
        PolicyContactRole(transaction=txn, contact=contact, role=role)
        for role in checked
    )
    after_roles = ([ContactRole.PRIMARY_NAMED_INSURED] if primary else []) + checked
    changes = [
        {"field": name, "label": label, "old": before[name][1], "new": value}
        for name, (label, value) in snapshot(contact).items()
        if before[name][1] != value
    ]
    old_roles, new_roles = _role_text(sorted(held)), _role_text(sorted(after_roles))
    if old_roles != new_roles:
        changes.append(
            {
                "field": "roles",
                "label": "Roles on the job",
                "old": old_roles,
                "new": new_roles,
            }
        )
    if changes:
        record(
            by=by,
            action=AuditAction.CHANGED,
            txn=txn,
            object_type="Contact",
            object_id=contact.public_id,
            object_label=contact.display_name,
            changes=changes,
        )
    return contact

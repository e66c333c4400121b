"""A transaction's contents: locations, contacts and roles, location named insureds
and policy sections (prior policies are in ``prior_policies``).

Contents change only while the transaction is a draft.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from policies.models import (
    AuditAction,
    Contact,
    ContactRole,
    LocationNamedInsured,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PolicyTransaction,
    Product,
    SectionType,
    TransactionStatus,
)
from policies.services.audit import Actor, delete_recorded, record, record_row, snapshot
from policies.services.drafts import (
    Errors,
    checksum,
    lock_draft,
    lock_transaction,
    next_number,
    relock,
    verify_checksum,
)
from portal.jurisdictions import US_STATES

# Locations
LOCATION_STATE = "{state} is not a US state code."
LOCATION_COUNTRY = "Only US locations are supported."

# Contacts
PERSON_NEEDS_NAME = "A person needs a last name."
COMPANY_NEEDS_NAME = "A company needs a company name."
INVALID_EMAIL = "Enter a valid email address."
PRIMARY_ROLE_RESERVED = (
    "The primary named insured is the insured contractor; no other contact can "
    "have that role."
)
SECONDARY_TAKEN = "The job already has a secondary named insured."
CONTACT_NOT_ON_ACCOUNT = "The contact is not on the insured's account."
CONTACT_ALREADY_ON_TRANSACTION = "The contact is already on the job."

# Location named insureds (seed 002's wording where it gives one)
LNI_NOT_DRAFT = (
    "You cannot create an association on a bound or quoted policy job. "
    "The job must be in draft status."
)
LNI_NOT_ALLOWED = "The product {product} does not allow location named insureds."
LNI_MUST_EXIST = (
    "The contact and the location must already exist on the job or policy to "
    "associate them."
)
LNI_NOT_NAMED_INSURED = (
    "The contact cannot be the primary or secondary named insured on the policy."
)
LNI_ONE_PER_LOCATION = (
    "Only one additional named insured contact can be associated with each "
    "policy location."
)
LNI_DUPLICATE = "The contact is already a named insured at this location."
LNI_IMMUTABLE = (
    "You cannot change anything about the association between a policy location "
    "and a contact: they are either associated or they are not. Delete the "
    "association instead."
)

# Sections
UNKNOWN_SECTION_TYPE = "Unknown section type: {code}."
SECTION_NOT_IN_PRODUCT = "The product {product} has no {name} ({code}) section."
SECTION_ALREADY_ON_TRANSACTION = "The job already has a {name} ({code}) section."
SECTION_IN_USE = (
    "Section {code} belongs to {owner}; remove it from there before deleting it."
)

# ---------------------------------------------------------------------------
# Locations


def check_location(
    *,
    address_line1: str,
    address_line2: str,
    city: str,
    state: str,
    postal_code: str,
    country: str,
) -> None:
    """A location's address rules, for a new location and an edited one alike."""
    errors = Errors()
    errors.text("address_line1", "The address", address_line1, 200, required=True)
    errors.text("address_line2", "The second address line", address_line2, 200)
    errors.text("city", "The city", city, 100, required=True)
    errors.text("postal_code", "The postal code", postal_code, 20, required=True)
    if state not in US_STATES:
        errors.add("state", LOCATION_STATE.format(state=state))
    if country != "US":
        errors.add("country", LOCATION_COUNTRY)
    errors.raise_if_any()


@transaction.atomic
def add_location(
    *,
    txn: PolicyTransaction,
    address_line1: str,
    city: str,
    state: str,
    postal_code: str,
    address_line2: str = "",
    country: str = "US",
    by: Actor = None,
) -> PolicyLocation:
    """A new policy location on a draft transaction; its state is its jurisdiction."""
    txn = lock_draft(txn)
    check_location(
        address_line1=address_line1,
        address_line2=address_line2,
        city=city,
        state=state,
        postal_code=postal_code,
        country=country,
    )
    location = PolicyLocation.objects.create(
        transaction=txn,
        number=next_number(txn),
        address_line1=address_line1.strip(),
        address_line2=address_line2.strip(),
        city=city.strip(),
        state=state,
        postal_code=postal_code.strip(),
        country=country,
    )
    record_row(by=by, action=AuditAction.CREATED, row=location, txn=txn)
    return location


# ---------------------------------------------------------------------------
# Contacts and roles


def check_contact_details(
    errors: Errors,
    *,
    kind: str,
    first_name: str,
    last_name: str,
    company_name: str,
    email: str,
    phone: str,
) -> None:
    """A contact's own rules, for a new contact and an edited one alike."""
    errors.code("kind", "Contact", kind, Contact.Kind)
    errors.text("first_name", "The first name", first_name, 100)
    errors.text("last_name", "The last name", last_name, 100)
    errors.text("company_name", "The company name", company_name, 200)
    errors.text("email", "The email address", email, 254)
    errors.text("phone", "The phone number", phone, 40)
    if kind == Contact.Kind.PERSON and not last_name.strip():
        errors.add("last_name", PERSON_NEEDS_NAME)
    if kind == Contact.Kind.COMPANY and not company_name.strip():
        errors.add("company_name", COMPANY_NEEDS_NAME)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", INVALID_EMAIL)


def check_roles(
    txn: PolicyTransaction, roles: Sequence[str], errors: Errors
) -> list[str]:
    roles = list(dict.fromkeys(roles)) or [ContactRole.INVOLVED_PARTY]
    for role in roles:
        errors.code("roles", "PolicyContactRole", role, ContactRole)
    if ContactRole.PRIMARY_NAMED_INSURED in roles:
        errors.add("roles", PRIMARY_ROLE_RESERVED)
    if (
        ContactRole.SECONDARY_NAMED_INSURED in roles
        and PolicyContactRole.objects.filter(
            transaction=txn, role=ContactRole.SECONDARY_NAMED_INSURED
        ).exists()
    ):
        errors.add("roles", SECONDARY_TAKEN)
    return roles


def _give_roles(
    txn: PolicyTransaction,
    contact: Contact,
    roles: list[str],
    *,
    by: Actor,
    action: str,
) -> None:
    PolicyContactRole.objects.bulk_create(
        PolicyContactRole(transaction=txn, contact=contact, role=role) for role in roles
    )
    fields = snapshot(contact) if action == AuditAction.CREATED else {}
    changes = [
        {"field": name, "label": label, "old": None, "new": value}
        for name, (label, value) in fields.items()
        if value is not None
    ]
    changes.append(
        {
            "field": "roles",
            "label": "Roles on the job",
            "old": None,
            "new": ", ".join(ContactRole(r).label for r in roles),
        }
    )
    record(
        by=by,
        action=action,
        txn=txn,
        object_type="Contact",
        object_id=contact.public_id,
        object_label=contact.display_name,
        changes=changes,
    )


@transaction.atomic
def add_contact(
    *,
    txn: PolicyTransaction,
    kind: str = Contact.Kind.PERSON,
    first_name: str = "",
    last_name: str = "",
    company_name: str = "",
    email: str = "",
    phone: str = "",
    roles: Sequence[str] = (),
    by: Actor = None,
) -> Contact:
    """A new contact on the insured's account, put on a draft transaction with ``roles``.

    With no roles it is a policy involved party, as Guidewire adds contacts.
    """
    txn = lock_draft(txn)
    errors = Errors()
    check_contact_details(
        errors,
        kind=kind,
        first_name=first_name,
        last_name=last_name,
        company_name=company_name,
        email=email,
        phone=phone,
    )
    checked_roles = check_roles(txn, roles, errors)
    errors.raise_if_any()
    contact = Contact.objects.create(
        contractor_id=txn.contractor_id,
        kind=kind,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        company_name=company_name.strip(),
        email=email,
        phone=phone.strip(),
    )
    _give_roles(txn, contact, checked_roles, by=by, action=AuditAction.CREATED)
    return contact


@transaction.atomic
def add_account_contact(
    *,
    txn: PolicyTransaction,
    contact: Contact,
    roles: Sequence[str] = (),
    by: Actor = None,
) -> Contact:
    """Put a contact already on the insured's account on a draft transaction."""
    txn = lock_draft(txn)
    if contact.contractor_id != txn.contractor_id:
        raise ValidationError({"account_contact": [CONTACT_NOT_ON_ACCOUNT]})
    if PolicyContactRole.objects.filter(transaction=txn, contact=contact).exists():
        raise ValidationError({"account_contact": [CONTACT_ALREADY_ON_TRANSACTION]})
    errors = Errors()
    checked_roles = check_roles(txn, roles, errors)
    errors.raise_if_any()
    _give_roles(txn, contact, checked_roles, by=by, action=AuditAction.ASSOCIATED)
    return contact


def contact_checksum(contact: Contact, roles: Sequence[str]) -> str:
    """A contact on one transaction is its row plus the roles it has there."""
    return checksum(contact, extra=sorted(roles))


# ---------------------------------------------------------------------------
# Location named insureds (seed 002)


@transaction.atomic
def associate_location_named_insured(
    *,
    txn: PolicyTransaction,
    location: PolicyLocation,
    contact: Contact | None,
    by: Actor = None,
) -> LocationNamedInsured:
    """Associate a contact on the transaction with one of its locations as a named insured there.

    ``contact`` is None when the caller named a contact that does not exist. The
    contact gets the additional-named-insured role if it lacks it.
    """
    txn = lock_transaction(txn)
    if txn.status != TransactionStatus.DRAFT:
        raise ValidationError(LNI_NOT_DRAFT, code="invalid_state")
    product: Product = txn.product
    if product.location_named_insureds == Product.NamedInsureds.NONE:
        raise ValidationError(LNI_NOT_ALLOWED.format(product=product.name))
    roles = (
        set(
            PolicyContactRole.objects.filter(
                transaction=txn, contact=contact
            ).values_list("role", flat=True)
        )
        if contact is not None
        else set()
    )
    if location.transaction_id != txn.pk or not roles:
        raise ValidationError({"contact": [LNI_MUST_EXIST]})
    assert contact is not None
    if roles & {
        ContactRole.PRIMARY_NAMED_INSURED,
        ContactRole.SECONDARY_NAMED_INSURED,
    }:
        raise ValidationError({"contact": [LNI_NOT_NAMED_INSURED]})
    existing = LocationNamedInsured.objects.filter(location=location)
    if existing.filter(contact=contact).exists():
        raise ValidationError({"contact": [LNI_DUPLICATE]})
    if (
        product.location_named_insureds == Product.NamedInsureds.ONE
        and existing.exists()
    ):
        raise ValidationError({"contact": [LNI_ONE_PER_LOCATION]})
    if ContactRole.ADDITIONAL_NAMED_INSURED not in roles:
        granted = PolicyContactRole.objects.create(
            transaction=txn, contact=contact, role=ContactRole.ADDITIONAL_NAMED_INSURED
        )
        record_row(by=by, action=AuditAction.CREATED, row=granted, txn=txn)
    named_insured = LocationNamedInsured.objects.create(
        transaction=txn, number=next_number(txn), location=location, contact=contact
    )
    record_row(by=by, action=AuditAction.ASSOCIATED, row=named_insured, txn=txn)
    return named_insured


@transaction.atomic
def delete_location_named_insured(
    *,
    named_insured: LocationNamedInsured,
    checksum_supplied: str | None = None,
    by: Actor = None,
) -> None:
    """Undo an association; the contact keeps its additional-named-insured role."""
    txn = lock_draft(named_insured.transaction_id)
    current = relock(named_insured)
    verify_checksum(checksum_supplied, checksum(current))
    record_row(
        by=by,
        action=AuditAction.DISSOCIATED,
        row=current,
        txn=txn,
        gone=True,
    )
    current.delete()


# ---------------------------------------------------------------------------
# Policy sections


def validate_section_types(*, product: Product, section_types: Sequence[str]) -> None:
    errors = Errors()
    for code in section_types:
        if code not in SectionType.values:
            errors.add("sections", UNKNOWN_SECTION_TYPE.format(code=code))
        elif code not in product.section_types:
            errors.add(
                "sections",
                SECTION_NOT_IN_PRODUCT.format(
                    product=product.name, name=SectionType(code).label, code=code
                ),
            )
    errors.raise_if_any()


@transaction.atomic
def add_section(
    *, txn: PolicyTransaction, section_type: str, by: Actor = None
) -> PolicySection:
    """Add a policy section of a type the product allows."""
    txn = lock_draft(txn)
    validate_section_types(product=txn.product, section_types=[section_type])
    if PolicySection.objects.filter(
        transaction=txn, section_type=section_type
    ).exists():
        raise ValidationError(
            {
                "section_type": [
                    SECTION_ALREADY_ON_TRANSACTION.format(
                        name=SectionType(section_type).label, code=section_type
                    )
                ]
            }
        )
    section = PolicySection.objects.create(transaction=txn, section_type=section_type)
    record_row(by=by, action=AuditAction.CREATED, row=section, txn=txn)
    return section


@transaction.atomic
def delete_section(
    *, section: PolicySection, checksum_supplied: str | None = None, by: Actor = None
) -> None:
    """Remove a section that no coinsurance agreement or tower uses."""
    txn = lock_draft(section.transaction_id)
    current = relock(section)
    verify_checksum(checksum_supplied, checksum(current))
    if current.coinsurance_agreement_id or current.tower_id:
        owner = (
            "a coinsurance agreement" if current.coinsurance_agreement_id else "a tower"
        )
        raise ValidationError(
            SECTION_IN_USE.format(code=current.section_type, owner=owner)
        )
    delete_recorded(by=by, row=current, txn=txn)

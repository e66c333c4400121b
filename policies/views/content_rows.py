"""Each location and contact of a draft with its edit form (prefilled, or the one
just refused, with its errors), for the transaction page."""

from __future__ import annotations

from typing import Any

from policies.forms import ContactForm, LocationForm
from policies.models import Contact, ContactRole, PolicyLocation
from policies.selectors.contents import ContactOnTransaction

# (row key, bound form with its errors) for the row being edited.
Editing = tuple[Any, Any] | None


def location_prefix(location: PolicyLocation) -> str:
    return f"location-{location.number}"


def contact_prefix(contact: Contact) -> str:
    return f"contact-{contact.public_id.replace(':', '-')}"


def location_rows(
    locations: list[PolicyLocation], editing: Editing = None
) -> list[tuple[PolicyLocation, LocationForm]]:
    """Each location with its edit form: prefilled, or the refused one."""
    rows = []
    for location in locations:
        if editing is not None and editing[0] == location.number:
            rows.append((location, editing[1]))
            continue
        initial = {
            name: getattr(location, name)
            for name in ("address_line1", "address_line2", "city", "state")
        } | {"postal_code": location.postal_code}
        form = LocationForm(initial=initial, prefix=location_prefix(location))
        rows.append((location, form))
    return rows


def contact_rows(
    contacts: list[ContactOnTransaction], editing: Editing = None
) -> list[tuple[ContactOnTransaction, ContactForm | None]]:
    """Each contact with its edit form; the primary named insured (the insured
    contractor, whose details are the contractor's) has none."""
    rows: list[tuple[ContactOnTransaction, ContactForm | None]] = []
    for entry in contacts:
        contact = entry.contact
        if ContactRole.PRIMARY_NAMED_INSURED in entry.roles:
            rows.append((entry, None))
        elif editing is not None and editing[0] == contact.public_id:
            rows.append((entry, editing[1]))
        else:
            initial = {
                name: getattr(contact, name)
                for name in (
                    "kind",
                    "first_name",
                    "last_name",
                    "company_name",
                    "email",
                    "phone",
                )
            } | {"roles": entry.roles}
            rows.append(
                (entry, ContactForm(initial=initial, prefix=contact_prefix(contact)))
            )
    return rows

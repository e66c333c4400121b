"""Editing a draft's locations and contacts in the workspace: the row's own form,
prefilled; the services' rules and words; each change in the history, old → new."""

from __future__ import annotations

from html import escape

import pytest
from django.test import Client

from policies import services
from policies.models import (
    AuditEntry,
    AuditVia,
    Contact,
    ContactRole,
    PolicyContactRole,
    PolicyLocation,
    PolicyTransaction,
)
from policies.services.content_edits import ACCOUNT_HOLDER_DETAILS
from policies.services.contents import (
    LOCATION_STATE,
    PERSON_NEEDS_NAME,
    SECONDARY_TAKEN,
)
from policies.services.drafts import TRANSACTION_NOT_DRAFT
from portal.models import Platform, User
from tests.policies.builders import draft_submission
from tests.policies.conftest import htmx

pytestmark = pytest.mark.django_db


def url(txn: PolicyTransaction, suffix: str) -> str:
    return f"/underwriting/transactions/{txn.public_id}/{suffix}"


def text(response) -> str:
    return response.content.decode()


def location_data(**changes: str) -> dict[str, str]:
    data = {
        "address_line1": "1 Harbor Way",
        "address_line2": "",
        "city": "Newark",
        "state": "NJ",
        "postal_code": "07102",
    } | changes
    return {f"location-1-{k}": v for k, v in data.items()}


def contact_form(contact: Contact, **changes) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": contact.kind,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company_name": contact.company_name,
        "email": contact.email,
        "phone": contact.phone,
        "roles": [ContactRole.ADDITIONAL_INSURED],
    } | changes
    prefix = f"contact-{contact.public_id.replace(':', '-')}"
    return {f"{prefix}-{k}": v for k, v in data.items()}


def mike(txn: PolicyTransaction) -> Contact:
    return Contact.objects.get(roles__transaction=txn, last_name="Sherman")


def test_the_page_offers_each_row_prefilled(uw: Client, platform: Platform) -> None:
    txn = draft_submission(platform)
    page = text(uw.get(url(txn, "")))
    assert 'name="location-1-address_line1" value="1 Harbor Way"' in page
    assert 'name="location-2-city" value="Camden"' in page
    contact = mike(txn)
    prefix = f"contact-{contact.public_id.replace(':', '-')}"
    assert f'name="{prefix}-last_name" value="Sherman"' in page
    # The primary named insured (the insured contractor) has no edit form.
    assert page.count('data-testid="contact-edit"') == 2


def test_edit_a_location_audited_as_the_underwriter(
    uw: Client, underwriter: User, platform: Platform
) -> None:
    txn = draft_submission(platform)
    response = uw.post(
        url(txn, "locations/1/edit"),
        location_data(address_line1="3 Harbor Way", postal_code="07105"),
        headers=htmx(),
    )
    assert response.status_code == 200
    assert text(response).lstrip().startswith('<div id="locations"')
    assert "3 Harbor Way, Newark, NJ 07105" in text(response)
    location = PolicyLocation.objects.get(transaction=txn, number=1)
    assert (location.address_line1, location.postal_code) == ("3 Harbor Way", "07105")
    entry = AuditEntry.objects.filter(transaction=txn).first()
    assert entry is not None
    assert (entry.action, entry.via, entry.actor_user) == (
        "changed",
        AuditVia.PORTAL,
        underwriter,
    )
    assert entry.changes == [
        {
            "field": "address_line1",
            "label": "Address",
            "old": "1 Harbor Way",
            "new": "3 Harbor Way",
        },
        {
            "field": "postal_code",
            "label": "Postal code",
            "old": "07102",
            "new": "07105",
        },
    ]


def test_a_refused_location_edit_is_inline_and_writes_nothing(
    uw: Client, platform: Platform
) -> None:
    txn = draft_submission(platform)
    entries = AuditEntry.objects.count()
    response = uw.post(
        url(txn, "locations/1/edit"),
        location_data(state="", address_line1="9 Elsewhere"),
        headers=htmx(),
    )
    assert response.status_code == 422
    assert escape(LOCATION_STATE.format(state="")) in text(response)
    # The refused form is the row's, keeping what was typed.
    assert 'name="location-1-address_line1" value="9 Elsewhere"' in text(response)
    assert PolicyLocation.objects.get(transaction=txn, number=1).address_line1 == (
        "1 Harbor Way"
    )
    assert AuditEntry.objects.count() == entries


def test_edit_a_contact_and_its_roles(uw: Client, platform: Platform) -> None:
    txn = draft_submission(platform)
    contact = mike(txn)
    response = uw.post(
        url(txn, f"contacts/{contact.public_id}/edit"),
        contact_form(
            contact,
            email="michael@bayside.example",
            roles=[ContactRole.SECONDARY_NAMED_INSURED],
        ),
        headers=htmx(),
    )
    assert response.status_code == 200, text(response)
    contact.refresh_from_db()
    assert contact.email == "michael@bayside.example"
    assert list(
        PolicyContactRole.objects.filter(transaction=txn, contact=contact).values_list(
            "role", flat=True
        )
    ) == [ContactRole.SECONDARY_NAMED_INSURED]
    entry = AuditEntry.objects.filter(transaction=txn).first()
    assert entry is not None and entry.object_id == contact.public_id
    assert {c["field"]: (c["old"], c["new"]) for c in entry.changes} == {
        "email": ("mike@bayside.example", "michael@bayside.example"),
        "roles": ("Additional insured", "Secondary named insured"),
    }


def test_contact_refusals(uw: Client, platform: Platform) -> None:
    txn = draft_submission(platform)
    contact = mike(txn)
    response = uw.post(
        url(txn, f"contacts/{contact.public_id}/edit"),
        contact_form(contact, last_name=""),
        headers=htmx(),
    )
    assert response.status_code == 422
    assert escape(PERSON_NEEDS_NAME) in text(response)
    # Only one secondary named insured per job.
    other = Contact.objects.get(
        roles__transaction=txn, company_name="Dockside Holdings"
    )
    services.update_contact(
        txn=txn,
        contact=other,
        kind=other.kind,
        company_name=other.company_name,
        roles=[ContactRole.SECONDARY_NAMED_INSURED],
    )
    response = uw.post(
        url(txn, f"contacts/{contact.public_id}/edit"),
        contact_form(contact, roles=[ContactRole.SECONDARY_NAMED_INSURED]),
        headers=htmx(),
    )
    assert response.status_code == 422
    assert escape(SECONDARY_TAKEN) in text(response)
    # Nothing half-written: Mike keeps his role.
    assert list(
        PolicyContactRole.objects.filter(transaction=txn, contact=contact).values_list(
            "role", flat=True
        )
    ) == [ContactRole.ADDITIONAL_INSURED]


def test_the_primary_named_insureds_details_are_the_contractors(
    platform: Platform,
) -> None:
    txn = draft_submission(platform)
    primary = Contact.objects.get(
        roles__transaction=txn, roles__role=ContactRole.PRIMARY_NAMED_INSURED
    )
    with pytest.raises(Exception) as refused:
        services.update_contact(
            txn=txn,
            contact=primary,
            kind=primary.kind,
            first_name=primary.first_name,
            last_name="Someone Else",
            company_name=primary.company_name,
            email=primary.email,
            phone=primary.phone,
        )
    assert ACCOUNT_HOLDER_DETAILS in str(refused.value)


def test_only_a_draft_can_be_edited(uw: Client, platform: Platform) -> None:
    txn = draft_submission(platform)
    services.quote_transaction(txn=txn)
    page = text(uw.get(url(txn, "")))
    assert 'data-testid="location-edit-1"' not in page
    response = uw.post(
        url(txn, "locations/1/edit"),
        location_data(address_line1="3 Harbor Way"),
        headers=htmx(),
    )
    assert response.status_code == 422
    assert escape(TRANSACTION_NOT_DRAFT.format(status="quoted")) in text(response)
    assert uw.post(url(txn, "locations/9/edit"), location_data()).status_code == 404

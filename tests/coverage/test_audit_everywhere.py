"""Every write to the contractor side's records is in the one audit history: who (the
platform's or staff's key, a dispatcher, support), through what (API, portal, admin),
old → new, in the write's own transaction; support reads any record's history."""

from __future__ import annotations

import pytest
from django.test import Client

from coverage.models import Contractor, Entity
from policies.models import AuditEntry, AuditVia
from portal.models import ApiKey, Platform, User
from tests.conftest import sign_in
from tests.coverage.helpers import ApiClient

pytestmark = pytest.mark.django_db


def history(object_type: str, object_id: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=object_type, object_id=object_id)
        .order_by("created_at", "pk")
        .select_related("actor_key")
    )


def changed(entry: AuditEntry) -> dict[str, tuple[str | None, str | None]]:
    return {c["field"]: (c["old"], c["new"]) for c in entry.changes}


def test_entity_writes_through_the_api_name_the_platforms_key(
    api: ApiClient, platform: Platform
) -> None:
    created = api.post(
        "/entities",
        {
            "name": "Harbor Towers",
            "address": {"line1": "1 Pier", "locality": "Hoboken", "region": "NJ"},
        },
    )
    assert created.status_code == 201, created.content
    entity_id = created.json()["id"]
    assert (
        api.put(f"/entities/{entity_id}", {"name": "Harbor Towers LLC"}).status_code
        == 200
    )
    refused = api.put(f"/entities/{entity_id}", {"name": ""})
    assert refused.status_code == 400
    assert api.delete(f"/entities/{entity_id}").status_code == 200

    entries = history("Entity", entity_id)
    assert [e.action for e in entries] == ["created", "changed", "deleted"]
    key = ApiKey.objects.get(platform=platform)
    assert {(e.via, e.actor_key_id) for e in entries} == {(AuditVia.API, key.pk)}
    assert changed(entries[0])["name"] == (None, "Harbor Towers")
    assert changed(entries[0])["address_region"] == (None, "NJ")
    assert changed(entries[1]) == {"name": ("Harbor Towers", "Harbor Towers LLC")}
    # The refused change (an empty name) left no entry; the deletion shows the
    # record as it was.
    assert changed(entries[2])["name"] == ("Harbor Towers LLC", None)


def test_contractor_writes_through_the_api_and_a_staff_key(
    api: ApiClient, staff_key: str, platform: Platform
) -> None:
    created = api.post(
        "/contractors",
        {
            "first_name": "Terry",
            "last_name": "Tech",
            "email": "terry@example.com",
            "tax_identification": "123-45-6789",
        },
    )
    assert created.status_code == 201, created.content
    contractor_id = created.json()["id"]
    assert (
        api.put(f"/contractors/{contractor_id}", {"email": "t.tech@example.com"})
    ).status_code == 200
    entries = history("Contractor", contractor_id)
    assert [e.action for e in entries] == ["created", "changed"]
    assert changed(entries[1]) == {"email": ("terry@example.com", "t.tech@example.com")}
    # The tax id is write-only: no entry shows it.
    assert all("123-45-6789" not in str(e.changes) for e in entries)


def test_support_edits_an_entity_and_a_contractor_through_the_services(
    platform: Platform, support: User
) -> None:
    entity = Entity.objects.create(platform=platform, name="Old Name")
    contractor = Contractor.objects.create(
        platform=platform,
        first_name="Terry",
        last_name="Tech",
        email="terry@example.com",
        address_region="NJ",
    )
    client = Client()
    sign_in(client, support)
    saved = client.post(
        f"/admin/coverage/entity/{entity.pk}/change/",
        {
            "name": "New Name",
            "address_line1": "",
            "address_line2": "",
            "address_locality": "",
            "address_region": "PA",
            "address_postalcode": "",
            "address_country": "",
            "required_coverage": "[]",
            "aggregate_limit": "",
            "occurrence_limit": "",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    entity.refresh_from_db()
    assert (entity.name, entity.address_region) == ("New Name", "PA")
    [entry] = history("Entity", entity.public_id)
    assert (entry.via, entry.actor_user, entry.action) == (
        AuditVia.ADMIN,
        support,
        "changed",
    )
    assert changed(entry) == {
        "name": ("Old Name", "New Name"),
        "address_region": (None, "PA"),
    }

    # A refusal (the service's, not the form's) shows on the form; nothing is written.
    refused = client.post(
        f"/admin/coverage/contractor/{contractor.pk}/change/",
        {
            "first_name": "Terry",
            "middle_name": "",
            "last_name": "Tech",
            "email": "terry@example.com",
            "phone": "",
            "company_name": "",
            "address_line1": "",
            "address_line2": "",
            "address_locality": "",
            "address_region": "ZZ",
            "address_postalcode": "",
            "address_country": "",
        },
    )
    assert refused.status_code == 200
    assert "ZZ" in refused.content.decode()
    assert Contractor.objects.get(pk=contractor.pk).address_region == "NJ"
    assert history("Contractor", contractor.public_id) == []

    page = client.get(f"/admin/coverage/entity/{entity.pk}/change/").content.decode()
    assert "Name: Old Name → New Name" in page
    assert "Admin" in page

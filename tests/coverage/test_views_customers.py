"""The dispatcher's customer contract page: the same service and rules as /api/v1/entities."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from coverage.models import Entity
from coverage.services import contract
from portal.models import User
from tests.coverage.helpers import make_entity

pytestmark = pytest.mark.django_db


def url(entity: Entity) -> str:
    return f"/customers/{entity.public_id}/"


def test_a_dispatcher_sets_the_contract_and_reads_it_back(
    dispatcher: User, platform, client_as
) -> None:
    entity = make_entity(platform)
    portal = client_as(dispatcher)
    assert entity.name in portal.get("/customers/").content.decode()
    response = portal.post(
        url(entity),
        {
            "additional_insureds": (
                "Weehawken Harbor Owner LLC | 1 Pier Road | Weehawken | NJ | 07086\n"
                "Hudson Facilities Co\n"
            ),
            "certificate_holder": "Harbor Risk Department | | Newark | NJ",
            "waiver_of_subrogation": "on",
            "primary_non_contributory": "on",
            "workers_comp__el_each_accident": "2000000",
        },
    )
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.additional_insureds == [
        {
            "name": "Weehawken Harbor Owner LLC",
            "address": {
                "line1": "1 Pier Road",
                "locality": "Weehawken",
                "region": "NJ",
                "postalcode": "07086",
            },
        },
        {"name": "Hudson Facilities Co", "address": {}},
    ]
    assert entity.certificate_holder == {
        "name": "Harbor Risk Department",
        "address": {"locality": "Newark", "region": "NJ"},
    }
    assert entity.waiver_of_subrogation and entity.primary_non_contributory
    assert entity.minimum_limits == {"workers-comp": {"el_each_accident": 2_000_000_00}}
    page = portal.get(response["Location"]).content.decode()
    assert "Weehawken Harbor Owner LLC | 1 Pier Road | Weehawken | NJ | 07086" in page
    assert 'value="2000000"' in page


def test_the_services_refusal_shows_on_the_field_and_saves_nothing(
    dispatcher: User, platform, client_as
) -> None:
    entity = make_entity(platform)
    response = client_as(dispatcher).post(
        url(entity),
        {"additional_insureds": "Owner LLC | 1 Pier Road | Weehawken | ZZ"},
    )
    assert response.status_code == 422
    assert escape(contract.BAD_STATE.format(value="ZZ")) in response.content.decode()
    entity.refresh_from_db()
    assert entity.additional_insureds == []


def test_another_platforms_customer_is_404_and_underwriters_cannot_edit(
    dispatcher: User, outsider: User, underwriter: User, platform, client_as
) -> None:
    entity = make_entity(platform)
    assert client_as(outsider).get(url(entity)).status_code == 404
    assert client_as(outsider).post(url(entity), {}).status_code == 404
    assert client_as(underwriter).get(url(entity)).status_code == 403


def test_support_reads_the_contract_in_the_admin_and_cannot_change_it_there(
    support: User, platform, client_as
) -> None:
    entity = make_entity(platform)
    Entity.objects.filter(pk=entity.pk).update(
        waiver_of_subrogation=True, additional_insureds=[{"name": "Owner LLC"}]
    )
    page = client_as(support).get(f"/admin/coverage/entity/{entity.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Owner LLC" in html
    assert 'name="additional_insureds"' not in html
    assert 'name="waiver_of_subrogation"' not in html

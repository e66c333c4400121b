"""/api/v1/events through HTTP: newest first, the type filter, tenant isolation, query counts."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client

from coverage.api.events import NO_SUCH_EVENT, UNKNOWN_TYPE_FILTER
from coverage.models import Event
from coverage.webhooks.events import emit
from portal.api import UNKNOWN_CURSOR
from portal.models import Platform
from tests.conftest import bearer, field_errors

pytestmark = pytest.mark.django_db

URL = "/api/v1/events"


def get(path: str, key: str):
    return Client().get(path, headers=bearer(key))


@pytest.fixture
def events(platform: Platform) -> list[Event]:
    """30 events, oldest first: policy.created, then assignment.created, alternating."""
    return [
        emit(
            platform=platform,
            type="policy.created" if n % 2 == 0 else "assignment.created",
            data={"id": f"pl_{n:010}", "object": "policy", "n": n},
        )
        for n in range(30)
    ]


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["id"] for e in response.json()]


def test_list_is_newest_first_with_the_documented_shape(
    platform_key: str, events: list[Event]
) -> None:
    body = get(URL, platform_key).json()
    assert [e["id"] for e in body] == [e.public_id for e in events[::-1][:10]]
    newest = events[-1]
    assert body[0] == {
        "id": newest.public_id,
        "object": "event",
        "type": "assignment.created",
        "created": int(newest.created_at.timestamp()),
        "data": {"id": "pl_0000000029", "object": "policy", "n": 29},
    }
    assert re.fullmatch(r"ev_[0-9A-Za-z]{22}", newest.public_id)


def test_type_filter(platform_key: str, events: list[Event]) -> None:
    policies = [e.public_id for e in events[::-1] if e.type == "policy.created"]
    assert ids(get(f"{URL}?type=policy.created&limit=100", platform_key)) == policies
    # Cursors work within the filter too.
    assert (
        ids(
            get(
                f"{URL}?type=policy.created&limit=3&starting_after={policies[2]}",
                platform_key,
            )
        )
        == policies[3:6]
    )


def test_an_unknown_type_filter_is_400(platform_key: str) -> None:
    response = get(f"{URL}?type=policy.exploded", platform_key)
    assert response.status_code == 400
    assert field_errors(response.json()) == {
        "message": {"type": UNKNOWN_TYPE_FILTER.format(type="policy.exploded")},
        "error_code": "invalid_input",
    }


def test_cursors_page_both_ways(platform_key: str, events: list[Event]) -> None:
    newest_first = [e.public_id for e in events[::-1]]
    assert (
        ids(get(f"{URL}?limit=4&starting_after={newest_first[3]}", platform_key))
        == newest_first[4:8]
    )
    assert (
        ids(get(f"{URL}?limit=4&ending_before={newest_first[8]}", platform_key))
        == newest_first[4:8]
    )


def test_retrieve(platform_key: str, events: list[Event]) -> None:
    event = events[3]
    response = get(f"{URL}/{event.public_id}", platform_key)
    assert response.status_code == 200
    assert response.json()["id"] == event.public_id
    assert response.json()["data"]["n"] == 3


@pytest.mark.parametrize("event_id", ["ev_missing", "ev_\x00"])
def test_unknown_event_is_404(platform_key: str, event_id: str) -> None:
    response = get(f"{URL}/{quote(event_id)}", platform_key)
    assert response.status_code == 404
    assert response.json() == {
        "message": NO_SUCH_EVENT.format(id=event_id),
        "error_code": "invalid_event_id",
    }


def test_a_cursor_with_a_nul_is_unknown_not_an_error(platform_key: str) -> None:
    response = get(f"{URL}?starting_after=%00", platform_key)
    assert response.status_code == 400
    assert response.json() == {
        "message": UNKNOWN_CURSOR.format(id="\x00"),
        "error_code": "invalid_input",
    }


def test_another_platforms_events_are_invisible(
    platform_key: str, other_platform: Platform, events: list[Event]
) -> None:
    theirs = emit(platform=other_platform, type="policy.created", data={})
    response = get(f"{URL}/{theirs.public_id}", platform_key)
    assert response.status_code == 404
    assert response.json() == {
        "message": NO_SUCH_EVENT.format(id=theirs.public_id),
        "error_code": "invalid_event_id",
    }
    assert theirs.public_id not in ids(get(f"{URL}?limit=100", platform_key))
    assert (
        get(f"{URL}?starting_after={theirs.public_id}", platform_key).status_code == 400
    )


def test_query_count_does_not_grow_with_rows(
    platform_key: str, events: list[Event], django_assert_num_queries
) -> None:
    get(URL, platform_key)  # stamps the key's last_used_at
    # key lookup, page
    with django_assert_num_queries(2):
        assert len(ids(get(f"{URL}?limit=100", platform_key))) == 30
    # key lookup, page
    with django_assert_num_queries(2):
        assert (
            len(ids(get(f"{URL}?limit=100&type=assignment.created", platform_key)))
            == 15
        )
    # key lookup, cursor row, page
    with django_assert_num_queries(3):
        cursor = events[-1].public_id
        assert (
            len(ids(get(f"{URL}?limit=100&starting_after={cursor}", platform_key)))
            == 29
        )

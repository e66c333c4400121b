"""A dispatcher sets their own time zone; every screen then reads in it."""

from __future__ import annotations

import html

import pytest

from portal.models import User
from portal.views import TIME_ZONE_SAVED
from portal.zones import UNKNOWN_ZONE

pytestmark = pytest.mark.django_db


def test_a_dispatcher_picks_their_own_zone_and_the_board_follows(
    dispatcher: User, client_as
) -> None:
    client = client_as(dispatcher)
    page = client.get("/settings/").content.decode()
    assert "My platform&#x27;s (UTC)" in page or "My platform's (UTC)" in page
    response = client.post("/settings/", {"time_zone": "America/Chicago"}, follow=True)
    assert TIME_ZONE_SAVED.format(zone="America/Chicago") in html.unescape(
        response.content.decode()
    )
    dispatcher.refresh_from_db()
    assert dispatcher.time_zone == "America/Chicago"
    board = client.get("/board/").content.decode()
    assert "America/Chicago (C" in board  # CST or CDT
    # Blank: back to the platform's.
    client.post("/settings/", {"time_zone": ""})
    dispatcher.refresh_from_db()
    assert dispatcher.time_zone == ""


def test_an_unknown_zone_is_refused_inline_and_nothing_saved(
    dispatcher: User, client_as
) -> None:
    response = client_as(dispatcher).post("/settings/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert html.escape(UNKNOWN_ZONE.format(value="Mars/Olympus")) in (
        response.content.decode()
    )
    dispatcher.refresh_from_db()
    assert dispatcher.time_zone == ""


def test_settings_need_a_sign_in(client) -> None:
    assert client.get("/settings/").status_code == 302

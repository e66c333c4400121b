"""Which zone a place or a person reads times in, and the one end-of-day rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from coverage.views.formatting import end_moment, moment, times, when, window
from portal.models import Platform, Role, User, validate_zone
from portal.zones import (
    UNKNOWN_ZONE,
    day_bounds,
    site_zone,
    zone_name_for_address,
)

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("state", "postal", "zone"),
    [
        ("NJ", "07102", "America/New_York"),
        ("pa", "", "America/New_York"),
        ("TN", "37902", "America/New_York"),  # Knoxville: East Tennessee
        ("TN", "37201", "America/Chicago"),  # Nashville
        ("TX", "79901", "America/Denver"),  # El Paso
        ("TX", "75201", "America/Chicago"),  # Dallas
        ("FL", "32501", "America/Chicago"),  # Pensacola
        ("FL", "33101", "America/New_York"),  # Miami
        ("IN", "46320", "America/Chicago"),  # Hammond
        ("AZ", "85001", "America/Phoenix"),
        ("HI", "", "Pacific/Honolulu"),
        ("", "07102", ""),
        ("ZZ", "", ""),
    ],
)
def test_a_sites_zone_comes_from_its_state_and_postal_code(
    state: str, postal: str, zone: str
) -> None:
    assert zone_name_for_address(state, postal) == zone


def test_a_site_override_wins_and_nothing_known_is_utc() -> None:
    assert site_zone(region="TX", postal_code="75201", override="America/Denver") == (
        ZoneInfo("America/Denver")
    )
    assert site_zone(region="TX", override="Not/AZone") == ZoneInfo("America/Chicago")
    assert str(site_zone(region="")) == "UTC"


def test_an_unknown_zone_is_refused_with_its_name() -> None:
    validate_zone("")
    validate_zone("America/Chicago")
    with pytest.raises(ValidationError) as refused:
        validate_zone("Mars/Olympus")
    assert refused.value.messages == [UNKNOWN_ZONE.format(value="Mars/Olympus")]


@pytest.mark.django_db
def test_a_dispatcher_reads_their_own_zone_else_the_platforms() -> None:
    platform = Platform.objects.create(name="Zones", address_region="TX")
    dispatcher = User.objects.create(
        username="d", role=Role.DISPATCHER, platform=platform
    )
    assert str(dispatcher.zone) == "America/Chicago"  # from the platform's address
    platform.time_zone = "America/New_York"
    assert str(dispatcher.zone) == "America/New_York"  # set by support
    dispatcher.time_zone = "America/Los_Angeles"
    assert str(dispatcher.zone) == "America/Los_Angeles"  # their own
    underwriter = User.objects.create(username="u", role=Role.UNDERWRITER)
    assert str(underwriter.zone) == "UTC"


def test_a_local_day_is_23_or_25_hours_on_the_daylight_saving_days() -> None:
    first, after = day_bounds(date(2026, 3, 8), NEW_YORK)
    assert first == datetime(2026, 3, 8, 5, tzinfo=UTC)
    assert (after - first).total_seconds() == 23 * 3600
    first, after = day_bounds(date(2026, 11, 1), NEW_YORK)
    assert (after - first).total_seconds() == 25 * 3600


def test_every_clock_names_its_zone_in_the_zone_given() -> None:
    june = datetime(2026, 6, 1, 18, tzinfo=UTC)  # 14:00 in New York (EDT)
    december = datetime(2026, 12, 7, 19, tzinfo=UTC)  # 14:00 in New York (EST)
    assert moment(june, NEW_YORK) == "Jun 1, 2026, 14:00 EDT"
    assert moment(december, NEW_YORK) == "Dec 7, 2026, 14:00 EST"
    assert when(december, today=date(2026, 12, 7), zone=NEW_YORK) == "Dec 7, 14:00 EST"
    assert moment(december) == "Dec 7, 2026, 19:00 UTC"  # no zone active: UTC


def test_one_rule_for_an_end_at_midnight_it_is_24_00_of_the_day_it_closes() -> None:
    local_midnight = datetime(2026, 12, 8, 5, tzinfo=UTC)  # Dec 8 00:00 EST
    start = datetime(2026, 12, 7, 19, tzinfo=UTC)
    assert window(start, local_midnight, NEW_YORK) == "Dec 7, 14:00–24:00 EST"
    assert times(start, local_midnight, NEW_YORK) == "14:00–24:00"
    assert end_moment(local_midnight, NEW_YORK) == "Dec 7, 2026, 24:00 EST"
    # A start at midnight is the start of its day.
    assert moment(local_midnight, NEW_YORK) == "Dec 8, 2026, 00:00 EST"
    # The same instant is 05:00 in UTC: no midnight there.
    assert end_moment(local_midnight, ZoneInfo("UTC")) == "Dec 8, 2026, 05:00 UTC"


def test_a_window_across_a_daylight_saving_change_names_both_offsets() -> None:
    start = datetime(2026, 10, 31, 16, tzinfo=UTC)  # Oct 31 12:00 EDT
    end = datetime(2026, 11, 1, 17, tzinfo=UTC)  # Nov 1 12:00 EST
    assert window(start, end, NEW_YORK) == "Oct 31, 12:00 – Nov 1, 12:00 EDT/EST"


@pytest.mark.django_db
def test_the_admin_names_the_zone_of_every_time_it_shows(
    support: User, client_as
) -> None:
    import re

    Platform.objects.create(name="Zoned")
    client = client_as(support)
    page = client.get("/admin/portal/platform/").content.decode()
    assert re.search(r"\d{4}, [^<]{1,16} UTC<", page)
    support.time_zone = "America/New_York"
    support.save()
    page = client.get("/admin/portal/platform/").content.decode()
    assert re.search(r"\d{4}, [^<]{1,16} E[SD]T<", page)
    # The platform list says which zone each platform's dispatchers read by default.
    assert "Time zone in force" in page and ">UTC<" in page

"""Which time zone a place or a person lives in, and the one way an instant is put in it.

The APIs speak Unix seconds and the database stores UTC; people read local time. A
dispatcher reads their own zone (their override, else their platform's); a job site's
times (its certificate, the tech's e-mails) read in the site's zone, known from its
address: a state → zone table, with the states that straddle two zones split by the
first three digits of the postal code, and a per-site override for the odd county the
table gets wrong.

Standard library only: the certificate document (which imports nothing from Django)
writes its window with ``end_clock``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC_ZONE = ZoneInfo("UTC")

EASTERN = "America/New_York"
CENTRAL = "America/Chicago"
MOUNTAIN = "America/Denver"
PACIFIC = "America/Los_Angeles"

# The zone most of each state keeps (by population).
STATE_ZONES: dict[str, str] = {
    "AL": CENTRAL, "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": CENTRAL,
    "CA": PACIFIC, "CO": MOUNTAIN, "CT": EASTERN, "DE": EASTERN, "DC": EASTERN,
    "FL": EASTERN, "GA": EASTERN, "HI": "Pacific/Honolulu", "ID": "America/Boise",
    "IL": CENTRAL, "IN": "America/Indiana/Indianapolis", "IA": CENTRAL, "KS": CENTRAL,
    "KY": "America/Kentucky/Louisville", "LA": CENTRAL, "ME": EASTERN, "MD": EASTERN,
    "MA": EASTERN, "MI": "America/Detroit", "MN": CENTRAL, "MS": CENTRAL, "MO": CENTRAL,
    "MT": MOUNTAIN, "NE": CENTRAL, "NV": PACIFIC, "NH": EASTERN, "NJ": EASTERN,
    "NM": MOUNTAIN, "NY": EASTERN, "NC": EASTERN, "ND": CENTRAL, "OH": EASTERN,
    "OK": CENTRAL, "OR": PACIFIC, "PA": EASTERN, "RI": EASTERN, "SC": EASTERN,
    "SD": CENTRAL, "TN": CENTRAL, "TX": CENTRAL, "UT": MOUNTAIN, "VT": EASTERN,
    "VA": EASTERN, "WA": PACIFIC, "WV": EASTERN, "WI": CENTRAL, "WY": MOUNTAIN,
}  # fmt: skip

# Where a state's other zone begins, by the postal code's first three digits (the
# USPS sectional centres of the other zone's side of the line).
POSTAL_PREFIX_ZONES: dict[str, dict[str, str]] = {
    # The Panhandle west of the Apalachicola: Pensacola, Fort Walton Beach, Panama City.
    "FL": dict.fromkeys(("324", "325"), CENTRAL),
    # The Panhandle: Coeur d'Alene, Lewiston, Moscow, Sandpoint.
    "ID": dict.fromkeys(("835", "838"), PACIFIC),
    # Northwest (Gary, Hammond) and southwest (Evansville) Indiana.
    "IN": dict.fromkeys(("463", "464", "476", "477"), CENTRAL),
    # Western Kentucky: Paducah, Bowling Green, Owensboro, Hopkinsville.
    "KY": dict.fromkeys(("420", "421", "422", "423"), CENTRAL),
    # The Panhandle: Scottsbluff, Alliance.
    "NE": {"693": MOUNTAIN},
    # Southwest North Dakota: Dickinson.
    "ND": {"586": MOUNTAIN},
    # Malheur County: Ontario.
    "OR": {"979": "America/Boise"},
    # West River: Rapid City, Pierre's west.
    "SD": dict.fromkeys(("575", "576", "577"), MOUNTAIN),
    # East Tennessee: Chattanooga, Johnson City, Knoxville.
    "TN": dict.fromkeys(("373", "374", "376", "377", "378", "379"), EASTERN),
    # El Paso and Hudspeth counties.
    "TX": dict.fromkeys(("798", "799"), MOUNTAIN),
}

UNKNOWN_ZONE = (
    "Unknown time zone {value!r}: give an IANA name such as America/New_York."
)


def is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone called ``name``; None when blank or unknown (a typo never breaks a page)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_name_for_address(region: str | None, postal_code: str | None = None) -> str:
    """The IANA zone of a US address; "" when the state is not known."""
    state = (region or "").strip().upper()
    prefix = "".join(ch for ch in (postal_code or "") if ch.isdigit())[:3]
    split = POSTAL_PREFIX_ZONES.get(state, {})
    return split.get(prefix) or STATE_ZONES.get(state, "")


def site_zone(
    *, region: str | None, postal_code: str | None = None, override: str = ""
) -> ZoneInfo:
    """The zone a job site keeps: its override, else its address's, else UTC."""
    return (
        zone_named(override)
        or zone_named(zone_name_for_address(region, postal_code))
        or UTC_ZONE
    )


def zone_choices() -> list[tuple[str, str]]:
    """The US zones first (as people pick them), then every other IANA name."""
    us = sorted(
        {
            *STATE_ZONES.values(),
            *(z for m in POSTAL_PREFIX_ZONES.values() for z in m.values()),
        }
    )
    rest = sorted(available_timezones() - set(us) - {"UTC"})
    return [(z, z) for z in ["UTC", *us, *rest]]


def local_day(at: datetime, zone: tzinfo) -> date:
    return at.astimezone(zone).date()


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The instants a local day starts and ends (23 or 25 hours apart on the DST days)."""
    # In UTC: arithmetic on two times of one zone would count wall-clock hours (24).
    first = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC_ZONE)
    after = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return first, after.astimezone(UTC_ZONE)


def end_clock(end: datetime) -> tuple[date, str]:
    """The day and clock an end (already in its zone) is written as.

    The one rule for the end of a day: an end at midnight is "24:00" of the day it
    closes, never "00:00" of the next; a start at midnight stays "00:00".
    """
    if end.time() == time.min:
        return end.date() - timedelta(days=1), "24:00"
    return end.date(), f"{end:%H:%M}"

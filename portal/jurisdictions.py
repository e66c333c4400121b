"""US jurisdictions (two-letter codes) and the facts about them rating relies on."""

from __future__ import annotations

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

# Pickers list states by name, as people look for them (Alabama, Alaska, Arizona...).
STATE_CHOICES = sorted(US_STATES.items(), key=lambda item: item[1])

# Workers' compensation in these states is written only by the state fund; a private
# carrier cannot offer it (domain research §3.1).
MONOPOLISTIC_WC_STATES = frozenset({"ND", "OH", "WA", "WY"})


def normalize_state(value: str | None) -> str:
    """An upper-case two-letter code, or "" when ``value`` is not a US jurisdiction."""
    code = (value or "").strip().upper()
    return code if code in US_STATES else ""

"""Input rules the write services share: coverage type names, addresses, metadata, the
model's own field rules, and the one ValidationError shape (``invalid``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from coverage.models import Addressed
from policies.lines import CoverageType
from portal.jurisdictions import normalize_state

NO_LINES = "Name at least one coverage type."
UNKNOWN_LINE = "Unknown coverage type {line!r}; use one of: {allowed}."
UNKNOWN_STATE = "{value!r} is not a two-letter US state code."
REGION_REQUIRED = "An address needs its region (two-letter state code)."
REQUIRED = "This field is required."
# Spellings of coverage types seen in older versions of the public API's docs.
LINE_ALIASES = {
    "workers_comp": CoverageType.WORKERS_COMP,
    "workers-compensation": CoverageType.WORKERS_COMP,
    "general_liability": CoverageType.GENERAL,
    "professional_liability": CoverageType.PROFESSIONAL,
}
ADDRESS_KEYS = ("line1", "line2", "locality", "region", "postalcode", "country")


def invalid(field: str, message: str, code: str = "invalid_input") -> ValidationError:
    """A 400 naming the field, as the API reports schema errors."""
    return ValidationError({field: ValidationError(message, code=code)})


def clean_lines(lines: Iterable[str], *, field: str = "lines") -> list[str]:
    """Coverage types as CoverageType values, deduplicated in the caller's order."""
    cleaned: list[str] = []
    for raw in lines:
        line = LINE_ALIASES.get(str(raw).strip(), str(raw).strip())
        if line not in CoverageType.values:
            raise invalid(
                field,
                UNKNOWN_LINE.format(line=raw, allowed=", ".join(CoverageType.values)),
            )
        if line not in cleaned:
            cleaned.append(line)
    if not cleaned:
        raise invalid(field, NO_LINES)
    return cleaned


def apply_address(
    obj: Addressed, address: Mapping[str, Any] | None, *, region_required: bool
) -> None:
    """Write an API address onto ``obj``; None clears it. The region must be a US state."""
    values = {key: (address or {}).get(key) for key in ADDRESS_KEYS}
    raw_region = values["region"]
    region = normalize_state(raw_region)
    if raw_region and not region:
        raise invalid("address_region", UNKNOWN_STATE.format(value=raw_region))
    if address is not None and region_required and not region:
        raise invalid("address_region", REGION_REQUIRED)
    obj.address_line1 = str(values["line1"] or "")
    obj.address_line2 = str(values["line2"] or "")
    obj.address_locality = str(values["locality"] or "")
    obj.address_region = region
    obj.address_postalcode = str(values["postalcode"] or "")
    obj.address_country = str(values["country"] or "")[:3]


def merge_metadata(
    current: Mapping[str, Any], update: Mapping[str, Any]
) -> dict[str, Any]:
    """The public API's metadata update: ``{}`` clears, an empty value unsets its key."""
    if not update:
        return {}
    merged = dict(current)
    for key, value in update.items():
        if value in ("", None):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def validate_fields(obj: Model, *, exclude: Sequence[str] = ()) -> None:
    """The model's own field rules (lengths, email, URL, choices) as the API's 400.

    Uniqueness and constraints are the services' business (with their own codes).
    """
    try:
        obj.full_clean(
            exclude=["public_id", *exclude],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise ValidationError(
            {
                name: ValidationError(" ".join(messages), code="invalid_input")
                for name, messages in exc.message_dict.items()
            }
        ) from None

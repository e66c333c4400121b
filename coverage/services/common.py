"""Rules and helpers the write services share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from coverage.models import Addressed, CategoryCode
from coverage.rating import Rating, rate
from coverage.services.eligibility import is_approved
from policies.lines import CoverageType
from portal.jurisdictions import normalize_state

NO_LINES = "Name at least one coverage type."
UNKNOWN_LINE = "Unknown coverage type {line!r}; use one of: {allowed}."
UNKNOWN_STATE = "{value!r} is not a two-letter US state code."
REGION_REQUIRED = "An address needs its region (two-letter state code)."
MISSING_CATEGORY = "The job has no job category code."
CATEGORY_NOT_APPROVED = (
    "The job category code {code} is not approved for your platform yet."
)

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


def clean_lines(lines: Iterable[str], *, field: str = "coverage_type") -> list[str]:
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
        raise invalid("address.region", UNKNOWN_STATE.format(value=raw_region))
    if address is not None and region_required and not region:
        raise invalid("address.region", REGION_REQUIRED)
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


def require_approved(category: CategoryCode | None, *, platform_id: int) -> None:
    if category is None:
        raise ValidationError(MISSING_CATEGORY, code="missing_job_category_code")
    if not is_approved(category, platform_id=platform_id):
        raise ValidationError(
            CATEGORY_NOT_APPROVED.format(code=category.public_id),
            code="job_category_not_approved",
        )


def rating_day(moment: datetime) -> date:
    """The day a window is rated on: the UTC day it starts (rates are dated by day)."""
    return moment.astimezone(UTC).date()


def rate_terms(
    *,
    category_code: CategoryCode,
    lines: Sequence[str],
    work_state: str,
    residence_state: str,
    starts_at: datetime,
) -> Rating:
    """coverage.rating.rate() for a window starting at ``starts_at``."""
    return rate(
        category_code=category_code,
        lines=lines,
        work_state=work_state,
        residence_state=residence_state,
        on=rating_day(starts_at),
    )


def rating_snapshot(rating: Rating) -> dict[str, Any]:
    """What quotes and assignments store: the wire form, so their price never moves."""
    return rating.as_wire()


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

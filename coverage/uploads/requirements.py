"""What an outside certificate is judged against: the customer-of-record's requirement
when the upload names one, otherwise the platform's default.

A requirement as stored (``Platform.default_insurance_requirement``, and the copy on each
``UploadedCertificate``) is JSON, every amount in integer cents:

    {"required_coverage": ["general", "workers-comp"],
     "minimum_limits": {"general": {"each_occurrence": 100000000,
                                    "general_aggregate": 200000000},
                        "workers-comp": {"el_each_accident": 100000000}},
     "additional_insureds": ["Harbor Property Group"],
     "waiver_of_subrogation": true,
     "primary_non_contributory": true,
     "certificate_holder": "Harbor Property Group"}

Every key is optional; at least one must ask for something. An entity's requirement is
read from its ``required_coverage`` and ``coverage_limit`` (occurrence and aggregate are
general liability limits), plus its contract fields (``minimum_limits``,
``additional_insureds``, ``waiver_of_subrogation``, ``primary_non_contributory``,
``certificate_holder``) — the same fields eligibility judges our own policy on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from coverage.models import Entity
from policies.lines import CoverageType
from portal.models import Platform

GENERAL = CoverageType.GENERAL.value
WORKERS_COMP = CoverageType.WORKERS_COMP.value
# The limits a requirement may set a minimum for, per line, and how a finding names them.
LIMIT_LABELS: dict[str, dict[str, str]] = {
    GENERAL: {
        "each_occurrence": "Each occurrence",
        "general_aggregate": "General aggregate",
        "products_completed_operations_aggregate": "Products-completed operations aggregate",
        "personal_advertising_injury": "Personal and advertising injury",
        "damage_to_rented_premises": "Damage to rented premises",
        "medical_expense": "Medical expense",
    },
    WORKERS_COMP: {
        "el_each_accident": "Employers' liability each accident",
        "el_disease_each_employee": "Employers' liability disease, each employee",
        "el_disease_policy_limit": "Employers' liability disease, policy limit",
    },
}
REVIEWABLE_LINES = tuple(LIMIT_LABELS)

NO_REQUIREMENT = (
    "No insurance requirement applies: name an entity whose coverage requirements "
    "are set, or ask support to set the platform's default insurance requirement."
)
NOT_AN_OBJECT = "The insurance requirement must be a JSON object."
UNKNOWN_KEY = "Unknown key in the insurance requirement: {key}."
UNKNOWN_LINE = (
    "The insurance requirement names a line certificates cannot show: {line}."
)
UNKNOWN_LIMIT = "Unknown {line} limit in the insurance requirement: {limit}."
BAD_AMOUNT = "Minimum limits are whole cents (a positive integer): {limit}."
BAD_NAMES = "{key} must be a list of names."
BAD_HOLDER = "certificate_holder must be a name."
BAD_WAIVER = "waiver_of_subrogation must be true or false."
BAD_PRIMARY = "primary_non_contributory must be true or false."
ASKS_NOTHING = "The insurance requirement asks for nothing."

KEYS = (
    "required_coverage",
    "minimum_limits",
    "additional_insureds",
    "waiver_of_subrogation",
    "primary_non_contributory",
    "certificate_holder",
)


@dataclass(frozen=True)
class Requirement:
    """One customer's (or the platform's) insurance requirement, amounts in cents."""

    lines: tuple[str, ...] = ()
    minimums: dict[str, dict[str, int]] = field(default_factory=dict)
    additional_insureds: tuple[str, ...] = ()
    waiver_of_subrogation: bool = False
    primary_non_contributory: bool = False
    certificate_holder: str = ""

    @property
    def asks_something(self) -> bool:
        return bool(
            self.lines
            or any(self.minimums.values())
            or self.additional_insureds
            or self.waiver_of_subrogation
            or self.primary_non_contributory
            or self.certificate_holder
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "required_coverage": list(self.lines),
            "minimum_limits": self.minimums,
            "additional_insureds": list(self.additional_insureds),
            "waiver_of_subrogation": self.waiver_of_subrogation,
            "primary_non_contributory": self.primary_non_contributory,
            "certificate_holder": self.certificate_holder,
        }


def _names(value: Any, key: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list):
        raise ValidationError(BAD_NAMES.format(key=key))
    names = []
    for item in value:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str):
            raise ValidationError(BAD_NAMES.format(key=key))
        if name.strip():
            names.append(name.strip())
    return tuple(names)


def parse_requirement(data: Any) -> Requirement:
    """A stored requirement checked and typed; ValidationError names what is wrong."""
    if not isinstance(data, dict):
        raise ValidationError(NOT_AN_OBJECT)
    for key in data:
        if key not in KEYS:
            raise ValidationError(UNKNOWN_KEY.format(key=key))
    lines = data.get("required_coverage") or []
    if not isinstance(lines, list):
        raise ValidationError(UNKNOWN_LINE.format(line=lines))
    for line in lines:
        if line not in REVIEWABLE_LINES:
            raise ValidationError(UNKNOWN_LINE.format(line=line))
    minimums: dict[str, dict[str, int]] = {}
    raw_minimums = data.get("minimum_limits") or {}
    if not isinstance(raw_minimums, dict):
        raise ValidationError(NOT_AN_OBJECT)
    for line, limits in raw_minimums.items():
        if line not in LIMIT_LABELS:
            raise ValidationError(UNKNOWN_LINE.format(line=line))
        if not isinstance(limits, dict):
            raise ValidationError(NOT_AN_OBJECT)
        for limit, amount in limits.items():
            if limit not in LIMIT_LABELS[line]:
                raise ValidationError(UNKNOWN_LIMIT.format(line=line, limit=limit))
            if amount is None:
                continue
            if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                raise ValidationError(BAD_AMOUNT.format(limit=limit))
            minimums.setdefault(line, {})[limit] = amount
    waiver = data.get("waiver_of_subrogation", False)
    if not isinstance(waiver, bool):
        raise ValidationError(BAD_WAIVER)
    primary = data.get("primary_non_contributory", False)
    if not isinstance(primary, bool):
        raise ValidationError(BAD_PRIMARY)
    holder = data.get("certificate_holder") or ""
    if not isinstance(holder, str):
        raise ValidationError(BAD_HOLDER)
    requirement = Requirement(
        lines=tuple(dict.fromkeys(lines)),
        minimums=minimums,
        additional_insureds=_names(
            data.get("additional_insureds"), "additional_insureds"
        ),
        waiver_of_subrogation=waiver,
        primary_non_contributory=primary,
        certificate_holder=holder.strip(),
    )
    if not requirement.asks_something:
        raise ValidationError(ASKS_NOTHING)
    return requirement


def entity_requirement(entity: Entity) -> Requirement:
    """The entity's requirement as a certificate can show it (empty when it sets none).

    The same fields eligibility judges our own policy on (``coverage.services.contract``):
    its lines, ``coverage_limit`` as the GL occurrence and aggregate minimums, the
    per-line ``minimum_limits``, the additional insureds (the entity first, then those
    it lists), the waiver, primary and non-contributory wording, the holder.
    """
    lines = tuple(
        line for line in entity.required_coverage or () if line in REVIEWABLE_LINES
    )
    minimums: dict[str, dict[str, int]] = {
        line: dict(limits) for line, limits in (entity.minimum_limits or {}).items()
    }
    general = minimums.setdefault(GENERAL, {})
    if entity.occurrence_limit:
        general["each_occurrence"] = entity.occurrence_limit
    if entity.aggregate_limit:
        general["general_aggregate"] = entity.aggregate_limit
    listed = [p["name"] for p in entity.additional_insureds or ()]
    holder = entity.certificate_holder
    return Requirement(
        lines=lines,
        minimums={line: limits for line, limits in minimums.items() if limits},
        additional_insureds=tuple(dict.fromkeys([entity.name, *listed]))
        if listed
        else (),
        waiver_of_subrogation=entity.waiver_of_subrogation,
        primary_non_contributory=entity.primary_non_contributory,
        certificate_holder=holder["name"] if holder else "",
    )


@dataclass(frozen=True)
class AppliedRequirement:
    requirement: Requirement
    # "entity" or "platform", and whose it is, for the findings' wording.
    source: str
    owner: str


def requirement_for(*, platform: Platform, entity: Entity | None) -> AppliedRequirement:
    """The requirement an upload is judged against; ValidationError when there is none."""
    if entity is not None:
        own = entity_requirement(entity)
        if own.asks_something:
            return AppliedRequirement(own, "entity", entity.name)
    if platform.default_insurance_requirement is not None:
        try:
            default = parse_requirement(platform.default_insurance_requirement)
        except ValidationError:
            # Support stored something the review cannot use: as good as none.
            default = Requirement()
        if default.asks_something:
            return AppliedRequirement(default, "platform", platform.name)
    raise ValidationError(NO_REQUIREMENT, code="no_insurance_requirement_found")

"""A customer-of-record's contract requirements: how the API's input is checked, and
whether the contractor's policy can meet them (eligibility's step 7, after the lines and
``coverage_limit`` checks in ``coverage.services.eligibility``).

The fields, on ``Entity`` and on ``/api/v1/entities`` under the same names:

- ``minimum_limits``: per line (a coverage type), the minimum of each limit a
  certificate shows, in cents — the keys of ``coverage.uploads.requirements.LIMIT_LABELS``
  (the one vocabulary outside certificates are reviewed with). GL each occurrence and
  general aggregate are ``coverage_limit``'s, so they are refused here;
- ``additional_insureds``: parties insured beyond the entity itself, ``{name, address}``;
- ``waiver_of_subrogation``, ``primary_non_contributory``: booleans;
- ``certificate_holder``: ``{name, address}`` when certificates go to someone else than
  the entity.

What our policy gives (the limits its certificate prints, ``policy_limits``): GL with a
blanket additional-insured grant for the dispatch window, a blanket waiver of
subrogation, and primary and non-contributory wording where a written contract requires
it; WC with the statutory cover and $1,000,000 employers' liability limits, and no
waiver (a WC waiver is a priced endorsement the product does not sell). So a contract
asking a waiver of a dispatch we cover for WC is not met, and additional insureds or
primary and non-contributory wording need GL on the dispatch.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from coverage.certificates.document import (
    GL_DAMAGE_TO_RENTED_PREMISES_CENTS,
    GL_MEDICAL_EXPENSE_CENTS,
    GL_PERSONAL_ADV_INJURY_CENTS,
    GL_PRODUCTS_COMPLETED_OPS_AGGREGATE_CENTS,
    WC_EL_DISEASE_EACH_EMPLOYEE_CENTS,
    WC_EL_DISEASE_POLICY_LIMIT_CENTS,
    WC_EL_EACH_ACCIDENT_CENTS,
)
from coverage.models import Entity
from coverage.services.inputs import ADDRESS_KEYS, LINE_ALIASES, invalid
from coverage.uploads.requirements import LIMIT_LABELS
from policies.lines import CoverageType
from policies.models import Policy
from portal.jurisdictions import normalize_state

GENERAL = CoverageType.GENERAL.value
WORKERS_COMP = CoverageType.WORKERS_COMP.value
# The two GL minimums the API has always set through ``coverage_limit``.
COVERAGE_LIMIT_KEYS = {"each_occurrence", "general_aggregate"}
MAX_PARTIES = 10
MAX_NAME = 200
# $1 billion: beyond any contract's limit, and keeps step 7's message in its column.
MAX_LIMIT = 1_000_000_000_00

# Input errors (400 invalid_input, naming the field).
NOT_A_PARTY = "Give a party as {{name, address}} with a name."
NAME_TOO_LONG = f"A name is at most {MAX_NAME} characters."
TOO_MANY_PARTIES = f"At most {MAX_PARTIES} additional insureds."
DUPLICATE_PARTY = "{name} is listed twice."
UNKNOWN_LIMIT_LINE = (
    "minimum_limits are set per line: general or workers-comp, not {line!r}."
)
UNKNOWN_LIMIT = "Unknown {line} limit {limit!r}; use one of: {allowed}."
USE_COVERAGE_LIMIT = (
    "Set the general liability {limit} minimum with coverage_limit, not minimum_limits."
)
BAD_LIMIT = (
    "Minimum limits are in cents, at least 1000 and at most 100000000000: {limit}."
)
BAD_STATE = "{value!r} is not a two-letter US state code."
NOT_AN_OBJECT = "{field} must be an object."

# Step 7's requirement texts (``ENTITY_REQUIREMENT_UNMET`` fills them in).
REQUIRES_LIMIT = (
    "it requires {line} {limit} of {required}; the contractor's policy has {actual}"
)
REQUIRES_GL_FOR = (
    "it requires {what}, which only general liability gives, and the dispatch has "
    "no general liability"
)
REQUIRES_WAIVER = (
    "it requires a waiver of subrogation, which the contractor's workers' "
    "compensation policy does not carry"
)
# Names stay off: ten of them would not fit the message's column (the ticket lists them).
ADDITIONAL_INSUREDS = "additional insureds"
PRIMARY_NON_CONTRIBUTORY = "primary and non-contributory wording"


# ---------------------------------------------------------------------------
# Input


def clean_address(value: Any, *, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise invalid(field, NOT_AN_OBJECT.format(field=field))
    address = {key: str(value.get(key) or "").strip() for key in ADDRESS_KEYS}
    if address["region"]:
        region = normalize_state(address["region"])
        if not region:
            raise invalid(field, BAD_STATE.format(value=address["region"]))
        address["region"] = region
    return {key: text for key, text in address.items() if text}


def clean_party(value: Any, *, field: str) -> dict[str, Any]:
    """A ``{name, address}`` as stored: the name trimmed, the address the API's shape."""
    if not isinstance(value, Mapping):
        raise invalid(field, NOT_A_PARTY)
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid(field, NOT_A_PARTY)
    if len(name.strip()) > MAX_NAME:
        raise invalid(field, NAME_TOO_LONG)
    return {
        "name": name.strip(),
        "address": clean_address(value.get("address"), field=field),
    }


def clean_parties(values: Any, *, field: str) -> list[dict[str, Any]]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise invalid(field, NOT_A_PARTY)
    if len(values) > MAX_PARTIES:
        raise invalid(field, TOO_MANY_PARTIES)
    parties: list[dict[str, Any]] = []
    for value in values:
        party = clean_party(value, field=field)
        if any(p["name"].lower() == party["name"].lower() for p in parties):
            raise invalid(field, DUPLICATE_PARTY.format(name=party["name"]))
        parties.append(party)
    return parties


def clean_minimum_limits(value: Any) -> dict[str, dict[str, int]]:
    field = "minimum_limits"
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise invalid(field, NOT_AN_OBJECT.format(field=field))
    cleaned: dict[str, dict[str, int]] = {}
    for raw_line, limits in value.items():
        line = str(LINE_ALIASES.get(str(raw_line), str(raw_line)))
        if line not in LIMIT_LABELS:
            raise invalid(field, UNKNOWN_LIMIT_LINE.format(line=raw_line))
        if limits is None:
            continue
        if not isinstance(limits, Mapping):
            raise invalid(field, NOT_AN_OBJECT.format(field=f"{field}.{raw_line}"))
        for limit, amount in limits.items():
            if limit not in LIMIT_LABELS[line]:
                raise invalid(
                    field,
                    UNKNOWN_LIMIT.format(
                        line=line, limit=limit, allowed=", ".join(LIMIT_LABELS[line])
                    ),
                )
            if line == GENERAL and limit in COVERAGE_LIMIT_KEYS:
                raise invalid(
                    field, USE_COVERAGE_LIMIT.format(limit=limit.replace("_", " "))
                )
            if amount is None:
                continue
            if (
                isinstance(amount, bool)
                or not isinstance(amount, int)
                or not 1000 <= amount <= MAX_LIMIT
            ):
                raise invalid(field, BAD_LIMIT.format(limit=limit))
            cleaned.setdefault(line, {})[limit] = amount
    return cleaned


# ---------------------------------------------------------------------------
# Does our policy meet the contract?


def policy_limits(policy: Policy, line: str) -> dict[str, int]:
    """The limits the policy's certificate of ``line`` prints, in cents."""
    if line == GENERAL:
        return {
            "each_occurrence": policy.gl_occurrence_limit,
            "general_aggregate": policy.gl_aggregate_limit,
            "products_completed_operations_aggregate": (
                GL_PRODUCTS_COMPLETED_OPS_AGGREGATE_CENTS
            ),
            "personal_advertising_injury": GL_PERSONAL_ADV_INJURY_CENTS,
            "damage_to_rented_premises": GL_DAMAGE_TO_RENTED_PREMISES_CENTS,
            "medical_expense": GL_MEDICAL_EXPENSE_CENTS,
        }
    if line == WORKERS_COMP:
        return {
            "el_each_accident": WC_EL_EACH_ACCIDENT_CENTS,
            "el_disease_each_employee": WC_EL_DISEASE_EACH_EMPLOYEE_CENTS,
            "el_disease_policy_limit": WC_EL_DISEASE_POLICY_LIMIT_CENTS,
        }
    return {}


def _dollars(cents: int) -> str:
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}" if not rest else f"${dollars:,}.{rest:02d}"


def unmet_contract(
    *,
    policy: Policy,
    entity: Entity,
    lines: Collection[str],
    own: Collection[str] = (),
) -> str | None:
    """The first contract requirement ``policy`` cannot meet for a dispatch on ``lines``
    (the lines we would cover), as step 7's requirement text; None when it meets them.

    ``own`` lines are covered by the tech's own certificate, approved against this
    contract: they give the GL that additional insureds and PNC wording need."""
    for line, minimums in (entity.minimum_limits or {}).items():
        if line not in lines:
            continue
        ours = policy_limits(policy, line)
        for limit, required in minimums.items():
            actual = ours.get(limit, 0)
            if required > actual:
                label = CoverageType(line).label.lower()
                return REQUIRES_LIMIT.format(
                    line=label,
                    limit=LIMIT_LABELS[line][limit].lower(),
                    required=_dollars(required),
                    actual=_dollars(actual),
                )
    has_gl = GENERAL in lines or GENERAL in own
    if entity.additional_insureds and not has_gl:
        return REQUIRES_GL_FOR.format(what=ADDITIONAL_INSUREDS)
    if entity.waiver_of_subrogation and WORKERS_COMP in lines:
        return REQUIRES_WAIVER
    if entity.primary_non_contributory and not has_gl:
        return REQUIRES_GL_FOR.format(what=PRIMARY_NON_CONTRIBUTORY)
    return None

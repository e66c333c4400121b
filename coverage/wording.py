"""What the portal says to dispatchers and techs, in their words, from one place.

The services judge and word their refusals for the API (whose wording is the public
contract); where that wording does not fit a person at a form (a wage "in cents" to
someone who types dollars), the portal says the same refusal its own way. Keyed by the
refusal's constant: its wire code is the API's generic ``invalid_input``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError

from coverage.payments.rules import CARD_DECLINED, CHARGE_PENDING, NO_CARD
from coverage.services.eligibility import (
    CATEGORY_MISMATCH,
    ELIGIBLE,
    ENTITY_REQUIREMENT_UNMET,
    INVALID_JOB_CATEGORY,
    NO_ACTIVE_POLICY,
    NO_ACTIVE_POLICY_STATES,
    NO_ADDRESS,
    NO_COVERAGE,
    NO_JOB_CATEGORY,
    POLICY_AFTER_ASSIGNMENT,
    RESIDENCE_STATE_MISMATCH,
    WORK_STATE_MISMATCH,
)
from coverage.services.jobs import MAX_WAGE, MIN_WAGE, WAGE_OUT_OF_RANGE
from coverage.views.formatting import money

WAGE_OUT_OF_RANGE_DOLLARS = (
    f"Enter a wage from {money(MIN_WAGE)} to {money(MAX_WAGE)}, in dollars."
)

# A service's refusal (its message constant) → how the portal says it.
PORTAL_WORDING: Mapping[str, str] = {
    WAGE_OUT_OF_RANGE: WAGE_OUT_OF_RANGE_DOLLARS,
}


def in_portal_words(exc: ValidationError) -> ValidationError:
    """``exc`` with each message the portal words differently replaced, fields and codes kept."""

    def reworded(error: ValidationError) -> ValidationError:
        text = " ".join(error.messages)
        return ValidationError(PORTAL_WORDING.get(text, text), code=error.code)

    if hasattr(exc, "error_dict"):
        return ValidationError(
            {
                field: [reworded(e) for e in errors]
                for field, errors in exc.error_dict.items()
            }
        )
    return ValidationError([reworded(e) for e in exc.error_list])


# ---------------------------------------------------------------------------
# Coverage in plain words. The coverage check answers in seed 000's words (the API's
# public contract; the ticket keeps them verbatim for support); a dispatcher reads one
# sentence beside it: what it means for this ticket, and what to do.
# ---------------------------------------------------------------------------

ADVICE: Mapping[str, str] = {
    ELIGIBLE: "{tech} is covered for this job.",
    NO_JOB_CATEGORY: (
        "This job has no trade, so it cannot be rated: set the job's trade, then "
        "dispatch again."
    ),
    INVALID_JOB_CATEGORY: (
        "{trade} is not a trade your platform is approved for: ask support to "
        "approve it, or file the job under an approved trade."
    ),
    NO_ADDRESS: (
        "No state to rate: add the job site's state and {tech}'s home state, then "
        "dispatch again."
    ),
    RESIDENCE_STATE_MISMATCH: (
        "{tech}'s policy was written for another home state; {tech} now lives in "
        "{home}. Send an opt-in link to cover {tech} from {home}."
    ),
    WORK_STATE_MISMATCH: (
        "{tech}'s policy covers {policy_work} work; this job is in {work}. Send an "
        "opt-in link to cover {work}."
    ),
    NO_ACTIVE_POLICY: (
        "{tech} has not opted in yet. Send an opt-in link: the job is covered once "
        "{tech} completes it."
    ),
    NO_ACTIVE_POLICY_STATES: (
        "{tech}'s policy covers another work state and home state than this job's "
        "({work}). Send an opt-in link to cover {work}."
    ),
    NO_COVERAGE: (
        "{tech}'s policy lacks a line this dispatch needs. Send an opt-in link to "
        "add it."
    ),
    POLICY_AFTER_ASSIGNMENT: (
        "{tech}'s policy starts after this job does, so it cannot cover it: start "
        "the job later, or send an opt-in link for this one."
    ),
    CATEGORY_MISMATCH: (
        "{tech}'s policy covers another trade; this job is {trade}. Send an opt-in "
        "link to cover {trade}."
    ),
    CHARGE_PENDING: (
        "Covered once {tech}'s card is charged, before the job starts; nothing to do."
    ),
    NO_CARD: (
        "{tech} has no card on file to pay for cover: ask {tech} to add one, then "
        "dispatch again."
    ),
}
# Messages with a part that varies: their fixed beginning → the advice.
ADVICE_BY_PREFIX: tuple[tuple[str, str], ...] = (
    (
        ENTITY_REQUIREMENT_UNMET.split("{")[0],
        "{customer}'s requirements are not met: {detail}. Send an opt-in link "
        "with the cover {customer} requires.",
    ),
    (
        CARD_DECLINED.split("{")[0],
        "{tech}'s card was declined, so the job is not covered: ask {tech} to "
        "update the card on file.",
    ),
)
# The job's state when the message needs one and none is on file.
NO_STATE = "no state on file"


def coverage_advice(
    message: str,
    *,
    tech: str,
    work_state: str = "",
    home_state: str = "",
    policy_work_state: str = "",
    trade: str = "",
    customer: str = "",
) -> str:
    """One plain sentence for a coverage-check message: what it means, what to do.

    Every eligibility message of seed 000 (and the card and customer-requirement
    messages the product adds) has one; an unknown message is returned as it is.
    """
    values = {
        "tech": tech or "The tech",
        "work": work_state or NO_STATE,
        "home": home_state or NO_STATE,
        "policy_work": policy_work_state or "another state's",
        "trade": trade or "this trade",
        "customer": customer or "The customer",
        "detail": "",
    }
    if message in ADVICE:
        return ADVICE[message].format(**values)
    for prefix, advice in ADVICE_BY_PREFIX:
        if message.startswith(prefix):
            detail = message[len(prefix) :].rstrip(".").strip()
            # The check says "the contractor's policy"; the dispatcher knows a name.
            values["detail"] = detail.replace(
                "the contractor's policy", f"{values['tech']}'s policy"
            )
            return advice.format(**values)
    return message


# What an event on a ticket says happened; its API type stays beside it, for support.
EVENT_WORDS: Mapping[str, str] = {
    "assignment.created": "Dispatched",
    "assignment.active": "Coverage in place",
    "assignment.updated": "Changed",
    "assignment.cancelled": "Cancelled; its premium was reversed",
    "invoice.created": "Invoiced",
    "invoice.updated": "Invoice changed",
    "invoice.charge_card_succeeded": "Card charged",
    "invoice.charge_card_failed": "Card charge failed",
}
# Only these events judge coverage; the others' snapshot of the check is not news.
DECIDING_EVENTS = frozenset({"assignment.created", "assignment.updated"})


def event_words(type: str, data: Mapping[str, object] | None) -> str:
    """ "Dispatched: covered", "Changed: not covered (…)", "Cancelled; its premium …"."""
    said = EVENT_WORDS.get(type, type)
    eligible = (data or {}).get("eligible")
    if type not in DECIDING_EVENTS or not isinstance(eligible, Mapping):
        return f"{said}."
    if eligible.get("result"):
        return f"{said}: covered."
    return f"{said}: not covered ({eligible.get('message', '')})"

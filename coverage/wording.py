"""What the portal says to dispatchers and techs, in their words, from one place.

The services judge and word their refusals for the API (whose wording is the public
contract); where that wording does not fit a person at a form (a wage "in cents" to
someone who types dollars), the portal says the same refusal its own way. Keyed by the
refusal's constant: its wire code is the API's generic ``invalid_input``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError

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

"""The new-ticket form with a crew: the tech and more techs sent to the same job and
window. Each member gets their own assignment, eligibility, routing and certificates;
the form only parses who they are."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from coverage.forms import (
    TYPE_TECH,
    UNKNOWN_CHOICE,
    TicketForm,
    model_choice,
    tech_label,
)
from coverage.models import Contractor
from portal.pickers import MultiPicker, MultiPickerField

MAX_CREW = 12
CREW_TOO_BIG = "A crew is at most {n} techs; dispatch the others on a second ticket."


class CrewTicketForm(TicketForm):
    """``TicketForm`` plus ``crew``: the other techs of the ticket (optional)."""

    crew = MultiPickerField(
        to_field_name="public_id",
        required=False,
        label_of=tech_label,
        # Each pick adds a chip; the text box finds the next one.
        widget=MultiPicker("coverage:pick_tech", placeholder=TYPE_TECH),
        label="Crew",
        help_text=f"Add up to {MAX_CREW - 1} more techs; each pick adds one.",
        error_messages={
            "invalid_choice": UNKNOWN_CHOICE,
            "invalid_pk_value": UNKNOWN_CHOICE,
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "crew").queryset = model_choice(self, "tech").queryset

    def clean_crew(self) -> list[Contractor]:
        crew = list(self.cleaned_data["crew"])
        if len(crew) + 1 > MAX_CREW:
            raise ValidationError(CREW_TOO_BIG.format(n=MAX_CREW))
        return crew

    @property
    def techs(self) -> list[Contractor]:
        """The tech, then the rest of the crew in the tech list's order, each once."""
        first = self.cleaned_data.get("tech")
        found: list[Contractor] = [first] if first is not None else []
        for member in self.cleaned_data.get("crew") or ():
            if member not in found:
                found.append(member)
        return found

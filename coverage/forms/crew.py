"""The new-ticket form with a crew: the tech and more techs sent to the same job and
window. Each member gets their own assignment, eligibility, routing and certificates;
the form only parses who they are."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from coverage.forms import UNKNOWN_CHOICE, TicketForm, model_choice, tech_label
from coverage.models import Contractor

MAX_CREW = 12
CREW_LIST_ROWS = 6
CREW_TOO_BIG = "A crew is at most {n} techs; dispatch the others on a second ticket."


class CrewTicketForm(TicketForm):
    """``TicketForm`` plus ``crew``: the other techs of the ticket (optional)."""

    crew = forms.ModelMultipleChoiceField(
        queryset=Contractor.objects.none(),
        to_field_name="public_id",
        required=False,
        # A list box, not checkboxes: each checkbox would be labelled with a tech's
        # name, and "Tech" would then name more than the tech picker.
        widget=forms.SelectMultiple(attrs={"size": CREW_LIST_ROWS}),
        label="Crew",
        help_text="Hold Ctrl (⌘ on a Mac) to pick several.",
        error_messages={
            "invalid_choice": UNKNOWN_CHOICE,
            "invalid_pk_value": UNKNOWN_CHOICE,
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        crew = model_choice(self, "crew")
        crew.queryset = model_choice(self, "tech").queryset
        crew.label_from_instance = tech_label  # type: ignore[method-assign,assignment]  # Django documents this override

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

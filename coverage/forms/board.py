"""The board's filter form: read from the URL; a bad value is ignored and said so."""

from __future__ import annotations

from typing import Any

from django import forms

from coverage.forms.fields import BAD_DAY, UNKNOWN_CHOICE, DateInput, _public_id
from coverage.selectors.board import PAGE_SIZES, SORTS
from coverage.selectors.tickets import Status
from portal.jurisdictions import STATE_CHOICES

BAD_SEARCH = "Search for a name, an email, a site or a ticket id."
BAD_SORT = "Sort by start, tech, customer, state or premium."
BAD_PAGE = "Pages are numbered from 1."
BAD_PER_PAGE = "Show 25, 100 or 500 tickets per page."


class BoardFilterForm(forms.Form):
    """The board's filters, read from the URL; a bad value is ignored and said so."""

    day = forms.DateField(
        required=False, widget=DateInput(), error_messages={"invalid": BAD_DAY}
    )
    platform = forms.CharField(required=False, max_length=20)
    state = forms.ChoiceField(
        required=False,
        choices=[("", "All states"), *STATE_CHOICES],
        error_messages={"invalid_choice": UNKNOWN_CHOICE},
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any coverage"), *Status.choices],
        error_messages={"invalid_choice": UNKNOWN_CHOICE},
    )
    tech = forms.CharField(required=False, max_length=50)
    customer = forms.CharField(required=False, max_length=50)
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        error_messages={"max_length": BAD_SEARCH},
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, key) for key in SORTS],
        error_messages={"invalid_choice": BAD_SORT},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={"invalid": BAD_PAGE, "min_value": BAD_PAGE},
    )
    # A busy day fits on one page at 500 (issue 15).
    per_page = forms.TypedChoiceField(
        required=False,
        label="Tickets per page",
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
        error_messages={"invalid_choice": BAD_PER_PAGE},
    )

    def clean_platform(self) -> str:
        return _public_id(self.cleaned_data["platform"], prefix="pf", what="platform")

    def clean_tech(self) -> str:
        return _public_id(self.cleaned_data["tech"], prefix="cn", what="tech")

    def clean_customer(self) -> str:
        return _public_id(self.cleaned_data["customer"], prefix="en", what="customer")

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()

    def value(self, name: str, default: Any = "") -> Any:
        """The cleaned value, or ``default`` when it is missing or was refused."""
        self.is_valid()
        found = self.cleaned_data.get(name)
        return default if found in (None, "") else found

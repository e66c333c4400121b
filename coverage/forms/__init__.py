"""The dispatcher portal's forms: they parse what was typed; the services judge it.

The hosted pages' forms (a tech's opt-in and card) are in ``coverage.forms.hosted``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from coverage.forms.board import (
    BAD_PAGE,
    BAD_PER_PAGE,
    BAD_SEARCH,
    BAD_SORT,
    BoardFilterForm,
)
from coverage.forms.fields import (
    BAD_DAY,
    BAD_PUBLIC_ID,
    UNKNOWN_CHOICE,
    DateInput,
    DateTimeInput,
    PlainSelect,
    _public_id,
)
from coverage.models import CategoryCode, Contractor, Entity, WorkJob
from coverage.selectors import pickers
from coverage.selectors.pickers import job_label, tech_label
from coverage.services import JobData, check_wage
from coverage.wording import WAGE_OUT_OF_RANGE_DOLLARS, in_portal_words
from policies.lines import CoverageType
from portal.forms import add_service_error, name_zone
from portal.jurisdictions import STATE_CHOICES
from portal.models import Platform
from portal.pickers import Picker, PickerField

__all__ = [
    "BAD_DAY",
    "BAD_PAGE",
    "BAD_PER_PAGE",
    "BAD_PUBLIC_ID",
    "BAD_SEARCH",
    "BAD_SORT",
    "UNKNOWN_CHOICE",
    "BoardFilterForm",
    "DateInput",
    "DateTimeInput",
    "job_label",
    "tech_label",
]


PICK_TECH = "Choose the tech to dispatch."
TYPE_TECH = "Type a tech's name or email…"
TYPE_CUSTOMER = "Type the customer's name…"
TYPE_JOB = "Type a job, its customer or its city…"
PICK_CUSTOMER = "Choose the customer the work is for."
PICK_TRADE = "Choose the trade of the new job."
PICK_STATE = "Choose the state where the work happens."
ENTER_WAGE = "Enter what this dispatch pays the tech, in dollars."
BAD_WAGE = "Enter the wage in dollars and cents, e.g. 250 or 249.50."
ENTER_START = "Enter when the dispatch starts."
ENTER_END = "Enter when the dispatch ends."
BAD_MOMENT = "Enter a date and time, e.g. 2026-06-01 09:00."
PICK_LINES = "Choose at least one coverage line."
JOB_OTHER_CUSTOMER = (
    "That job is for {job_customer}, not {customer}. Choose one of {customer}'s jobs "
    "or fill in a new job."
)
ENTER_END_DATE = "Enter the new end of the dispatch."
REASON_TOO_LONG = "Keep the reason under 100 characters."
PERIOD_BACKWARDS = "The period ends on or after the day it starts."
PERIOD_TOO_LONG = "Choose a period of at most 366 days."
MAX_PERIOD_DAYS = 366
# The portal's dispatch lines; the API takes the others too.
TICKET_LINES = [
    (CoverageType.WORKERS_COMP.value, "Workers' compensation"),
    (CoverageType.GENERAL.value, "General liability"),
]


def model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """A form's model-choice field, typed as one (``form.fields`` holds plain Fields)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), name
    return field


def dollars_to_cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


class TicketForm(forms.Form):
    """A new dispatch: tech, customer, an existing job or a new one, a window, lines.

    The same form feeds the live preview (``preview_assignment``) and the dispatch
    (``create_job`` + ``create_assignment``); neither is decided here.
    """

    # Search-as-you-type pickers (portal.pickers): a platform's techs, customers and
    # jobs are never all written into the page.
    tech = PickerField(
        to_field_name="public_id",
        label_of=tech_label,
        widget=Picker("coverage:pick_tech", placeholder=TYPE_TECH),
        error_messages={"required": PICK_TECH, "invalid_choice": UNKNOWN_CHOICE},
    )
    customer = PickerField(
        to_field_name="public_id",
        widget=Picker("coverage:pick_customer", placeholder=TYPE_CUSTOMER),
        error_messages={"required": PICK_CUSTOMER, "invalid_choice": UNKNOWN_CHOICE},
    )
    job = PickerField(
        to_field_name="public_id",
        required=False,
        label_of=job_label,
        # The chosen customer's jobs first: the search sends the customer along.
        widget=Picker(
            "coverage:pick_job", placeholder=TYPE_JOB, include="[name=customer]"
        ),
        help_text="Leave it empty for a new job (fill it in below).",
        error_messages={"invalid_choice": UNKNOWN_CHOICE},
    )
    trade = forms.ModelChoiceField(
        queryset=CategoryCode.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Choose a trade…",
        widget=PlainSelect,
        error_messages={"invalid_choice": UNKNOWN_CHOICE},
    )
    job_name = forms.CharField(
        required=False, max_length=200, label="Job name (optional)"
    )
    site_line1 = forms.CharField(
        required=False, max_length=200, label="Site street address"
    )
    site_city = forms.CharField(required=False, max_length=100, label="City")
    site_state = forms.ChoiceField(
        required=False,
        label="State",
        widget=PlainSelect,
        choices=[("", "Choose…"), *STATE_CHOICES],
        error_messages={"invalid_choice": UNKNOWN_CHOICE},
    )
    site_postalcode = forms.CharField(required=False, max_length=20, label="ZIP code")
    wage = forms.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=2,
        label="Wage ($)",
        error_messages={
            "invalid": BAD_WAGE,
            "max_decimal_places": BAD_WAGE,
            "max_digits": WAGE_OUT_OF_RANGE_DOLLARS,
            "max_whole_digits": WAGE_OUT_OF_RANGE_DOLLARS,
        },
    )
    wage_type = forms.ChoiceField(
        widget=PlainSelect,
        choices=WorkJob.WageType.choices,
        initial=WorkJob.WageType.FLATFEE,
        label="Wage type",
        error_messages={"invalid_choice": UNKNOWN_CHOICE},
    )
    starts_at = forms.DateTimeField(
        label="Starts",
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": ENTER_START, "invalid": BAD_MOMENT},
    )
    ends_at = forms.DateTimeField(
        label="Ends",
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": ENTER_END, "invalid": BAD_MOMENT},
    )
    lines = forms.MultipleChoiceField(
        choices=TICKET_LINES,
        initial=[line for line, _ in TICKET_LINES],
        widget=forms.CheckboxSelectMultiple,
        label="Coverage",
        error_messages={"required": PICK_LINES, "invalid_choice": UNKNOWN_CHOICE},
    )

    # New-job fields that must be filled in when no existing job is chosen.
    NEW_JOB_REQUIRED = {
        "trade": PICK_TRADE,
        "site_state": PICK_STATE,
        "wage": ENTER_WAGE,
    }

    def __init__(self, *args: Any, platform: Platform, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform = platform
        name_zone(self, "starts_at", "ends_at")
        model_choice(self, "tech").queryset = pickers.techs(
            Contractor.objects.for_platform(platform)
        )
        model_choice(self, "customer").queryset = pickers.customers(
            Entity.objects.for_platform(platform)
        )
        model_choice(self, "job").queryset = pickers.jobs(
            WorkJob.objects.for_platform(platform)
        )
        model_choice(self, "trade").queryset = CategoryCode.objects.filter(
            approved_platforms=platform
        ).order_by("name")

    def clean_job_name(self) -> str:
        return self.cleaned_data["job_name"].strip()

    def clean_site_line1(self) -> str:
        return self.cleaned_data["site_line1"].strip()

    def clean_site_city(self) -> str:
        return self.cleaned_data["site_city"].strip()

    def clean_site_postalcode(self) -> str:
        return self.cleaned_data["site_postalcode"].strip()

    def clean_wage(self) -> int | None:
        value = self.cleaned_data["wage"]
        if value is None:
            return None
        # Parsed only: the range is the job service's to judge (check_wage).
        return dollars_to_cents(value)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("wage") is not None:
            # The job service judges the wage; its refusal shows inline with the rest.
            try:
                check_wage(data["wage"])
            except ValidationError as exc:
                # The same refusal, said in the dollars the dispatcher typed.
                add_service_error(self, in_portal_words(exc))
        job, customer = data.get("job"), data.get("customer")
        if job is None and "job" not in self.errors:
            for name, message in self.NEW_JOB_REQUIRED.items():
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        elif job is not None and customer is not None and job.entity_id != customer.pk:
            self.add_error(
                "job",
                JOB_OTHER_CUSTOMER.format(
                    job_customer=job.entity.name, customer=customer.name
                ),
            )
        return data

    @property
    def creates_job(self) -> bool:
        return self.cleaned_data.get("job") is None

    def job_data(self) -> JobData:
        """The new job, as ``create_job`` takes it."""
        data = self.cleaned_data
        trade: CategoryCode = data["trade"]
        site = data["site_line1"] or data["site_city"] or data["site_state"]
        return JobData(
            name=data["job_name"] or f"{trade.name}, {site}",
            entity=data["customer"],
            category_code=trade,
            wage=data["wage"],
            wage_type=data["wage_type"],
            address={
                "line1": data["site_line1"],
                "locality": data["site_city"],
                "region": data["site_state"],
                "postalcode": data["site_postalcode"],
            },
        )

    def unsaved_job(self) -> WorkJob:
        """The job the ticket would be for, unsaved when the ticket would create it (preview)."""
        if not self.creates_job:
            return self.cleaned_data["job"]
        data = self.job_data()
        address = data["address"] or {}
        return WorkJob(
            platform=self.platform,
            entity=data["entity"],
            name=data["name"],
            category_code=data["category_code"],
            wage=data["wage"],
            wage_type=data["wage_type"],
            address_line1=address["line1"],
            address_locality=address["locality"],
            address_region=address["region"],
            address_postalcode=address["postalcode"],
        )

    def _still_needed(self, errors: list[ValidationError]) -> bool:
        return all(
            error.code == "required" or error.message in self.NEW_JOB_REQUIRED.values()
            for error in errors
        )

    def missing(self) -> list[str]:
        """Labels of the fields still to fill in (the preview's "still needed")."""
        errors = self.errors.as_data()
        return [
            str(field.label or name.replace("_", " ").capitalize())
            for name, field in self.fields.items()
            if name in errors and self._still_needed(errors[name])
        ]

    def problems(self) -> list[str]:
        """Every other error, in words (a wage typed as letters, say)."""
        return [
            message
            for name, errors in self.errors.as_data().items()
            if name not in self.fields or not self._still_needed(errors)
            for error in errors
            for message in error.messages
        ]


class ExtendForm(forms.Form):
    end_at = forms.DateTimeField(
        label="New end",
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": ENTER_END_DATE, "invalid": BAD_MOMENT},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_zone(self, "end_at")


class CancelForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=100,
        label="Reason (optional)",
        error_messages={"max_length": REASON_TOO_LONG},
    )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class WageForm(forms.Form):
    wage = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        label="New wage ($)",
        error_messages={
            "required": ENTER_WAGE,
            "invalid": BAD_WAGE,
            "max_decimal_places": BAD_WAGE,
            "max_digits": WAGE_OUT_OF_RANGE_DOLLARS,
            "max_whole_digits": WAGE_OUT_OF_RANGE_DOLLARS,
        },
    )

    def clean_wage(self) -> int:
        # Parsed only: preview_wage_change / update_job judge the range.
        return dollars_to_cents(self.cleaned_data["wage"])


class PeriodForm(forms.Form):
    """The premium page's period (UTC days, as the ledger books them) and platform."""

    start = forms.DateField(
        required=False,
        widget=DateInput(),
        label="From",
        error_messages={"invalid": BAD_DAY},
    )
    end = forms.DateField(
        required=False,
        widget=DateInput(),
        label="To",
        error_messages={"invalid": BAD_DAY},
    )
    platform = forms.CharField(required=False, max_length=20)

    def clean_platform(self) -> str:
        return _public_id(self.cleaned_data["platform"], prefix="pf", what="platform")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", PERIOD_BACKWARDS)
            elif (end - start).days >= MAX_PERIOD_DAYS:
                self.add_error("end", PERIOD_TOO_LONG)
        return data


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        error_messages={"max_length": BAD_SEARCH},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={"invalid": BAD_PAGE, "min_value": BAD_PAGE},
    )

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()


class RepeatCheckForm(forms.Form):
    """Would repeat coverage apply if this tech took that job next?"""

    job = PickerField(
        to_field_name="public_id",
        label="Job",
        label_of=job_label,
        widget=Picker("coverage:pick_job", placeholder=TYPE_JOB),
        error_messages={"required": "Choose a job.", "invalid_choice": UNKNOWN_CHOICE},
    )

    def __init__(self, *args: Any, platform: Platform, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice(self, "job")
        field.queryset = pickers.jobs(WorkJob.objects.for_platform(platform))
        # An underwriter on a tech's page searches that tech's platform's jobs.
        assert isinstance(field.widget, Picker)
        field.widget.params = {"platform": platform.public_id}

"""The pickers' search endpoints: at most ``SHOWN`` techs, customers or jobs matching
what was typed, as the options of a listbox (``portal.pickers``).

Each answers in three queries (session, user, the matches), scoped on the server by
``coverage.access.pickable``: a dispatcher finds only their own platform's rows,
whatever the request asks for.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from coverage.access import pickable, viewer_required
from coverage.forms.fields import _public_id
from coverage.models import Contractor, Entity, WorkJob
from coverage.selectors import pickers as reads
from portal.http import PortalRequest
from portal.pickers import Matches, options_refusal, options_response

BAD_PICKER_SEARCH = "Type at most 100 characters of a name."


class PickerSearchForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=100, error_messages={"max_length": BAD_PICKER_SEARCH}
    )
    platform = forms.CharField(required=False, max_length=50)
    customer = forms.CharField(required=False, max_length=50)

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()

    def clean_platform(self) -> str:
        return _public_id(self.cleaned_data["platform"], prefix="pf", what="platform")

    def clean_customer(self) -> str:
        return _public_id(self.cleaned_data["customer"], prefix="en", what="customer")


def _answer(
    request: PortalRequest, search: Callable[[PickerSearchForm], Matches]
) -> HttpResponse:
    form = PickerSearchForm(request.GET)
    if not form.is_valid():
        problems = [m for errors in form.errors.values() for m in errors]
        return options_refusal(request, str(problems[0]))
    return options_response(request, search(form), q=form.cleaned_data["q"])


@login_required
@viewer_required
@require_GET
def pick_tech(request: PortalRequest) -> HttpResponse:
    return _answer(
        request,
        lambda form: reads.tech_matches(
            pickable(
                request,
                Contractor.objects.all(),
                platform=form.cleaned_data["platform"],
            ),
            form.cleaned_data["q"],
        ),
    )


@login_required
@viewer_required
@require_GET
def pick_customer(request: PortalRequest) -> HttpResponse:
    return _answer(
        request,
        lambda form: reads.customer_matches(
            pickable(
                request, Entity.objects.all(), platform=form.cleaned_data["platform"]
            ),
            form.cleaned_data["q"],
        ),
    )


@login_required
@viewer_required
@require_GET
def pick_job(request: PortalRequest) -> HttpResponse:
    return _answer(
        request,
        lambda form: reads.job_matches(
            pickable(
                request, WorkJob.objects.all(), platform=form.cleaned_data["platform"]
            ),
            form.cleaned_data["q"],
            customer=form.cleaned_data["customer"],
        ),
    )

"""The pickers' search endpoints: at most ``SHOWN`` techs, customers or jobs matching
what was typed, as the options of a listbox (``portal.pickers``).

Each answers in three queries (session, user, the matches), scoped on the server by
``coverage.access.pickable``: a dispatcher finds only their own platform's rows,
whatever the request asks for.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from coverage.access import pickable, viewer_required
from coverage.forms.picker_search import PickerSearchForm
from coverage.models import Contractor, Entity, WorkJob
from coverage.selectors import pickers as reads
from portal.http import PortalRequest
from portal.pickers import Matches, options_refusal, options_response


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

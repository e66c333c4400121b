"""The underwriter workspace's picker search: platforms, as the underwriter types
(``portal.pickers``); three queries (session, user, the matches)."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from policies.access import underwriter_required
from portal.http import PortalRequest
from portal.models import Platform
from portal.pickers import SHOWN, Option, matches, options_refusal, options_response

BAD_PLATFORM_SEARCH = "Type at most 100 characters of a platform's name."


class PlatformSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        error_messages={"max_length": BAD_PLATFORM_SEARCH},
    )


@underwriter_required
@require_GET
def pick_platform(request: PortalRequest) -> HttpResponse:
    form = PlatformSearchForm(request.GET)
    if not form.is_valid():
        return options_refusal(request, BAD_PLATFORM_SEARCH)
    q = form.cleaned_data["q"].strip()
    found = (
        Platform.objects.visible_to(request.user)
        .search(q)
        .order_by("name", "pk")
        .only("public_id", "name")[: SHOWN + 1]
    )
    return options_response(
        request, matches([Option(p.public_id, p.name) for p in found]), q=q
    )

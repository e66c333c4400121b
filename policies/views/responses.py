"""How workspace views answer after a write: reload the page, or refuse a form."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from portal.http import PortalRequest


def done(request: PortalRequest, url: str) -> HttpResponse:
    """After a successful write that changes the whole page: load it afresh."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def refusal_status(request: PortalRequest) -> int:
    """htmx 2 swaps only 2xx answers: an HTMX form re-rendered with a refusal is a 200,
    the same page without HTMX a 400."""
    return 200 if request.htmx else 400

"""How workspace views answer after a write: reload the page, or refuse a form (422)."""

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


# A form re-rendered with its refusal (HTMX or not) answers 422, as in coverage and
# as django-htmx recommends; base.html tells htmx to swap a 422 in like a 200.
REFUSED = 422

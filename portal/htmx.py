"""One rule for when a view answers with a fragment instead of the whole page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_partial(request: HttpRequest) -> bool:
    """HTMX swaps get the fragment; boosted navigation and plain requests get the page."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str,
    status: int = 200,
) -> HttpResponse:
    """Render ``template``, or only its ``partial`` region for an HTMX request."""
    name = f"{template}#{partial}" if is_partial(request) else template
    response = render(request, name, context, status=status)
    # The same URL answers two ways; caches must keep them apart.
    response["Vary"] = "HX-Request"
    return response

"""Typed requests for the portal's views."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from portal.models import User


class PortalRequest(HttpRequest):
    """A request from a signed-in portal user, as the views see it."""

    user: User
    htmx: HtmxDetails

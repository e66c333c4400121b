"""Each request reads times in its person's zone: the auth backend and the middleware.

The backend loads the user with their platform in the one query that resolves a
session's user, so knowing the zone (the user's own, else the platform's) costs no
query; the board's idle poll stays at session, user, summary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portal.models import User


class UserWithPlatformBackend(ModelBackend):
    """Django's model backend, loading the user's platform with the user."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("platform").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class LocalTimeMiddleware:
    """Activates the signed-in person's zone for the request (templates, forms, admin)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

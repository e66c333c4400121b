from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from portal.models import Role

# Each portal section with the roles that may use it. Later sections add themselves
# here, and the navigation shows a user only what the user's role may open.
NAVIGATION: list[tuple[str, str, tuple[str, ...]]] = [
    ("Home", "home", (Role.DISPATCHER, Role.UNDERWRITER, Role.SUPPORT)),
    ("Admin", "admin:index", (Role.SUPPORT,)),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"label": label, "url": reverse(name), "active": request.path == reverse(name)}
        for label, name, roles in NAVIGATION
        if user.is_superuser or user.role in roles
    ]
    return {"nav_items": items}

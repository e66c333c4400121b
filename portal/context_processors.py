from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from portal.models import Role

# Each portal section with the roles that may use it. Later sections add themselves
# here, and the navigation shows a user only what the user's role may open.
NAVIGATION: list[tuple[str, str, tuple[str, ...]]] = [
    # A dispatcher's home is the board (``/`` sends them there).
    ("Home", "home", (Role.UNDERWRITER, Role.SUPPORT)),
    # The dispatcher's portal (coverage.views): dispatchers act on their platform's
    # tickets; underwriters read every platform's.
    ("Board", "coverage:board", (Role.DISPATCHER, Role.UNDERWRITER)),
    ("New ticket", "coverage:ticket_new", (Role.DISPATCHER,)),
    ("Premium", "coverage:premium", (Role.DISPATCHER, Role.UNDERWRITER)),
    ("Techs", "coverage:contractor_list", (Role.DISPATCHER, Role.UNDERWRITER)),
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

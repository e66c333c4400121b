from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from portal.models import Role

# Each portal section with the roles that may use it. Later sections add themselves
# here, and the navigation shows a user only what the user's role may open.
NAVIGATION: list[tuple[str, str, tuple[str, ...]]] = [
    ("Home", "home", (Role.DISPATCHER, Role.UNDERWRITER, Role.SUPPORT)),
    ("Policies", "policies:policy_list", (Role.UNDERWRITER,)),
    ("Transactions", "policies:transaction_list", (Role.UNDERWRITER,)),
    ("Admin", "admin:index", (Role.SUPPORT,)),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, roles in NAVIGATION:
        if not (user.is_superuser or user.role in roles):
            continue
        url = reverse(name)
        # A section stays highlighted on its pages below it; home only on itself.
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}

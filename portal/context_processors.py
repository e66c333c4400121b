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
    ("Customers", "coverage:customer_list", (Role.DISPATCHER,)),
    # The underwriter's workspace (policies.views).
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

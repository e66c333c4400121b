"""Who may open the dispatcher's screens, and the scoped lookups every view starts with.

Dispatchers see and act on their own platform's tickets. Underwriters see every
platform's, read-only. Someone else's ticket or tech is a 404, never a 403: the page
does not reveal that it exists. Support works in the admin and has no board.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from coverage.models import Assignment, Contractor, TenantQuerySet
from coverage.selectors.tickets import visible_tickets
from portal.http import PortalRequest
from portal.models import Platform, Role, User

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
Scoped = TypeVar("Scoped", bound=TenantQuerySet)

# Roles that may open the board, tickets, premium and contractor pages.
VIEWER_ROLES = (Role.DISPATCHER, Role.UNDERWRITER)


def can_view(user: User) -> bool:
    return user.is_superuser or user.role in VIEWER_ROLES


def can_act(user: User) -> bool:
    """Only a platform's own dispatchers dispatch, cancel, extend or send opt-ins."""
    return user.is_dispatcher


def _requires(test: Callable[[User], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(
            request: PortalRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can_underwrite(user: User) -> bool:
    """Underwriters decide on techs' own certificates the review flagged."""
    return user.is_superuser or user.is_underwriter


# Apply below @login_required: an anonymous user is sent to sign in, not refused.
viewer_required = _requires(can_view)
dispatcher_required = _requires(can_act)
underwriter_required = _requires(can_underwrite)


def dispatcher_platform(request: PortalRequest) -> Platform:
    """The platform of the dispatcher behind a ``@dispatcher_required`` view."""
    platform = request.user.platform
    # Only dispatchers pass @dispatcher_required, and a dispatcher always has a
    # platform (the portal_user_dispatcher_has_platform check constraint).
    assert platform is not None
    return platform


def get_ticket(request: PortalRequest, public_id: str) -> Assignment:
    """The live dispatch with this id that the user may see, or 404."""
    return get_object_or_404(
        visible_tickets(request.user).select_related(
            "platform", "contractor", "job__entity", "job__category_code", "policy"
        ),
        public_id=public_id,
    )


def get_contractor(request: PortalRequest, public_id: str) -> Contractor:
    found = (
        Contractor.objects.visible_to(request.user)
        .live()
        .select_related("platform")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise Http404("No such contractor")
    return found


def pickable(request: PortalRequest, rows: Scoped, *, platform: str = "") -> Scoped:
    """What a picker's search may offer the user: the rows they may see (a
    dispatcher's own platform's, whatever ``platform`` asks), narrowed to one
    platform when asked (an underwriter on a tech's page)."""
    found = rows.visible_to(request.user)
    if platform:
        found = found.filter(platform__public_id=platform)
    return found

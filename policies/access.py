"""Who may open the underwriter workspace, and the lookups its views find their objects with.

Underwriters see every platform; anyone else gets a 403 (or the login page).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from policies.models import Policy, PolicyTransaction
from portal.http import PortalRequest

P = ParamSpec("P")

NOT_AN_UNDERWRITER = "The underwriter workspace is for underwriters."


def underwriter_required(
    view: Callable[Concatenate[PortalRequest, P], HttpResponse],
) -> Callable[Concatenate[PortalRequest, P], HttpResponse]:
    """Signed in (else to the login page) and an underwriter (else 403)."""

    @wraps(view)
    def wrapper(
        request: PortalRequest, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        user = request.user
        if not (user.is_underwriter or user.is_superuser):
            raise PermissionDenied(NOT_AN_UNDERWRITER)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def get_transaction(transaction_id: str) -> PolicyTransaction:
    """A transaction by its pc: id, with what every page of it shows; 404 otherwise.

    Underwriters see every platform, so there is no further scoping to apply.
    """
    return get_object_or_404(
        PolicyTransaction.objects.select_related(
            "platform", "contractor", "product", "category_code", "policy"
        ),
        public_id=transaction_id,
    )


def get_policy(policy_id: str) -> Policy:
    return get_object_or_404(
        Policy.objects.select_related(
            "platform", "contractor", "product", "category_code", "contents_transaction"
        ),
        public_id=policy_id,
    )

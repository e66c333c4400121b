"""Every route that takes an object id, asked by another platform with `platform`'s ids:
a 404 (or a role's 403, a login redirect, a wrong method's 405), never a 2xx or a 500,
and nothing written.

The routes come from the URL resolver, not from a list, so a new route is swept the
day it is added; one whose parameters the sweep cannot fill fails the test by name.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from portal.models import Platform, User
from tests.sweep_helpers import (
    Route,
    api_client,
    changed_tables,
    fill_table,
    one_of_everything,
    portal_value,
    routes,
    send,
    snapshot,
)

pytestmark = pytest.mark.django_db

# Public by design, so not a tenancy question: the hosted application page is opened
# by its unguessable token, the certificate verification page and its PDF by the
# number printed on the certificate (tests/coverage/test_certificate_verification.py).
PUBLIC_BY_DESIGN = {
    "apply/<str:token>/",
    "apply/<str:token>/opt-in",
    "apply/<str:token>/card",
    # A payment session's single-use card page, by its unguessable token too
    # (tests/coverage/test_payment_sessions.py).
    "payment/setup/<str:token>/",
    "payment/setup/<str:token>/card",
    "payment/setup/<str:token>/cancel",
    "certificates/<str:number>/",
    "certificates/<str:number>/pdf",
    # A password reset link, opened by the signed token e-mailed to the account's
    # owner (tests/portal/test_accounts.py).
    "account/password-reset/<uidb64>/<token>/",
    # A tech's hosted certificate upload page, by the signed link a dispatcher sends
    # (tests/coverage/uploads/test_hosted_upload.py): no login, so no platform to cross.
    "upload/<str:token>/",
}
# The staff APIs' catch-alls answer any unknown path with their 404 body: no object.
CATCH_ALLS = {"api/v1/<path:rest>", "job/v1/<path:rest>", "policy/v1/<path:rest>"}

# Admin object routes: model name → the parameter values of one of its rows.
ADMIN_FILL = {"app_label": "coverage", "content_type_id": 1}


def object_routes() -> list[Route]:
    return [
        r
        for r in routes()
        if r.params
        and r.template not in PUBLIC_BY_DESIGN | CATCH_ALLS
        # The admin's unnamed catch-all (any unknown admin URL): no object either.
        and not (r.area == "admin" and not r.name)
    ]


def _admin_object_id(route: Route) -> str:
    """The pk of a row of the admin page's model (or 1 where the route has no model)."""
    from django.apps import apps

    parts = route.name.split("_")
    for cut in range(1, len(parts)):
        label, model_name = parts[0], "_".join(parts[1:cut]) or parts[1]
        try:
            model = apps.get_model(label, model_name)
        except LookupError:
            continue
        if model._meta.swapped:
            continue
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            return str(row.pk)
    return "1"


def _fill(route: Route, objs, table) -> dict[str, Any]:
    if route.area == "admin":
        return {
            name: ADMIN_FILL.get(name, _admin_object_id(route)) for name in route.params
        }
    if route.area == "portal":
        return {name: portal_value(route, name, objs, table) for name in route.params}
    return {name: table[(route.area, name)] for name in route.params}


def _admin_url(route: Route, values: dict[str, Any]) -> str:
    return reverse(f"{route.namespace}:{route.name}", kwargs=values)


def test_every_object_route_is_closed_to_another_platform(
    platform: Platform,
    platform_key: str,
    other_platform_key: str,
    dispatcher: User,
    outsider: User,
) -> None:
    objs = one_of_everything(platform, platform_key)
    table = fill_table(objs)
    swept = object_routes()

    unfillable = []
    urls: dict[Route, str] = {}
    for route in swept:
        try:
            values = _fill(route, objs, table)
        except KeyError as missing:
            unfillable.append(f"{route.template} (no id for {missing})")
            continue
        urls[route] = (
            _admin_url(route, values) if route.area == "admin" else route.url(values)
        )
    assert not unfillable, (
        "routes the tenancy sweep cannot fill; map their parameters in "
        "tests/sweep_helpers.fill_table: " + ", ".join(unfillable)
    )

    # The ids are real: their owner finds them (else a 404 below would prove nothing).
    # (Not always a 200: a POST-only action is a 405, a PDF not rendered yet a 202 or 409.)
    owner_key = api_client(platform_key)
    owner_session = api_client()
    owner_session.force_login(dispatcher)
    for route, url in urls.items():
        if route.area == "api" and "GET" in route.methods:
            assert owner_key.get(url).status_code in (200, 202, 405, 409), url
        if route.area == "portal":
            assert owner_session.get(url).status_code in (200, 202, 405, 409), url

    other_key = api_client(other_platform_key)
    session = api_client()
    session.force_login(outsider)
    before = snapshot()
    wrong: list[str] = []
    for route, url in urls.items():
        if route.area in ("api", "job", "policy"):
            client, methods = other_key, ("GET", "PUT", "PATCH", "DELETE", "POST")
        else:
            client, methods = session, ("GET", "POST")
        for method in methods:
            response = send(client, method, url, {} if client is session else "{}")
            status = response.status_code
            if method not in route.methods:
                allowed = {404, 405}
            elif route.area == "api" or route.area == "portal":
                allowed = {404, 405}  # 405: a view takes POST only, or GET only
            elif route.area in ("job", "policy"):
                allowed = {401, 403}  # a platform key cannot use the staff APIs
            elif route.area == "underwriting":
                allowed = {403, 405}  # the workspace is for underwriters
            else:  # admin: support only; everyone else is sent to sign in
                allowed = {302}
                if status == 302 and not response["Location"].startswith(
                    "/admin/login/"
                ):
                    status = f"302 to {response['Location']}"
            if status not in allowed:
                wrong.append(f"{method} {url} → {status} (expected {sorted(allowed)})")
    assert not wrong, "another platform reached `platform`'s objects:\n" + "\n".join(
        wrong
    )
    assert changed_tables(before, snapshot()) == []

    # Bound the sweep from below, so a resolver change that hides routes shows up.
    by_area = {area: sum(r.area == area for r in urls) for area in ("api", "portal")}
    assert by_area["api"] >= 13 and by_area["portal"] >= 9, by_area

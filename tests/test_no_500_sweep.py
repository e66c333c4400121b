"""Odd input to every write route, from someone allowed to use it: never a 500.

Portal routes get form posts with every field name the product's forms know set to
an odd value; API write routes get malformed JSON and bodies with every property
name of the API's schemas set to an odd value; ids are real ones and unknown ones.
Routes come from the URL resolver, so new ones are swept as they are added.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from django import forms as django_forms

import coverage.forms
import coverage.forms.crew
import policies.forms
import portal.forms
from coverage.api.urls import api as coverage_api
from policies.api import job_api, policy_api
from portal.models import Platform, User
from tests.conftest import sign_in
from tests.sweep_helpers import (
    Route,
    api_client,
    fill_table,
    one_of_everything,
    portal_value,
    routes,
    send,
)

pytestmark = pytest.mark.django_db

ODD_TEXT = ["x" * 10_000, "a\x00b", "-1", "9" * 30, "1e400", "not-a-date", "[]"]
ODD_JSON: list[Any] = ["x" * 10_000, "a\x00b", -1, 10**30, [], None]
RAW_BODIES = ["", "{", "null", "[]", '{"data": "x"}']

# Routes with no writes to try, or not ours to sweep: Django's own sign-in and admin.
SKIP_PREFIXES = ("admin/", "login/", "logout/")


def form_field_names() -> set[str]:
    names: set[str] = set()
    for module in (coverage.forms, coverage.forms.crew, policies.forms, portal.forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, django_forms.BaseForm) and cls.__module__ == (
                module.__name__
            ):
                names.update(getattr(cls, "base_fields", {}))
    return names


def schema_property_names(api) -> set[str]:
    names: set[str] = set()
    components = api.get_openapi_schema()["components"].get("schemas", {})
    for schema in components.values():
        names.update(schema.get("properties", {}))
    return names


def _values(route: Route, objs, table, *, unknown: bool) -> dict[str, Any]:
    values = {}
    for name in route.params:
        if unknown:
            values[name] = "zz_0000000000"
        elif route.template.startswith("apply/"):
            values[name] = objs["session"].token
        elif route.template.startswith("payment/setup/"):
            values[name] = objs["payment_session"].token
        elif route.area == "portal":
            values[name] = portal_value(route, name, objs, table)
        else:
            values[name] = table[(route.area, name)]
    return values


def test_odd_input_is_never_a_500(
    platform: Platform,
    platform_key: str,
    staff_key: str,
    dispatcher: User,
    underwriter: User,
) -> None:
    objs = one_of_everything(platform, platform_key)
    table = fill_table(objs)
    fields = sorted(form_field_names())
    dispatcher_session = api_client()
    dispatcher_session.force_login(dispatcher)
    underwriter_session = api_client()
    sign_in(underwriter_session, underwriter)
    keys = {
        "api": api_client(platform_key),
        "job": api_client(staff_key),
        "policy": api_client(staff_key),
    }
    properties = {
        "api": sorted(schema_property_names(coverage_api)),
        "job": sorted(schema_property_names(job_api)),
        "policy": sorted(schema_property_names(policy_api)),
    }

    failures: list[str] = []
    counts = {"portal": 0, "api": 0}

    def check(client, method: str, url: str, body: Any) -> None:
        response = send(client, method, url, body)
        if response.status_code >= 500:
            shown = repr(body)[:80]
            failures.append(f"{method} {url} {shown} → {response.status_code}")

    for route in routes():
        if route.template.startswith(SKIP_PREFIXES) or "<path:" in route.template:
            continue
        for unknown in (False, True) if route.params else (False,):
            try:
                url = route.url(_values(route, objs, table, unknown=unknown))
            except KeyError as missing:
                failures.append(f"{route.template}: no value for {missing}")
                continue
            if route.area in keys:
                writes = [m for m in route.methods if m != "GET"]
                if not writes:
                    continue
                counts["api"] += not unknown
                client = keys[route.area]
                for method in writes:
                    for raw in RAW_BODIES:
                        check(client, method, url, raw)
                    for odd in ODD_JSON:
                        attrs = dict.fromkeys(properties[route.area], odd)
                        body = (
                            attrs
                            if route.area == "api"
                            else {"data": {"attributes": attrs}}
                        )
                        check(client, method, url, json.dumps(body))
            else:
                counts["portal"] += not unknown
                if route.template.startswith(("apply/", "certificates/", "payment/")):
                    client = api_client()  # public pages: no one signed in
                elif route.area == "underwriting":
                    client = underwriter_session
                else:
                    client = dispatcher_session
                check(client, "POST", url, {})
                for odd in ODD_TEXT:
                    check(client, "POST", url, dict.fromkeys(fields, odd))
                check(client, "POST", url, {name: [odd, odd] for name in fields})

    assert not failures, "500s (or unfillable routes):\n" + "\n".join(failures)
    assert counts["portal"] >= 50 and counts["api"] >= 40, counts

"""The policy and transaction lists' platform filter is a picker (issue 15: a carrier's
platforms are not a short list): searched as the underwriter types, the chosen
platform's id posted under the field's old name."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from policies.models import PolicyTransaction
from policies.views.pickers import BAD_PLATFORM_SEARCH
from portal.models import Platform, User
from portal.pickers import SHOWN, TYPE_MORE
from tests.policies.conftest import htmx
from tests.policies.test_workspace_lists import contractor_policy, listed

pytestmark = pytest.mark.django_db

URL = "/underwriting/pickers/platforms/"


def values(page: str) -> list[str]:
    return re.findall(r'data-value="([^"]+)"', page)


def test_platforms_are_found_by_name_twenty_at_most(uw: Client) -> None:
    Platform.objects.bulk_create(
        [Platform(name=f"Field Crew {i:03}") for i in range(SHOWN + 10)]
    )
    with CaptureQueriesContext(connection) as captured:
        page = listed(uw.get(URL, {"q": "field crew"}, **htmx()))
    # session, user, the authenticator that verified the session (django-otp), the
    # matches
    assert len(captured.captured_queries) == 4, [
        q["sql"][:80] for q in captured.captured_queries
    ]
    assert "LIMIT 21" in captured.captured_queries[-1]["sql"]
    assert len(values(page)) == SHOWN and escape(TYPE_MORE) in page
    one = Platform.objects.get(name="Field Crew 007")
    assert values(listed(uw.get(URL, {"q": "crew 007"}))) == [one.public_id]
    assert values(listed(uw.get(URL, {"q": one.public_id}))) == [one.public_id]
    refused = uw.get(URL, {"q": "x" * 101})
    assert refused.status_code == 422
    assert escape(BAD_PLATFORM_SEARCH) in refused.content.decode()


def test_only_underwriters_search_platforms(dispatcher: User, client_as) -> None:
    assert Client().get(URL)["Location"].startswith("/login/")
    assert client_as(dispatcher).get(URL).status_code == 403


def test_the_list_filters_by_the_picked_platform(
    uw: Client, platform: Platform, other_platform: Platform
) -> None:
    ours = contractor_policy(platform, "a@example.com")
    theirs = contractor_policy(other_platform, "b@example.com")
    page = listed(uw.get("/underwriting/policies/"))
    # No list of every platform in the page: a combobox that searches them.
    assert other_platform.public_id not in page
    assert 'hx-get="/underwriting/pickers/platforms/"' in page
    picked = listed(
        uw.get(
            "/underwriting/policies/",
            {"platform": other_platform.public_id, "platform_search": "x"},
        )
    )
    assert theirs.number in picked and ours.number not in picked
    # The filter shown again keeps the chosen platform's name.
    assert f'name="platform_search" value="{escape(other_platform.name)}"' in picked
    # Typed without picking (no JavaScript): the name is resolved on the server.
    typed = listed(
        uw.get(
            "/underwriting/transactions/",
            {"platform": "", "platform_search": "rival"},
        )
    )
    for txn in PolicyTransaction.objects.all():
        assert (txn.public_id in typed) == (txn.platform_id == other_platform.pk)

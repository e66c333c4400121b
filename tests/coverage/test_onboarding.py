"""Onboarding a platform in one step: `manage.py onboard_platform` and the admin page.

From an empty database (the sample rate book loaded, nothing else) the command's key opens
the API, and the unmodified SDK takes the platform to its first covered dispatch.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import ten99policy
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.html import escape

from coverage.demo import SAMPLE_RATE_BOOK
from coverage.models import CategoryCode, Event
from coverage.services import eligibility
from coverage.services.onboarding import (
    BAD_REDIRECT_HOST,
    UNKNOWN_TIME_ZONE,
    UNKNOWN_TRADES,
)
from policies.models import AuditEntry, AuditVia
from portal.models import ApiKey, Platform, User
from tests.conftest import sign_in

NJ = {"line1": "1 Main St", "locality": "Newark", "region": "NJ", "postalcode": "07102"}
CLEANING = "Commercial cleaning (janitorial)"


def onboard(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("onboard_platform", *args, stdout=out)
    return out.getvalue().splitlines()


def load_sample_rates() -> None:
    call_command("import_rates", str(SAMPLE_RATE_BOOK), stdout=io.StringIO())


@pytest.fixture
def sdk_with(live_server, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ten99policy, "api_base", live_server.url)
    monkeypatch.setattr(ten99policy, "log", None)
    monkeypatch.setattr(ten99policy, "default_http_client", None)
    yield
    if ten99policy.default_http_client is not None:
        ten99policy.default_http_client.close()


@pytest.mark.django_db(transaction=True)
def test_from_an_empty_database_to_a_first_covered_dispatch(
    sdk_with: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not Platform.objects.exists() and not CategoryCode.objects.exists()
    load_sample_rates()
    lines = onboard(
        "Acme Field Services",
        "--trades",
        "all",
        "--time-zone",
        "America/New_York",
        "--redirect-host",
        "dispatch.acme.example",
        "--default-requirement",
        "general,workers-comp",
    )
    key = lines[-1]
    assert key.startswith("dcp_sk_test_")
    platform = Platform.objects.get(name="Acme Field Services")
    assert ApiKey.objects.get(digest=ApiKey.digest_of(key)).platform == platform
    assert platform.time_zone == "America/New_York"
    assert platform.hosted_flow_allowed_redirect_hosts == ["dispatch.acme.example"]
    assert platform.default_insurance_requirement == {
        "required_coverage": ["general", "workers-comp"]
    }

    monkeypatch.setattr(ten99policy, "api_key", key)
    trades = {c.name: c.category_code for c in ten99policy.JobCategories.list()}
    assert set(trades) == set(CategoryCode.objects.values_list("name", flat=True))
    entity = ten99policy.Entities.create(name="Harbor Property Group", address=NJ).id
    contractor = ten99policy.Contractors.create(
        first_name="Terry",
        last_name="Tech",
        email="terry@example.com",
        phone="415-474-9088",
        address=NJ,
    ).id
    job = ten99policy.Jobs.create(
        name="Nightly cleaning",
        entity=entity,
        category_code=trades[CLEANING],
        wage=20000,
        wage_type="flatfee",
        address=NJ,
    ).id
    quote = ten99policy.Quotes.create(
        contractor=contractor, job=job, coverage_type=["workers-comp", "general"]
    )
    assert quote.eligible is True
    policy = ten99policy.Policies.create(quote_id=quote.id, is_active=True)
    dispatch = ten99policy.Assignments.create(contractor=contractor, job=job)
    assert dispatch.eligible.to_dict() == {
        "result": True,
        "message": eligibility.ELIGIBLE,
    }
    assert dispatch.policy == policy.id and dispatch.premium > 0
    # Each trade the onboarding approved was announced to the platform.
    added = Event.objects.filter(platform=platform, type="category_code.added")
    assert sorted(e.data["category_code"] for e in added) == sorted(trades.values())


def test_running_it_again_updates_without_a_new_key(db: None) -> None:
    load_sample_rates()
    onboard("Acme", "--trades", CLEANING, "--time-zone", "America/Chicago")
    platform = Platform.objects.get(name="Acme")
    assert [c.name for c in platform.approved_category_codes.all()] == [CLEANING]

    again = onboard(
        "Acme",
        "--trades",
        "HVAC service and repair",
        CLEANING,
        "--redirect-host",
        "A.example",
    )
    assert not any("_sk_" in line for line in again)
    assert again[0] == f"Updated platform Acme ({platform.public_id})."
    platform.refresh_from_db()
    assert platform.time_zone == "America/Chicago"  # not given: left as it was
    assert platform.hosted_flow_allowed_redirect_hosts == ["a.example"]
    assert sorted(c.name for c in platform.approved_category_codes.all()) == [
        CLEANING,
        "HVAC service and repair",
    ]
    # Only the trade approved this time is announced again.
    names = list(
        Event.objects.filter(platform=platform)
        .order_by("pk")
        .values_list("data__name", flat=True)
    )
    assert names == [CLEANING, "HVAC service and repair"]
    assert ApiKey.objects.filter(platform=platform).count() == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--trades", "Underwater welding"],
            UNKNOWN_TRADES.split(".")[0].format(names='"Underwater welding"'),
        ),
        (
            ["--time-zone", "Mars/Olympus"],
            UNKNOWN_TIME_ZONE.format(value="Mars/Olympus"),
        ),
        (
            ["--redirect-host", "https://acme.example/back"],
            BAD_REDIRECT_HOST.format(value="https://acme.example/back"),
        ),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(
    db: None, args: list[str], message: str
) -> None:
    load_sample_rates()
    with pytest.raises(CommandError) as refused:
        onboard("Acme", *args)
    assert str(refused.value).startswith(message)
    assert not Platform.objects.filter(name="Acme").exists()
    assert not ApiKey.objects.exists()


def test_a_rate_book_approving_a_new_trade_later_announces_it(
    db: None, tmp_path: Path
) -> None:
    load_sample_rates()
    onboard("Acme", "--trades", CLEANING)
    platform = Platform.objects.get(name="Acme")
    book = tmp_path / "book.csv"
    book.write_text(
        "category,jurisdiction,line,class_code,class_description,effective_date,rate,source\n"
        "Pool maintenance,NJ,workers-comp,9014,Pools,2026-01-01,300.00,test\n"
    )
    call_command(
        "import_rates", str(book), "--approve-for", "Acme", stdout=io.StringIO()
    )
    pools = CategoryCode.objects.get(name="Pool maintenance")
    events = Event.objects.filter(platform=platform, type="category_code.added")
    assert [e.data for e in events.order_by("pk")][-1] == {
        "category_code": pools.public_id,
        "name": "Pool maintenance",
    }


def test_support_onboards_a_platform_in_the_admin(support: User) -> None:
    load_sample_rates()
    client = Client()
    sign_in(client, support)
    page = client.get("/admin/portal/platform/")
    assert b"/admin/portal/platform/onboard/" in page.content
    form = client.get("/admin/portal/platform/onboard/")
    assert form.status_code == 200

    refused = client.post(
        "/admin/portal/platform/onboard/",
        {"name": "Acme", "time_zone": "Nowhere/Land"},
    )
    assert refused.status_code == 200
    shown = refused.content.decode()
    assert escape(UNKNOWN_TIME_ZONE.format(value="Nowhere/Land")) in shown
    assert not Platform.objects.filter(name="Acme").exists()

    done = client.post(
        "/admin/portal/platform/onboard/",
        {
            "name": "Acme",
            "all_trades": "on",
            "time_zone": "America/Denver",
            "hosted_flow_allowed_redirect_hosts": "acme.example, app.acme.example",
            "default_insurance_requirement": "general",
        },
    )
    platform = Platform.objects.get(name="Acme")
    assert platform.approved_category_codes.count() == CategoryCode.objects.count()
    assert platform.hosted_flow_allowed_redirect_hosts == [
        "acme.example",
        "app.acme.example",
    ]
    assert platform.default_insurance_requirement == {"required_coverage": ["general"]}
    key = ApiKey.objects.get(platform=platform)
    shown = done.content.decode()
    raw = shown.split('<code id="raw-key">')[1].split("</code>")[0]
    assert ApiKey.digest_of(raw) == key.digest
    # The platform and its first key are in the audit history as support, via the admin.
    for object_type, object_id in (
        ("Platform", platform.public_id),
        ("API key", key.public_id),
    ):
        [entry] = AuditEntry.objects.filter(
            object_type=object_type, object_id=object_id
        )
        assert (entry.action, entry.via, entry.actor_user) == (
            "created",
            AuditVia.ADMIN,
            support,
        )


def test_a_dispatcher_cannot_open_the_onboarding_page(
    client_as, dispatcher: User
) -> None:
    response = client_as(dispatcher).get("/admin/portal/platform/onboard/")
    assert response.status_code == 302  # to the admin login
    assert not Platform.objects.exclude(pk=dispatcher.platform_id).exists()

"""Portal's own records (platforms, API keys, users) are in the same audit history:
a command's writes as the system, support's through the admin, old → new."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from policies.models import AuditEntry, AuditVia
from portal.models import ApiKey, Platform, User
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def entries(object_type: str, object_id: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type=object_type, object_id=object_id
        ).order_by("created_at", "pk")
    )


def changed(entry: AuditEntry) -> dict[str, tuple[str | None, str | None]]:
    return {c["field"]: (c["old"], c["new"]) for c in entry.changes}


def test_commands_record_platforms_and_keys_as_the_system() -> None:
    call_command("create_api_key", "--platform", "Acme", stdout=StringIO())
    call_command(
        "onboard_platform",
        "Beta Co",
        "--time-zone",
        "America/Chicago",
        stdout=StringIO(),
    )
    acme = Platform.objects.get(name="Acme")
    [created] = entries("Platform", acme.public_id)
    assert (created.action, created.via, created.actor_label) == (
        "created",
        AuditVia.SYSTEM,
        "System",
    )
    key = ApiKey.objects.get(platform=acme)
    [issued] = entries("API key", key.public_id)
    assert changed(issued)["name"] == (None, "Acme key")
    beta = Platform.objects.get(name="Beta Co")
    [onboarded] = entries("Platform", beta.public_id)
    assert changed(onboarded)["time_zone"] == (None, "America/Chicago")
    # Onboarding again with another time zone: the change, old → new.
    call_command(
        "onboard_platform",
        "Beta Co",
        "--time-zone",
        "America/Denver",
        stdout=StringIO(),
    )
    assert changed(entries("Platform", beta.public_id)[-1]) == {
        "time_zone": ("America/Chicago", "America/Denver")
    }


def test_support_edits_users_and_revokes_keys_in_the_admin(
    support: User, dispatcher: User, platform_key: str
) -> None:
    client = Client()
    sign_in(client, support)
    key = ApiKey.objects.get(platform=dispatcher.platform)
    response = client.post(
        "/admin/portal/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert response.status_code == 302
    [revoked] = [e for e in entries("API key", key.public_id) if e.action == "changed"]
    assert (revoked.via, revoked.actor_user) == (AuditVia.ADMIN, support)
    assert changed(revoked)["revoked_at"][0] is None

    page = client.get(f"/admin/portal/user/{dispatcher.pk}/change/")
    assert page.status_code == 200
    form = {
        "username": dispatcher.username,
        "first_name": "Dana",
        "last_name": dispatcher.last_name,
        "email": dispatcher.email,
        "is_active": "on",
        "role": "underwriter",
        "platform": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": dispatcher.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": dispatcher.date_joined.strftime("%H:%M:%S"),
    }
    saved = client.post(f"/admin/portal/user/{dispatcher.pk}/change/", form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    [edit] = entries("User", str(dispatcher.pk))
    assert (edit.via, edit.actor_user) == (AuditVia.ADMIN, support)
    assert changed(edit)["role"] == ("Dispatcher", "Underwriter")
    assert changed(edit)["platform"][1] is None
    # No password material in the history.
    assert "password" not in str(edit.changes)

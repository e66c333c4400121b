"""API keys: issued by a command, shown once, stored hashed, revocable in the admin."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from portal.models import ApiKey, Platform, User

pytestmark = pytest.mark.django_db

KEY_PATTERN = re.compile(r"^dcp_sk_(test|live)_[0-9A-Za-z]{40}$")


def issue(*args: str) -> tuple[str, str]:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    return lines[-1], out.getvalue()


def test_platform_key_creates_the_platform_and_prints_the_key_last() -> None:
    raw, output = issue("--platform", "Brand New Co")
    assert KEY_PATTERN.match(raw)
    assert re.search(r"sk_(test|live)_", raw)  # what the SDKs look for
    key = ApiKey.objects.get()
    assert key.platform == Platform.objects.get(name="Brand New Co")
    assert key.kind == "platform"
    assert "Created platform Brand New Co" in output


def test_platform_key_reuses_an_existing_platform(platform: Platform) -> None:
    issue("--platform", platform.name)
    issue("--platform", platform.name)
    assert Platform.objects.filter(name=platform.name).count() == 1
    assert platform.api_keys.count() == 2


def test_staff_key_has_no_platform() -> None:
    raw, _ = issue("--staff", "Underwriting desk")
    assert KEY_PATTERN.match(raw)
    key = ApiKey.objects.get()
    assert key.kind == "staff" and key.platform is None


def test_live_keys_say_live() -> None:
    raw, _ = issue("--platform", "Live Co", "--live")
    assert raw.startswith("dcp_sk_live_")


def test_the_raw_key_is_nowhere_in_the_database() -> None:
    raw, _ = issue("--platform", "Secretive Co")
    secret_part = raw.rsplit("_", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM portal_apikey")
        rows = cursor.fetchall()
    dump = repr(rows)
    assert raw not in dump
    assert secret_part not in dump
    assert ApiKey.objects.get().digest == ApiKey.digest_of(raw)


def test_keys_are_unique() -> None:
    keys = {issue("--platform", "Many Keys Co")[0] for _ in range(5)}
    assert len(keys) == 5


def test_revoking_in_the_admin(support: User, client_as, platform_key: str) -> None:
    key = ApiKey.objects.get()
    response = client_as(support).post(
        "/admin/portal/apikey/", {"action": "revoke", "_selected_action": [key.pk]}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_admin_never_shows_the_digest(
    support: User, client_as, platform_key: str
) -> None:
    key = ApiKey.objects.get()
    page = (
        client_as(support)
        .get(f"/admin/portal/apikey/{key.pk}/change/")
        .content.decode()
    )
    assert key.display_prefix in page
    assert key.digest not in page


def test_support_cannot_add_keys_in_the_admin(support: User, client_as) -> None:
    assert client_as(support).get("/admin/portal/apikey/add/").status_code == 403


def test_empty_platform_name_is_refused() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_key", "--platform", "  ", stdout=StringIO())

"""The cast every test can use: two platforms, one user per role, keys, clients."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.api_keys import issue_api_key
from portal.models import ApiKey, Platform, Role, User
from portal.two_factor import second_factor_required

PASSWORD = "correct-horse-battery"

# Subprocesses the tests start (db_worker, manage.py) run with debug off, where the
# settings demand a payment processor.
os.environ.setdefault("DJANGO_PAYMENT_PROCESSOR", "sandbox")
# ... and a key for tax ids at rest: the same one this process encrypts with, so that
# they read what the tests wrote.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", ",".join(settings.FIELD_ENCRYPTION_KEYS))


def make_user(username: str, role: str, platform: Platform | None = None) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, platform=platform
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files a test stores (certificate PDFs) go to a fresh folder, not the project's."""
    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def platform(db: None) -> Platform:
    return Platform.objects.create(name="Acme Field Services")


@pytest.fixture
def other_platform(db: None) -> Platform:
    return Platform.objects.create(name="Rival Dispatch Co")


@pytest.fixture
def dispatcher(platform: Platform) -> User:
    return make_user("dana", Role.DISPATCHER, platform)


@pytest.fixture
def outsider(other_platform: Platform) -> User:
    """A dispatcher of another platform: sees none of `platform`'s data."""
    return make_user("olga", Role.DISPATCHER, other_platform)


@pytest.fixture
def underwriter(db: None) -> User:
    return make_user("uma", Role.UNDERWRITER)


@pytest.fixture
def support(db: None) -> User:
    return make_user("sam", Role.SUPPORT)


def sign_in(client: Client, user: User) -> Client:
    """Sign ``client`` in as ``user`` with both factors, as a finished sign-in leaves it.

    Support and underwriters (and anyone who turned it on) owe a second factor after
    the password; this gives them a confirmed authenticator and marks the session
    verified by it, as django_otp.login does after a right code.
    """
    client.force_login(user)
    if second_factor_required(user=user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="test authenticator", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_as() -> Callable[[User], Client]:
    def login(user: User) -> Client:
        return sign_in(Client(), user)

    return login


@pytest.fixture
def platform_key(platform: Platform) -> str:
    _, raw = issue_api_key(kind=ApiKey.Kind.PLATFORM, name="acme", platform=platform)
    return raw


@pytest.fixture
def other_platform_key(other_platform: Platform) -> str:
    _, raw = issue_api_key(
        kind=ApiKey.Kind.PLATFORM, name="rival", platform=other_platform
    )
    return raw


@pytest.fixture
def staff_key(db: None) -> str:
    _, raw = issue_api_key(kind=ApiKey.Kind.STAFF, name="underwriting")
    return raw


def bearer(raw_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw_key}"}


@pytest.fixture
def requires_postgres() -> None:
    """Races are only real where rows lock: on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with DATABASE_URL=postgres://…")


def field_errors(body: dict) -> dict:
    """A /api/v1 per-field error body, checked and seen as ``{"message": {field: text}}``.

    ``message`` is always text ("field: text, field2: text", as the SDK prints a map);
    the map itself is ``fields``. Tests compare the map.
    """
    assert isinstance(body["message"], str), body
    fields = body["fields"]
    assert body["message"] == ", ".join(f"{k}: {v}" for k, v in fields.items())
    return {**{k: v for k, v in body.items() if k != "fields"}, "message": fields}

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError
from django.test import Client

from portal.demo import DEFAULT_PASSWORD
from portal.models import Platform, User


@pytest.mark.django_db
def test_healthz_is_200_with_the_database_up() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "workers": "none",
        "live_workers": 0,
        "queues": {"default": 0, "renders": 0, "webhooks": 0, "email": 0},
        "unserved_queues": ["default", "renders", "webhooks", "email"],
    }


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_seed_demo_creates_users_for_every_role() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert DEFAULT_PASSWORD in out.getvalue()
    users = {u.username: u for u in User.objects.all()}
    assert {"dispatcher", "underwriter", "support"} <= set(users)
    assert users["dispatcher"].platform == Platform.objects.get(
        name="Demo Field Services"
    )
    assert users["support"].is_staff
    assert all(
        users[n].check_password(DEFAULT_PASSWORD)
        for n in ("dispatcher", "underwriter", "support")
    )


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing() -> None:
    call_command("seed_demo", stdout=StringIO())
    before = {
        "users": list(User.objects.order_by("pk").values()),
        "platforms": list(Platform.objects.order_by("pk").values()),
    }
    call_command("seed_demo", stdout=StringIO())
    after = {
        "users": list(User.objects.order_by("pk").values()),
        "platforms": list(Platform.objects.order_by("pk").values()),
    }
    assert before == after


@pytest.mark.django_db
def test_seed_demo_password_option() -> None:
    call_command("seed_demo", "--password", "other-pass-99", stdout=StringIO())
    assert User.objects.get(username="underwriter").check_password("other-pass-99")


@pytest.mark.django_db
def test_seed_demo_fills_the_platforms_day_between_midnight_utc_and_midnight_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 02:00 UTC it is still yesterday evening in New York, the demo platform's
    zone: the day the board opens on is that one, and it gets the whole day's plan
    (it got a past day's shorter mix, and the board's stories went missing)."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from coverage.demo import DAY_PLAN, DEMO_TIME_ZONE
    from coverage.models import Assignment

    real = timezone.now()
    early = datetime.combine(real.date(), datetime.min.time(), UTC) + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: early)
    call_command("seed_demo", stdout=StringIO())
    there = timezone.localtime(early, ZoneInfo(DEMO_TIME_ZONE)).date()
    assert there == early.date() - timedelta(days=1)
    on_that_day = [
        a
        for a in Assignment.objects.all()
        if timezone.localtime(a.effective_at, ZoneInfo(DEMO_TIME_ZONE)).date() == there
    ]
    assert len(on_that_day) == len(DAY_PLAN)

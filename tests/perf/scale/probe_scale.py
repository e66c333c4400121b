"""What the write path, the board, the API list and a month's premium report cost on
the database DATABASE_URL names (one made by `manage.py generate_scale_data`).

Not collected by `make bench` itself: tests/perf/test_bench_scale.py runs it once per
database, as its own pytest process, and compares the figures it writes as JSON to
SCALE_PROBE_OUT. Each figure is the median of RUNS calls through Django's test client
(one connection, DEBUG off), after a warm-up call.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, timedelta

import pytest
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.test import Client
from django.utils import timezone

from coverage.models import Assignment, ClosedPremiumDay, WorkJob
from coverage.selectors.premium import premium_report
from coverage.services import ledger
from coverage.services.premium_days import close_premium_day
from portal.api_keys import issue_api_key
from portal.models import ApiKey, Platform, Role, User
from tests.conftest import bearer, sign_in
from tests.perf.conftest import measure

pytestmark = pytest.mark.django_db
RUNS = int(os.environ.get("SCALE_PROBE_RUNS", "30"))
# Straight from the ledger a big month takes seconds: fewer runs.
REPORT_RUNS = int(os.environ.get("SCALE_PROBE_REPORT_RUNS", "3"))


def test_probe() -> None:
    # The set loaded last: the platform of the newest dispatch.
    newest = Assignment.objects.order_by("-pk").select_related("platform").first()
    assert newest is not None, "no dispatches: run manage.py generate_scale_data first"
    platform: Platform = newest.platform
    dispatches = Assignment.objects.filter(platform=platform)
    last = dispatches.aggregate(last=Max("effective_at"))["last"]
    # The busiest day of the set's last week, and the last month that has closed.
    day, on_day = (
        dispatches.filter(effective_at__gte=last - timedelta(days=7))
        .annotate(day=TruncDate("effective_at", tzinfo=UTC))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by("-n", "day")[0]
    )
    month_start = (last - timedelta(days=40)).date().replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    _, key = issue_api_key(kind=ApiKey.Kind.PLATFORM, name="probe", platform=platform)
    user = User.objects.create_user(
        username="scale-probe", password="x", role=Role.DISPATCHER, platform=platform
    )
    board = sign_in(Client(), user)
    api = Client(headers=bearer(key))

    # A new job (cloned from the newest dispatch's) and a new window each time, in
    # the newest dispatch's policy term: each POST is a covered new dispatch.
    template = WorkJob.objects.get(pk=newest.job_id)
    job = WorkJob.objects.create(
        platform=platform,
        entity_id=template.entity_id,
        name="Probe job",
        category_code_id=template.category_code_id,
        wage=template.wage,
        wage_type=template.wage_type,
        address_region=template.address_region,
    )
    tech = newest.contractor
    # Tomorrow: every generated policy term runs to a week ahead at least.
    start = (int(time.time()) // 3600 + 24) * 3600
    slots = itertools.count()

    def dispatch() -> None:
        n = next(slots)
        body = {
            "contractor": tech.public_id,
            "job": job.public_id,
            "effective_date": start + 900 * n,
            "end_date": start + 900 * (n + 1),
        }
        response = api.post(
            "/api/v1/assignments",
            json.dumps(body),
            content_type="application/json",
            headers={"Ten99Policy-Idempotent-Key": f"probe-{n}"},
        )
        assert response.status_code == 201, response.content

    def board_page() -> None:
        response = board.get("/board/", {"day": day.isoformat()})
        assert response.status_code == 200

    def api_list() -> None:
        response = api.get("/api/v1/assignments", {"limit": 100})
        assert response.status_code == 200
        assert len(response.json()) == 100

    totals: set[int] = set()

    def report() -> None:
        found = premium_report(platform=platform, start=month_start, end=month_end)
        assert found.reconciled, found.differences[:3]
        totals.add(found.total)

    def close_month() -> None:
        # What `manage.py close_premium_days` does each night, for the month's days.
        now, day = timezone.now(), month_start
        while day <= month_end:
            close_premium_day(platform=platform, day=day, now=now)
            day += timedelta(days=1)

    figures: dict[str, object] = {
        "dispatches": dispatches.count(),
        "dispatches_on_day": on_day,
        "day": day.isoformat(),
        "month": f"{month_start}..{month_end}",
        "load_average": list(os.getloadavg()),
    }

    def figure(fn: Callable[[], object], runs: int = RUNS) -> dict[str, float]:
        fn()  # warm-up
        return measure(fn, runs=runs)

    figures["post_assignment"] = figure(dispatch)
    figures["board_day_default_page"] = figure(board_page)
    figures["api_assignments_limit_100"] = figure(api_list)
    # The month straight from the ledger (no day closed: closes a nightly run made
    # are set aside in this rolled-back transaction), then once its days closed.
    ClosedPremiumDay.objects.filter(
        platform=platform, day__gte=month_start, day__lte=month_end
    ).delete()
    figures["premium_report_month_from_ledger"] = figure(report, runs=REPORT_RUNS)
    started = time.perf_counter()
    close_month()
    figures["close_month_s"] = round(time.perf_counter() - started, 1)
    figures["premium_report_month_closed"] = figure(report)
    # From the ledger or from closed days, the same total: the ledger's.
    assert totals == {ledger.total(platform=platform, start=month_start, end=month_end)}
    out = os.environ.get("SCALE_PROBE_OUT")
    if out:
        with open(out, "w") as file:
            json.dump(figures, file, indent=1)
    print(json.dumps(figures, indent=1))

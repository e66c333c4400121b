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
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coverage.models import Assignment, WorkJob
from coverage.selectors.premium import premium_report
from portal.api_keys import issue_api_key
from portal.models import ApiKey, Platform, Role, User
from tests.conftest import bearer, sign_in
from tests.perf.conftest import measure

pytestmark = pytest.mark.django_db
RUNS = int(os.environ.get("SCALE_PROBE_RUNS", "30"))


def test_probe() -> None:
    # The set loaded last: the platform of the newest dispatch.
    newest = Assignment.objects.order_by("-pk").select_related("platform").first()
    assert newest is not None, "no dispatches: run manage.py generate_scale_data first"
    platform: Platform = newest.platform
    dispatches = Assignment.objects.filter(platform=platform)
    last = dispatches.aggregate(last=Max("effective_at"))["last"]
    day = (last - timedelta(days=1)).date()  # a full day near the end of the set
    month_start = (last - timedelta(days=40)).date().replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    on_day = dispatches.filter(
        effective_at__date=day
    ).count()  # the set's density: dispatches per day
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

    def report() -> None:
        found = premium_report(platform=platform, start=month_start, end=month_end)
        assert found.reconciled, found.differences[:3]

    figures: dict[str, object] = {
        "dispatches": dispatches.count(),
        "dispatches_on_day": on_day,
        "day": day.isoformat(),
        "month": f"{month_start}..{month_end}",
        "load_average": list(os.getloadavg()),
    }
    for name, fn in (
        ("post_assignment", dispatch),
        ("board_day_default_page", board_page),
        ("api_assignments_limit_100", api_list),
        ("premium_report_month", report),
    ):
        fn()  # warm-up
        with CaptureQueriesContext(connection) as queries:
            fn()
        figures[name] = {
            **measure(fn, runs=RUNS),
            "queries": len(queries.captured_queries),
        }
    out = os.environ.get("SCALE_PROBE_OUT")
    if out:
        with open(out, "w") as file:
            json.dump(figures, file, indent=1)
    print(json.dumps(figures, indent=1))

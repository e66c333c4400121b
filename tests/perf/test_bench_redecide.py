"""What re-deciding costs: 1,000 dispatches of one contractor, re-routed by one change of
residence (each re-rated, its ledger adjusted, both certificates re-issued, an event)."""

from __future__ import annotations

import cProfile
import os
import pstats
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from coverage.models import Assignment, Certificate
from coverage.services import create_assignment, ledger
from coverage.services.dates import next_day
from portal.models import Platform
from tests.coverage.helpers import (
    ApiClient,
    approved_janitorial,
    bound_policy,
    make_job,
)
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db

DISPATCHES = int(os.environ.get("REDECIDE_DISPATCHES", "1000"))


def test_bench_redecide_1000_dispatches_of_one_contractor(
    platform: Platform, platform_key: str
) -> None:
    category = approved_janitorial(platform)
    contractor_product()
    tech = make_contractor(platform)
    bound_policy(tech, category=category, days=90)
    moved = bound_policy(tech, category=category, gl_state="PA", days=90)
    job = make_job(platform, category=category)
    now = timezone.now()
    start = next_day(now)
    for n in range(DISPATCHES):
        create_assignment(
            contractor=tech,
            job=job,
            lines=None,
            # An hour each: one live dispatch per contractor, job and window.
            effective_at=start + timedelta(hours=n),
            end_at=start + timedelta(hours=n + 1),
            now=now,
        )
    api = ApiClient(platform_key)
    profile = cProfile.Profile() if os.environ.get("REDECIDE_PROFILE") else None
    # Counted by a wrapper: Django's own query log keeps only the last 9,000.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        began = time.perf_counter()
        if profile:
            profile.enable()
        response = api.put(
            f"/contractors/{tech.public_id}",
            {"address": {"line1": "5 Market St", "region": "PA"}},
        )
        seconds = time.perf_counter() - began
        if profile:
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    assert response.status_code == 200, response.content
    assert set(Assignment.objects.values_list("policy", flat=True)) == {moved.pk}
    # NJ GL 95 → PA GL 88 on $200: 190¢ → 176¢ each.
    assert ledger.total(platform=platform) == DISPATCHES * (826 + 176)
    assert Certificate.objects.filter(status="issued").count() == 2 * DISPATCHES
    print(
        f"\nRe-deciding {DISPATCHES} dispatches of one contractor ({connection.vendor}):"
        f" {seconds:.2f} s, {len(queries)} queries"
        f" ({len(queries) / DISPATCHES:.1f} per dispatch)"
    )

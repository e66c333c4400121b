"""seed_demo's contractor-side data: an opted-in tech with covered and uncovered dispatches."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from coverage.demo import OPTED_IN_EMAIL
from coverage.eligibility import CATEGORY_MISMATCH, ELIGIBLE, WORK_STATE_MISMATCH
from coverage.models import Assignment, Contractor, LedgerEntry, WorkJob
from policies.models import Policy

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Contractor, WorkJob, Policy, Assignment, LedgerEntry)
    )


def test_seed_demo_opts_one_tech_in_and_dispatches_them() -> None:
    call_command("seed_demo", stdout=StringIO())
    tech = Contractor.objects.get(email=OPTED_IN_EMAIL)
    assert tech.policies.get().status == "active"
    messages = list(
        tech.assignments.order_by("pk").values_list("eligibility_message", flat=True)
    )
    assert messages == [ELIGIBLE, WORK_STATE_MISMATCH, CATEGORY_MISMATCH]
    assert LedgerEntry.objects.filter(kind="charge").count() == 2
    # Three techs plus the two commercial accounts policies' demo gives the
    # underwriter (one with a bound property policy).
    assert counts() == (5, 3, 2, 3, 2)


def test_seed_demo_twice_adds_nothing() -> None:
    call_command("seed_demo", stdout=StringIO())
    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before

"""seed_demo's contractor-side data: an opted-in tech with covered and uncovered dispatches."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from coverage.demo import OPTED_IN_EMAIL
from coverage.eligibility import CATEGORY_MISMATCH, ELIGIBLE, WORK_STATE_MISMATCH
from coverage.models import Assignment, Certificate, Contractor, LedgerEntry, WorkJob
from policies.models import Policy

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Contractor, WorkJob, Policy, Assignment, LedgerEntry, Certificate)
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
    # underwriter (one with a bound property policy); certificates for the covered
    # dispatch's two lines.
    assert counts() == (5, 3, 2, 3, 2, 2)


def test_seed_demo_renders_the_covered_dispatchs_certificates() -> None:
    call_command("seed_demo", stdout=StringIO())
    covered = Assignment.objects.get(eligible=True)
    issued = list(covered.certificates.all())
    assert sorted(c.line for c in issued) == ["general", "workers-comp"]
    assert all(c.is_rendered and not c.render_pending for c in issued)
    assert all(default_storage.exists(c.pdf.name) for c in issued)


def test_seed_demo_adds_certificates_to_a_database_seeded_without_them() -> None:
    call_command("seed_demo", stdout=StringIO())
    Certificate.objects.all().delete()
    call_command("seed_demo", stdout=StringIO())
    assert Certificate.objects.filter(status="issued").count() == 2


def test_seed_demo_twice_adds_nothing() -> None:
    call_command("seed_demo", stdout=StringIO())
    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before

"""FastLoad.from_db makes the instance Model.__init__ would have made (portal.fast_load)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models import signals
from django.utils import timezone

from coverage.models import Assignment, Certificate
from coverage.services import create_assignment
from coverage.services.dates import next_day
from policies.lines import CoverageType
from portal.fast_load import FastLoad
from portal.models import Platform
from tests.coverage.helpers import approved_janitorial, bound_policy, make_job
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db

FAST = [m for m in apps.get_models() if issubclass(m, FastLoad)]


def _slow(model: type[models.Model], db: str, names: list[str], row: Any) -> Any:
    """Django's own from_db (through __init__), for comparison."""
    return models.Model.from_db.__func__(model, db, names, row)  # type: ignore[attr-defined]


def test_the_hot_models_load_fast() -> None:
    names = {m.__name__ for m in FAST}
    assert {"Assignment", "Contractor", "WorkJob", "Certificate", "Policy"} <= names
    assert {"Platform", "LedgerEntry", "ApplicationSession", "Quote"} <= names


@pytest.mark.parametrize("model", FAST, ids=lambda m: m._meta.label)
def test_nothing_listens_to_init_signals(model: type[models.Model]) -> None:
    # FastLoad does not send them: a receiver connected for one of these models
    # (an ImageField's dimensions, a field tracker) would silently stop running.
    assert not signals.pre_init.has_listeners(model)
    assert not signals.post_init.has_listeners(model)
    assert not any(isinstance(f, models.ImageField) for f in model._meta.fields)


@pytest.fixture
def assignment(platform: Platform) -> Assignment:
    contractor_product()
    category = approved_janitorial(platform)
    contractor = make_contractor(platform, email="fast@example.com", state="NJ")
    bound_policy(contractor, category=category)
    start = next_day(timezone.now())
    return create_assignment(
        contractor=contractor,
        job=make_job(platform, category=category),
        lines=[CoverageType.WORKERS_COMP, CoverageType.GENERAL],
        effective_at=start,
        end_at=start + timedelta(hours=2),
        now=timezone.now(),
    )


def test_a_loaded_row_is_the_instance_init_would_make(assignment: Assignment) -> None:
    fields = Assignment._meta.concrete_fields
    names = [f.attname for f in fields]
    row = Assignment.objects.values_list(*names).get(pk=assignment.pk)
    fast = Assignment.objects.get(pk=assignment.pk)
    slow = _slow(Assignment, "default", names, row)
    assert type(fast) is Assignment
    for name in names:
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast._state.adding is False and fast._state.db == "default"
    assert fast.get_deferred_fields() == set()
    # What the API and the board read of it: related rows, properties, certificates.
    assert fast.contractor == assignment.contractor
    assert fast.is_covered and fast.premium == assignment.premium > 0
    assert {c.line for c in fast.certificates.all()} == set(assignment.lines)


def test_deferred_fields_stay_deferred_and_load_on_access(
    assignment: Assignment, django_assert_num_queries
) -> None:
    fast = Assignment.objects.only("public_id", "premium").get(pk=assignment.pk)
    expected = {f.attname for f in Assignment._meta.concrete_fields} - {
        "id",
        "public_id",
        "premium",
    }
    assert fast.get_deferred_fields() == expected
    with django_assert_num_queries(1):
        assert fast.eligibility_message == assignment.eligibility_message
    assert "eligibility_message" not in fast.get_deferred_fields()


def test_a_loaded_instance_saves_as_an_update(platform: Platform) -> None:
    loaded = Platform.objects.get(pk=platform.pk)
    loaded.name = "Renamed Field Services"
    loaded.save()
    assert Platform.objects.count() == 1
    assert Platform.objects.get(pk=platform.pk).name == "Renamed Field Services"


def test_related_caches_start_empty(assignment: Assignment) -> None:
    fast = Certificate.objects.select_related("assignment").filter(
        assignment=assignment
    )[0]
    # The joined row is cached on the certificate; the certificate's own state has
    # no stale entries from another instance.
    assert fast._state.fields_cache.keys() == {"assignment"}
    assert fast.assignment.pk == assignment.pk
    assert Assignment.objects.get(pk=assignment.pk)._state.fields_cache == {}

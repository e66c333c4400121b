"""Eligibility step 7: the customer-of-record's required coverage and limits, met by the policy."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coverage.certificates.document import (
    GL_EACH_OCCURRENCE_CENTS,
    GL_GENERAL_AGGREGATE_CENTS,
)
from coverage.models import CategoryCode, Certificate, Contractor, Entity, WorkJob
from coverage.services import create_assignment, eligibility
from coverage.services.eligibility import (
    ENTITY_REQUIREMENT_UNMET,
    REQUIRES_AGGREGATE_LIMIT,
    REQUIRES_LINE,
    REQUIRES_OCCURRENCE_LIMIT,
    check,
)
from policies.models import (
    GL_AGGREGATE_LIMIT_DEFAULT,
    GL_OCCURRENCE_LIMIT_DEFAULT,
    Policy,
)
from portal.models import Platform
from tests.coverage.helpers import GL, WC, ApiClient, bound_policy

pytestmark = pytest.mark.django_db

TWO_MILLION, FIVE_MILLION = 2_000_000_00, 5_000_000_00


def require(entity: Entity, **fields: object) -> None:
    Entity.objects.filter(pk=entity.pk).update(**fields)
    entity.refresh_from_db()


def verdict(contractor: Contractor, job: WorkJob) -> eligibility.Eligibility:
    job = WorkJob.objects.select_related("category_code", "entity").get(pk=job.pk)
    return check(
        contractor=contractor, job=job, lines=None, effective_at=timezone.now()
    )


def unmet(requirement: str) -> str:
    return ENTITY_REQUIREMENT_UNMET.format(requirement=requirement)


def test_the_policy_limits_match_the_certificate_defaults() -> None:
    assert GL_OCCURRENCE_LIMIT_DEFAULT == GL_EACH_OCCURRENCE_CENTS
    assert GL_AGGREGATE_LIMIT_DEFAULT == GL_GENERAL_AGGREGATE_CENTS


def test_requirements_within_the_policy_are_met(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> None:
    policy = bound_policy(contractor, category=category)
    require(
        entity,
        required_coverage=[GL, WC],
        occurrence_limit=GL_OCCURRENCE_LIMIT_DEFAULT,
        aggregate_limit=GL_AGGREGATE_LIMIT_DEFAULT,
    )
    assert verdict(contractor, job) == eligibility.Eligibility(
        True, eligibility.ELIGIBLE, policy
    )


def test_a_required_line_missing_from_the_policy(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> None:
    bound_policy(contractor, category=category, lines=[GL])
    require(entity, required_coverage=[GL, WC])
    result = verdict(contractor, job)
    assert result.result is False and result.policy is None
    assert result.message == unmet(REQUIRES_LINE.format(line="workers' compensation"))
    assert result.message == (
        "The customer-of-record's insurance requirements are not met: it requires "
        "workers' compensation, which the contractor's policy does not carry."
    )


def test_an_occurrence_limit_above_the_policys(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> None:
    bound_policy(contractor, category=category)
    require(entity, occurrence_limit=TWO_MILLION, aggregate_limit=FIVE_MILLION)
    assert verdict(contractor, job).message == (
        "The customer-of-record's insurance requirements are not met: it requires a "
        "general liability limit of $2,000,000 each occurrence; the contractor's "
        "policy has $1,000,000."
    )


def test_an_aggregate_limit_above_the_policys(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> None:
    bound_policy(contractor, category=category)
    require(entity, aggregate_limit=FIVE_MILLION)
    assert verdict(contractor, job).message == unmet(
        REQUIRES_AGGREGATE_LIMIT.format(required="$5,000,000", actual="$2,000,000")
    )


def test_a_policy_written_with_higher_limits_meets_them(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> None:
    policy = bound_policy(contractor, category=category)
    Policy.objects.filter(pk=policy.pk).update(
        gl_occurrence_limit=TWO_MILLION, gl_aggregate_limit=FIVE_MILLION
    )
    require(entity, occurrence_limit=TWO_MILLION, aggregate_limit=FIVE_MILLION)
    assert verdict(contractor, job).result is True


def test_limits_do_not_bind_a_wc_only_policy_when_gl_is_not_required(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> None:
    bound_policy(contractor, category=category, lines=[WC])
    require(entity, required_coverage=[WC], occurrence_limit=FIVE_MILLION)
    assert verdict(contractor, job).result is True


def test_an_older_policy_that_meets_them_covers_the_dispatch(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> None:
    richer = bound_policy(contractor, category=category)
    Policy.objects.filter(pk=richer.pk).update(gl_occurrence_limit=TWO_MILLION)
    bound_policy(contractor, category=category, starts=timezone.now())
    require(entity, occurrence_limit=TWO_MILLION)
    result = verdict(contractor, job)
    assert (result.result, result.policy) == (True, richer)


def test_the_earlier_steps_still_come_first(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> None:
    require(entity, required_coverage=[GL, WC], occurrence_limit=FIVE_MILLION)
    assert verdict(contractor, job).message == eligibility.NO_ACTIVE_POLICY


def test_an_unmet_requirement_blocks_the_certificate_through_the_api(
    api: ApiClient,
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    product,
) -> None:
    bound_policy(contractor, category=category)
    require(entity, occurrence_limit=TWO_MILLION)
    response = api.post(
        "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["eligible"] == {
        "result": False,
        "message": unmet(
            REQUIRES_OCCURRENCE_LIMIT.format(required="$2,000,000", actual="$1,000,000")
        ),
    }
    assert (body["policy"], body["premium"], body["certificates"]) == (None, 0, {})
    assert not Certificate.objects.exists()


def test_every_message_fits_the_column(
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category: CategoryCode,
    platform: Platform,
    product,
) -> None:
    bound_policy(contractor, category=category, lines=[GL])
    require(entity, required_coverage=["professional"])
    assignment = create_assignment(
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=None,
        end_at=None,
        now=timezone.now(),
    )
    assert assignment.eligibility_message == unmet(
        REQUIRES_LINE.format(line="professional liability")
    )
    longest = unmet(
        REQUIRES_AGGREGATE_LIMIT.format(
            required=f"${2**63 // 100:,}", actual=f"${2**63 // 100:,}"
        )
    )
    assert len(longest) <= 200


@pytest.mark.parametrize(
    ("occurrence", "aggregate"),
    [
        (GL_OCCURRENCE_LIMIT_DEFAULT - 1, GL_AGGREGATE_LIMIT_DEFAULT),
        (GL_OCCURRENCE_LIMIT_DEFAULT, GL_AGGREGATE_LIMIT_DEFAULT - 1),
        (FIVE_MILLION, TWO_MILLION + TWO_MILLION),
    ],
)
def test_a_policy_never_carries_less_than_the_limits_certificates_print(
    contractor: Contractor,
    category: CategoryCode,
    product,
    occurrence: int,
    aggregate: int,
) -> None:
    policy = bound_policy(contractor, category=category)
    with pytest.raises(IntegrityError), transaction.atomic():
        Policy.objects.filter(pk=policy.pk).update(
            gl_occurrence_limit=occurrence, gl_aggregate_limit=aggregate
        )

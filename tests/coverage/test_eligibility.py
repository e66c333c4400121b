"""coverage.services.eligibility.check: every message of seed 000's table, and the order of checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage.models import CategoryCode, Contractor, WorkJob
from coverage.services import eligibility
from coverage.services.eligibility import (
    CATEGORY_MISMATCH,
    ELIGIBLE,
    INVALID_JOB_CATEGORY,
    MESSAGES,
    NO_ACTIVE_POLICY,
    NO_ACTIVE_POLICY_STATES,
    NO_ADDRESS,
    NO_COVERAGE,
    NO_JOB_CATEGORY,
    POLICY_AFTER_ASSIGNMENT,
    RESIDENCE_STATE_MISMATCH,
    WORK_STATE_MISMATCH,
    Eligibility,
)
from policies.services import cancel_policy
from tests.coverage.helpers import GL, WC, bound_policy, make_job
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

TOMORROW = timezone.now() + timedelta(days=1)


def check(
    contractor: Contractor, job: WorkJob, lines: list[str] | None = None, **kw
) -> Eligibility:
    return eligibility.check(
        contractor=contractor,
        job=job,
        lines=lines,
        effective_at=kw.pop("effective_at", TOMORROW),
        **kw,
    )


def test_seed_000s_table_is_verbatim() -> None:
    assert MESSAGES == (
        "Contractor is pre-approved for insurance coverage.",
        "No valid job category code associated with job.",
        "No valid job category code. Check that the job is assigned a valid job category code.",
        "No valid work or residence address associated with contractor.",
        "Contractor residence state does not match the residence state associated with the active policy.",
        "Job work state does not match the work state associated with the active policy.",
        "No active policy associated with contractor. Check that the contractor has a valid quote and policy.",
        "No active policy associated with contractor. Check that work state and residence state match the active policy.",
        "No active policy found with the required assignment coverage.",
        "Matching policy was created after the assignment. No matching policy at time of assignment.",
        "Job category mismatch. Check that the job category code matches the category code associated with the active policy.",
    )


class TestEachMessage:
    def test_eligible_names_the_covering_policy(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        policy = bound_policy(contractor, category=category)
        assert check(contractor, job) == Eligibility(True, ELIGIBLE, policy)

    def test_no_job_category(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        job.category_code = None
        assert check(contractor, job) == Eligibility(False, NO_JOB_CATEGORY)

    def test_category_no_longer_approved(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        category.approved_platforms.clear()
        assert check(contractor, job) == Eligibility(False, INVALID_JOB_CATEGORY)

    def test_remote_job_has_no_work_state_for_workers_comp(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        job.address_region = ""
        assert check(contractor, job, [WC]).message == NO_ADDRESS

    def test_contractor_without_residence_for_general_liability(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        contractor.address_region = ""
        assert check(contractor, job, [GL]).message == NO_ADDRESS

    def test_residence_state_changed(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        contractor.address_region = "PA"
        assert check(contractor, job).message == RESIDENCE_STATE_MISMATCH

    def test_work_state_changed(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        job.address_region = "PA"
        assert check(contractor, job).message == WORK_STATE_MISMATCH

    def test_both_states_changed(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        contractor.address_region = job.address_region = "PA"
        assert check(contractor, job).message == NO_ACTIVE_POLICY_STATES

    def test_no_policy_at_all(self, contractor: Contractor, job: WorkJob) -> None:
        assert check(contractor, job, [WC, GL]) == Eligibility(False, NO_ACTIVE_POLICY)

    def test_cancelled_policy_is_no_policy(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        cancel_policy(policy=bound_policy(contractor, category=category))
        assert check(contractor, job).message == NO_ACTIVE_POLICY

    def test_policy_ending_before_the_assignment_is_no_policy(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category, days=2)
        later = timezone.now() + timedelta(days=5)
        assert check(contractor, job, effective_at=later).message == NO_ACTIVE_POLICY

    def test_another_contractors_policy_named_explicitly(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        colleague = make_contractor(contractor.platform, email="pat@example.com")
        theirs = bound_policy(colleague, category=category)
        assert check(contractor, job, policy=theirs).message == NO_ACTIVE_POLICY

    def test_line_not_on_the_policy(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category, lines=[GL])
        assert check(contractor, job, [WC]).message == NO_COVERAGE

    def test_policy_starts_after_the_assignment(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(
            contractor, category=category, starts=timezone.now() + timedelta(days=10)
        )
        assert check(contractor, job).message == POLICY_AFTER_ASSIGNMENT

    def test_job_category_changed(
        self, contractor: Contractor, platform, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        window_cleaning = CategoryCode.objects.create(name="Window cleaning")
        window_cleaning.approved_platforms.add(platform)
        job = make_job(platform, category=window_cleaning)
        assert check(contractor, job).message == CATEGORY_MISMATCH


class TestOrder:
    def test_a_missing_category_comes_before_everything(
        self, contractor: Contractor, job: WorkJob
    ) -> None:
        job.category_code = None
        contractor.address_region = ""
        assert check(contractor, job, [GL]).message == NO_JOB_CATEGORY

    def test_a_missing_address_comes_before_a_missing_policy(
        self, contractor: Contractor, job: WorkJob
    ) -> None:
        job.address_region = ""
        assert check(contractor, job, [WC]).message == NO_ADDRESS

    def test_without_lines_or_policy_the_answer_is_no_policy(
        self, contractor: Contractor, job: WorkJob
    ) -> None:
        contractor.address_region = job.address_region = ""
        assert check(contractor, job, None).message == NO_ACTIVE_POLICY

    def test_missing_coverage_is_named_before_states(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category, lines=[GL])
        contractor.address_region = "PA"
        assert check(contractor, job, [WC, GL]).message == NO_COVERAGE

    def test_states_are_named_before_the_category(
        self, contractor: Contractor, platform, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        other = CategoryCode.objects.create(name="Window cleaning")
        other.approved_platforms.add(platform)
        job = make_job(platform, category=other, state="PA")
        assert check(contractor, job).message == WORK_STATE_MISMATCH

    def test_the_closest_policy_names_the_mismatch(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode, platform
    ) -> None:
        # A newer policy off on both states, an older one off only on its category:
        # the older one is closer, so the answer is the category.
        other = CategoryCode.objects.create(name="Window cleaning")
        bound_policy(
            contractor, category=other, starts=timezone.now() - timedelta(days=3)
        )
        bound_policy(contractor, category=category, wc_state="PA", gl_state="PA")
        assert check(contractor, job).message == CATEGORY_MISMATCH

    def test_a_covering_policy_wins_over_a_later_matching_one(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        covering = bound_policy(contractor, category=category)
        bound_policy(
            contractor, category=category, starts=timezone.now() + timedelta(days=10)
        )
        assert check(contractor, job) == Eligibility(True, ELIGIBLE, covering)

    def test_a_subset_of_the_policy_lines_is_covered(
        self, contractor: Contractor, job: WorkJob, category: CategoryCode
    ) -> None:
        bound_policy(contractor, category=category)
        job.address_region = "PA"  # WC would not match; GL alone does
        assert check(contractor, job, [GL]).result is True


def test_check_reads_in_two_queries(
    contractor: Contractor,
    job: WorkJob,
    category: CategoryCode,
    django_assert_num_queries,
) -> None:
    bound_policy(contractor, category=category)
    contractor = Contractor.objects.select_related("platform").get(pk=contractor.pk)
    # The entity's requirements (step 7) are read from job.entity: select it too.
    job = WorkJob.objects.select_related("category_code", "entity").get(pk=job.pk)
    # category approval, the contractor's live policies — whatever their number
    for _ in range(5):
        bound_policy(contractor, category=category, starts=timezone.now())
    with django_assert_num_queries(2):
        assert check(contractor, job).result is True

"""Certificates follow their dispatch and policy: revoked on cancellation, re-issued on change."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from coverage import certificates
from coverage.models import Assignment, CategoryCode, Certificate, Contractor, WorkJob
from coverage.services import (
    AssignmentChanges,
    cancel_job_assignment,
    create_assignment,
    delete_assignment,
    delete_policy,
    extend_job_assignment,
    update_assignment,
    update_policy,
)
from policies.models import Policy
from policies.services import cancel_policy
from portal.models import Platform
from tests.coverage.certificate_helpers import (
    addressed_contractor,
    addressed_entity,
    addressed_job,
    stored_text,
    window_text,
)
from tests.coverage.helpers import GL, WC, ApiClient, approved_janitorial, bound_policy
from tests.policies.helpers import contractor_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def contractor(platform: Platform) -> Contractor:
    return addressed_contractor(platform)


@pytest.fixture
def job(platform: Platform, category: CategoryCode) -> WorkJob:
    return addressed_job(platform, category=category, entity=addressed_entity(platform))


@pytest.fixture
def policy(contractor: Contractor, category: CategoryCode, product) -> Policy:
    return bound_policy(contractor, category=category)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed: the render tasks run too."""

    def run(write, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(**kwargs)

    return run


@pytest.fixture
def assignment(
    contractor: Contractor, job: WorkJob, policy: Policy, committed
) -> Assignment:
    return committed(
        create_assignment,
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=None,
        end_at=None,
        now=timezone.now(),
    )


def by_status(assignment: Assignment) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for c in Certificate.objects.filter(assignment=assignment):
        found.setdefault(c.status, set()).add(c.line)
    return found


def in_force(assignment: Assignment, line: str) -> Certificate:
    return Certificate.objects.get(
        assignment=assignment, line=line, status=Certificate.Status.ISSUED
    )


class TestRevocation:
    def test_cancelling_the_dispatch_revokes_its_certificates(
        self, assignment: Assignment, job: WorkJob, committed
    ) -> None:
        now = timezone.now()
        committed(cancel_job_assignment, job=job, reason="client_request", now=now)
        revoked = list(Certificate.objects.filter(assignment=assignment))
        assert {c.status for c in revoked} == {Certificate.Status.REVOKED}
        for certificate in revoked:
            assert certificate.revoked_at == now
            assert certificate.revocation_reason == certificates.ASSIGNMENT_CANCELLED
            assert certificates.standing(certificate, at=now) == certificates.REVOKED
            # The stored PDF is rendered again, once, with the VOID banner.
            assert not certificate.render_pending
            text = stored_text(certificate.pdf.name)
            assert certificates.status_note(certificate) in text
            assert "VOID: revoked on" in text

    def test_the_assignment_keeps_pointing_at_its_revoked_certificates(
        self, assignment: Assignment, job: WorkJob, api: ApiClient
    ) -> None:
        before = api.get(f"/assignments/{assignment.public_id}").json()
        cancel_job_assignment(job=job, now=timezone.now())
        after = api.get(f"/assignments/{assignment.public_id}").json()
        assert after["certificates"] == before["certificates"]
        assert len(after["certificates"]) == 2

    def test_deleting_the_dispatch_revokes_them(self, assignment: Assignment) -> None:
        delete_assignment(assignment=assignment, now=timezone.now())
        reasons = set(
            Certificate.objects.filter(assignment=assignment).values_list(
                "status", "revocation_reason"
            )
        )
        assert reasons == {
            (Certificate.Status.REVOKED, certificates.ASSIGNMENT_DELETED)
        }

    @pytest.mark.parametrize("how", ["delete", "switch off", "underwriter"])
    def test_cancelling_the_policy_revokes_every_certificate_it_backs(
        self,
        assignment: Assignment,
        policy: Policy,
        contractor: Contractor,
        job: WorkJob,
        how: str,
    ) -> None:
        # One dispatch already under way: it is not cancelled, but its certificates
        # are void once the policy is. On another job: one live dispatch per
        # contractor, job and window.
        running = create_assignment(
            contractor=contractor,
            job=addressed_job(
                job.platform, category=job.category_code, entity=job.entity
            ),
            lines=None,
            effective_at=None,
            end_at=None,
            now=timezone.now(),
        )
        Assignment.objects.filter(pk=running.pk).update(
            effective_at=timezone.now() - timedelta(hours=1)
        )
        now = timezone.now()
        if how == "delete":
            delete_policy(policy=policy, now=now)
        elif how == "switch off":
            update_policy(policy=policy, is_active=False, now=now)
        else:
            cancel_policy(policy=policy, at=now)
        statuses = set(
            Certificate.objects.filter(policy=policy).values_list(
                "status", "revocation_reason"
            )
        )
        assert statuses == {(Certificate.Status.REVOKED, certificates.POLICY_CANCELLED)}
        assert Certificate.objects.filter(assignment=running).count() == 2

    def test_reinstating_the_policy_issues_new_certificates_for_running_dispatches(
        self, policy: Policy, contractor: Contractor, job: WorkJob, committed
    ) -> None:
        running = create_assignment(
            contractor=contractor,
            job=job,
            lines=None,
            effective_at=None,
            end_at=None,
            now=timezone.now(),
        )
        Assignment.objects.filter(pk=running.pk).update(
            effective_at=timezone.now() - timedelta(hours=1)
        )
        update_policy(policy=policy, is_active=False, now=timezone.now())
        committed(update_policy, policy=policy, is_active=True, now=timezone.now())
        assert by_status(running) == {
            Certificate.Status.REVOKED: {WC, GL},
            Certificate.Status.ISSUED: {WC, GL},
        }
        assert in_force(running, GL).is_rendered


class TestReissue:
    def test_extending_the_window_supersedes_and_reissues(
        self, assignment: Assignment, job: WorkJob, committed, api: ApiClient
    ) -> None:
        old_gl = in_force(assignment, GL)
        new_end = assignment.end_at + timedelta(days=3)
        committed(extend_job_assignment, job=job, end_at=new_end, now=timezone.now())
        old_gl.refresh_from_db()
        new_gl = in_force(assignment, GL)
        assert old_gl.status == Certificate.Status.SUPERSEDED
        assert old_gl.superseded_by == new_gl
        assert old_gl.revocation_reason == certificates.DISPATCH_CHANGED
        assert new_gl.number != old_gl.number
        assert new_gl.end_at == new_end
        text = stored_text(new_gl.pdf.name)
        window = window_text(assignment.effective_at, new_end, assignment.job.zone)
        assert f"for the dispatch window only: {window}" in text
        assert "VOID: superseded" in stored_text(old_gl.pdf.name)
        body = api.get(f"/assignments/{assignment.public_id}").json()
        assert body["certificates"]["gl_coi_pdf_url"] == certificates.api_pdf_url(
            new_gl.number
        )

    def test_moving_the_start_reissues(self, assignment: Assignment, committed) -> None:
        old = {c.line: c.number for c in assignment.certificates.all()}
        later = assignment.effective_at + timedelta(days=2)
        committed(
            update_assignment,
            assignment=assignment,
            changes=AssignmentChanges(effective_at=later),
            now=timezone.now(),
        )
        for line in (WC, GL):
            current = in_force(assignment, line)
            assert current.number != old[line]
            assert current.effective_at == later
            assert current.is_rendered

    def test_an_update_that_changes_nothing_on_the_certificate_keeps_it(
        self, assignment: Assignment
    ) -> None:
        before = set(assignment.certificates.values_list("number", "status"))
        update_assignment(
            assignment=assignment,
            changes=AssignmentChanges(bind=True),
            now=timezone.now(),
        )
        assert set(assignment.certificates.values_list("number", "status")) == before

    def test_dropping_a_line_revokes_its_certificate_only(
        self, assignment: Assignment
    ) -> None:
        wc_number = in_force(assignment, WC).number
        update_assignment(
            assignment=assignment,
            changes=AssignmentChanges(lines=[GL]),
            now=timezone.now(),
        )
        wc = Certificate.objects.get(number=wc_number)
        assert wc.status == Certificate.Status.REVOKED
        assert in_force(assignment, GL)
        assert not assignment.certificates.filter(
            line=WC, status=Certificate.Status.ISSUED
        ).exists()

    def test_unbinding_revokes(self, assignment: Assignment) -> None:
        update_assignment(
            assignment=assignment,
            changes=AssignmentChanges(bind=False),
            now=timezone.now(),
        )
        assert by_status(assignment) == {Certificate.Status.REVOKED: {WC, GL}}

    def test_a_policy_change_of_term_reissues_running_dispatches(
        self, assignment: Assignment, policy: Policy
    ) -> None:
        old = in_force(assignment, GL).number
        update_policy(
            policy=policy,
            expires_at=policy.expires_at + timedelta(days=30),
            now=timezone.now(),
        )
        current = in_force(assignment, GL)
        assert current.number != old
        replaced = Certificate.objects.get(number=old)
        assert replaced.status == Certificate.Status.SUPERSEDED
        assert certificates.revocation_text(replaced) == (
            "The policy changed. A new certificate replaces this one."
        )
        policy.refresh_from_db()
        assert current.policy_expires_at == policy.expires_at


def test_the_render_sweep_renders_what_a_lost_task_left(
    contractor: Contractor, job: WorkJob, policy: Policy
) -> None:
    # No commit in a test transaction: the tasks never ran, as if the worker died.
    created = create_assignment(
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=None,
        end_at=None,
        now=timezone.now(),
    )
    assert created.certificates.filter(render_pending=True).count() == 2
    assert certificates.render_pending_certificates() == 2
    assert certificates.render_pending_certificates() == 0
    assert all(c.is_rendered for c in created.certificates.all())


def test_a_forced_rerender_replaces_the_file_and_drops_the_old_one(
    assignment: Assignment, committed
) -> None:
    gl = in_force(assignment, GL)
    old_name = gl.pdf.name
    assert committed(certificates.render_now, certificate_id=gl.pk) == "up to date"
    assert committed(certificates.render_now, certificate_id=gl.pk, force=True) == (
        "rendered"
    )
    gl.refresh_from_db()
    assert gl.pdf.name != old_name
    assert default_storage.exists(gl.pdf.name)
    assert not default_storage.exists(old_name)


def test_a_finished_dispatch_keeps_its_certificates_when_the_policy_is_cancelled(
    assignment: Assignment, policy: Policy
) -> None:
    # Time travel: the dispatch ran last month, under the policy then in force.
    Certificate.objects.filter(assignment=assignment).update(
        effective_at=timezone.now() - timedelta(days=30),
        end_at=timezone.now() - timedelta(days=29),
    )
    Assignment.objects.filter(pk=assignment.pk).update(
        effective_at=timezone.now() - timedelta(days=30),
        end_at=timezone.now() - timedelta(days=29),
    )
    cancel_policy(policy=policy)
    for certificate in Certificate.objects.filter(assignment=assignment):
        assert certificate.status == Certificate.Status.ISSUED
        assert (
            certificates.standing(certificate, at=timezone.now())
            == certificates.EXPIRED
        )


@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_a_certificate_another_worker_is_rendering(
    requires_postgres: None, platform: Platform
) -> None:
    contractor_product()
    category = approved_janitorial(platform)
    contractor = addressed_contractor(platform)
    bound_policy(contractor, category=category)
    # Committed for real: the ImmediateBackend rendered both at once.
    created = create_assignment(
        contractor=contractor,
        job=addressed_job(
            platform, category=category, entity=addressed_entity(platform)
        ),
        lines=None,
        effective_at=None,
        end_at=None,
        now=timezone.now(),
    )
    gl = created.certificates.get(line=GL)
    assert gl.is_rendered
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                Certificate.objects.select_for_update().get(pk=gl.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        assert certificates.render_now(certificate_id=gl.pk, force=True) == (
            "busy or gone"
        )
    finally:
        release.set()
        thread.join(timeout=10)
    assert certificates.render_now(certificate_id=gl.pk, force=True) == "rendered"

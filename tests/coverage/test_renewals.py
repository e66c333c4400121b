"""Auto-renew: due policies renewed once per term, by the task or the command, and the
certificates and dispatches that follow."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus

from coverage.api.serializers import policy_json
from coverage.certificates.document import format_date
from coverage.models import (
    Assignment,
    CategoryCode,
    Certificate,
    Contractor,
    Event,
    WorkJob,
)
from coverage.services import create_assignment, eligibility
from coverage.services.renewals import due_policies, renew_due, renew_due_policies
from policies.models import Policy, PolicyStatus, PolicyTransaction
from policies.services import cancel_policy, start_renewal
from portal.models import Platform
from tests.coverage.certificate_helpers import (
    addressed_contractor,
    addressed_entity,
    addressed_job,
    stored_text,
)
from tests.coverage.helpers import GL, approved_janitorial, bound_policy
from tests.policies.helpers import contractor_product

pytestmark = pytest.mark.django_db

TERM = timedelta(days=30)


@pytest.fixture
def contractor(platform: Platform) -> Contractor:
    return addressed_contractor(platform)


@pytest.fixture
def job(platform: Platform, category: CategoryCode) -> WorkJob:
    return addressed_job(platform, category=category, entity=addressed_entity(platform))


def expiring_in(contractor: Contractor, category: CategoryCode, days: float) -> Policy:
    """A 30-day policy that expires ``days`` from now."""
    start = timezone.now().replace(microsecond=0) - TERM + timedelta(days=days)
    return bound_policy(contractor, category=category, starts=start, days=30)


def dispatch(contractor: Contractor, job: WorkJob, **window) -> Assignment:
    return create_assignment(
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=window.get("effective_at"),
        end_at=window.get("end_at"),
        now=timezone.now(),
    )


def test_renewal_end_to_end_with_the_task_runner(
    contractor: Contractor,
    job: WorkJob,
    category: CategoryCode,
    platform: Platform,
    product,
    django_capture_on_commit_callbacks,
) -> None:
    policy = expiring_in(contractor, category, days=3)
    old_end = policy.expires_at
    # A dispatch running past the old expiration, and one after it (not covered yet).
    with django_capture_on_commit_callbacks(execute=True):
        running = dispatch(contractor, job)
    old_gl = running.certificates.get(line=GL)
    assert old_gl.policy_expires_at == old_end
    # After the running one ends (one live dispatch per contractor, job and window);
    # the next one, after the renewal, follows this one.
    later = {
        "effective_at": running.end_at,
        "end_at": running.end_at + timedelta(hours=2),
    }
    after_renewal = {
        "effective_at": running.end_at + timedelta(hours=3),
        "end_at": running.end_at + timedelta(hours=5),
    }
    assert dispatch(contractor, job, **later).eligibility_message == (
        eligibility.NO_ACTIVE_POLICY
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = renew_due_policies.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    assert result.return_value == {"renewed": [policy.number], "failed": []}

    policy.refresh_from_db()
    assert policy.term_number == 2
    assert policy.expires_at == old_end + TERM
    assert policy.status == PolicyStatus.ACTIVE
    renewal = policy.transactions.get(kind="renewal")
    assert (renewal.status, renewal.effective_at) == ("bound", old_end)
    event = Event.objects.get(platform=platform, type="policy.renewed")
    assert event.data == policy_json(policy)

    # The running dispatch's certificates now show the new expiration.
    old_gl.refresh_from_db()
    assert old_gl.status == Certificate.Status.SUPERSEDED
    new_gl = running.certificates.get(line=GL, status=Certificate.Status.ISSUED)
    assert new_gl.policy_expires_at == policy.expires_at
    assert format_date(policy.expires_at.date()) in stored_text(new_gl.pdf.name)

    # The next dispatches use the new term.
    with django_capture_on_commit_callbacks(execute=True):
        next_one = dispatch(contractor, job, **after_renewal)
    assert next_one.eligible and next_one.policy == policy
    gl = next_one.certificates.get(line=GL)
    assert gl.policy_expires_at == policy.expires_at
    assert format_date(policy.expires_at.date()) in stored_text(gl.pdf.name)


def test_dispatches_inside_the_old_term_keep_their_certificates(
    contractor: Contractor, job: WorkJob, category: CategoryCode, product
) -> None:
    policy = expiring_in(contractor, category, days=3)
    short = dispatch(
        contractor,
        job,
        effective_at=timezone.now() + timedelta(hours=2),
        end_at=policy.expires_at - timedelta(days=1),
    )
    before = set(short.certificates.values_list("number", "status"))
    assert [p.number for p in renew_due().renewed] == [policy.number]
    assert set(short.certificates.values_list("number", "status")) == before


def test_each_term_is_renewed_once(
    contractor: Contractor, category: CategoryCode, product
) -> None:
    policy = expiring_in(contractor, category, days=3)
    assert len(renew_due().renewed) == 1
    assert renew_due().renewed == []
    # Even with a window wider than a term, a term that has not begun is not renewed.
    assert renew_due(days=90).renewed == []
    policy.refresh_from_db()
    assert policy.term_number == 2


def test_only_active_auto_renewing_policies_expiring_soon_are_due(
    platform: Platform, category: CategoryCode, product
) -> None:
    def policy_of(email: str, days: float) -> Policy:
        return expiring_in(addressed_contractor(platform, email), category, days)

    due = policy_of("due@example.com", 3)
    policy_of("later@example.com", 20)
    manual = policy_of("manual@example.com", 3)
    Policy.objects.filter(pk=manual.pk).update(auto_renew=False)
    cancel_policy(policy=policy_of("gone@example.com", 3))
    # An underwriter's renewal under way is theirs to finish.
    start_renewal(policy=policy_of("desk@example.com", 3))
    lapsed = policy_of("lapsed@example.com", 3)
    Policy.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now())
    assert list(due_policies(now=timezone.now())) == [due]


def test_dry_run_lists_and_changes_nothing(
    contractor: Contractor, category: CategoryCode, product
) -> None:
    policy = expiring_in(contractor, category, days=3)
    out = StringIO()
    call_command("renew_policies", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"Would renew {policy.number} ({policy.public_id}, Terry Tech)" in text
    assert f"new term to {policy.expires_at + TERM:%Y-%m-%d %H:%M} UTC" in text
    assert "1 policy(ies) due for renewal." in text
    assert not PolicyTransaction.objects.filter(kind="renewal").exists()
    quiet = StringIO()
    call_command("renew_policies", "--dry-run", "--days", "1", stdout=quiet)
    assert quiet.getvalue() == "0 policy(ies) due for renewal.\n"


def test_the_command_renews(
    contractor: Contractor, category: CategoryCode, product
) -> None:
    policy = expiring_in(contractor, category, days=3)
    out = StringIO()
    call_command("renew_policies", stdout=out)
    policy.refresh_from_db()
    assert f"Renewed {policy.number} ({policy.public_id})" in out.getvalue()
    assert "(term 2)" in out.getvalue()
    assert "Renewed 1 policy(ies); 0 refused." in out.getvalue()


def test_a_refused_renewal_is_reported_and_stops_no_other(
    platform: Platform, category: CategoryCode, product
) -> None:
    broken = expiring_in(addressed_contractor(platform, "a@example.com"), category, 2)
    fine = expiring_in(addressed_contractor(platform, "b@example.com"), category, 3)
    # The product stopped writing GL: this policy's renewal cannot be bound.
    Policy.objects.filter(pk=broken.pk).update(lines=["general", "cyber"])
    run = renew_due()
    assert [p.pk for p in run.renewed] == [fine.pk]
    assert [number for number, _ in run.failed] == [broken.number]


@pytest.mark.django_db(transaction=True)
def test_racing_workers_renew_a_policy_once(
    requires_postgres: None, platform: Platform
) -> None:
    contractor_product()
    category = approved_janitorial(platform)
    policies = [
        expiring_in(addressed_contractor(platform, f"t{i}@example.com"), category, 3)
        for i in range(4)
    ]
    barrier = threading.Barrier(4)
    renewed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            run = renew_due()
            with lock:
                renewed.extend(p.pk for p in run.renewed)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(renewed) == sorted(p.pk for p in policies)
    assert PolicyTransaction.objects.filter(kind="renewal").count() == 4
    assert Event.objects.filter(type="policy.renewed").count() == 4

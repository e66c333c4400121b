"""An underwriter cancels a policy from a later date in the workspace: cover and the
certificates stay until that moment, a scheduled task revokes them then, the board
says "covered until …". Time is moved (``timezone.now`` patched), never slept."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coverage import certificates
from coverage.certificates.cancellations import revoke_at_cancellation
from coverage.models import Assignment, Certificate, Contractor, LedgerEntry, WorkJob
from coverage.services import create_assignment, update_job
from coverage.views.formatting import when
from policies.models import AuditEntry, Policy, PolicyStatus
from policies.services.policy_changes import CANCEL_OUTSIDE_TERM
from policies.views.policies import CANCELLED_FROM, REINSTATED
from portal import queues
from portal.models import User
from tests.coverage.certificate_helpers import (
    addressed_contractor,
    addressed_entity,
    addressed_job,
)
from tests.coverage.helpers import GL, WC, bound_policy, event_types

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def midnight(days_ahead: int) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(
        today + timedelta(days=days_ahead), datetime.min.time(), UTC
    )


@pytest.fixture
def contractor(platform) -> Contractor:
    return addressed_contractor(platform)


@pytest.fixture
def job(platform, category) -> WorkJob:
    return addressed_job(platform, category=category, entity=addressed_entity(platform))


@pytest.fixture
def policy(contractor: Contractor, category, product) -> Policy:
    return bound_policy(contractor, category=category, days=60)


def dispatch(contractor: Contractor, job: WorkJob, start: datetime, hours: int):
    return create_assignment(
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=start,
        end_at=start + timedelta(hours=hours),
        now=timezone.now(),
    )


def issued(assignment: Assignment) -> set[str]:
    return set(
        Certificate.objects.filter(
            assignment=assignment, status=Certificate.Status.ISSUED
        ).values_list("line", flat=True)
    )


def ledger_total(assignment: Assignment) -> int:
    return sum(
        LedgerEntry.objects.filter(assignment=assignment).values_list(
            "amount", flat=True
        )
    )


def cancel(uw: Client, policy: Policy, day: str):
    return uw.post(
        f"/underwriting/policies/{policy.public_id}/cancel", {"effective_date": day}
    )


def sweep() -> str:
    out = StringIO()
    call_command("revoke_cancelled_certificates", stdout=out)
    return out.getvalue().strip()


def test_a_future_cancellation_revokes_certificates_at_its_effective_time(
    policy: Policy,
    contractor: Contractor,
    job: WorkJob,
    underwriter: User,
    dispatcher: User,
    client_as,
    monkeypatch,
) -> None:
    cancel_at = midnight(3)
    before = dispatch(contractor, job, cancel_at - 2 * DAY, 4)
    spanning = dispatch(contractor, job, cancel_at - timedelta(hours=12), 24)
    after = dispatch(contractor, job, cancel_at + DAY, 4)
    for a in (before, spanning, after):
        assert issued(a) == {WC, GL}
    spanning_premium = Assignment.objects.get(pk=spanning.pk).premium

    uw = client_as(underwriter)
    response = cancel(uw, policy, cancel_at.date().isoformat())
    assert response.status_code == 302
    page = uw.get(response["Location"]).content.decode()
    assert CANCELLED_FROM.format(policy=policy.number, day=cancel_at) in page

    policy.refresh_from_db()
    assert (policy.status, policy.cancelled_at) == (PolicyStatus.CANCELLED, cancel_at)
    # A dispatch starting after cover stops is cancelled now, its certificates void.
    assert Assignment.objects.get(pk=after.pk).cancelled_at is not None
    assert issued(after) == set()
    # The one running across the cancellation keeps its certificates until then, and
    # its premium is cut to the half that is covered (12 of 24 hours).
    spanning.refresh_from_db()
    assert issued(spanning) == {WC, GL}
    assert 0 < spanning.premium < spanning_premium
    assert ledger_total(spanning) == spanning.premium
    assert issued(before) == {WC, GL}

    # The board says until when the running dispatch is covered.
    board = client_as(dispatcher).get(
        "/board/", {"day": spanning.effective_at.date().isoformat()}
    )
    text = re.sub(r"\s+", " ", board.content.decode())
    # In the dispatcher's own zone, as every time on the board.
    until = when(cancel_at, zone=dispatcher.zone)
    assert f"Covered until {until}" in text

    # A change to the job before the date re-decides the dispatch, and still leaves
    # its certificates in force until the cancellation takes effect.
    update_job(job=job, data={"name": "Lobby night clean"}, now=timezone.now())
    job.refresh_from_db()
    assert job.name == "Lobby night clean"
    assert issued(spanning) == {WC, GL}

    # Nothing is due yet: the sweep leaves every certificate in force.
    assert sweep() == "Revoked 0 certificate(s)."
    assert issued(spanning) == {WC, GL}

    # Time moves past the effective moment: the sweep revokes what runs past it.
    later = cancel_at + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert sweep() == "Revoked 2 certificate(s)."
    revoked = Certificate.objects.filter(assignment=spanning)
    assert {(c.status, c.revocation_reason, c.revoked_at) for c in revoked} == {
        (Certificate.Status.REVOKED, certificates.POLICY_CANCELLED, cancel_at)
    }
    # The dispatch that ended before the cancellation keeps its certificates.
    assert issued(before) == {WC, GL}
    assert sweep() == "Revoked 0 certificate(s)."
    # The cancellation is in the policy's history, as the underwriter.
    entry = AuditEntry.objects.filter(policy=policy, action="bound").first()
    assert entry is not None and entry.actor_user == underwriter


def test_the_task_waits_for_the_moment_and_a_reinstatement_wins(
    policy: Policy,
    contractor: Contractor,
    job: WorkJob,
    underwriter: User,
    client_as,
    monkeypatch,
) -> None:
    cancel_at = midnight(2)
    spanning = dispatch(contractor, job, cancel_at - timedelta(hours=6), 12)
    uw = client_as(underwriter)
    assert cancel(uw, policy, cancel_at.date().isoformat()).status_code == 302
    # Run early (a worker's clock, a retried task): nothing is revoked.
    assert revoke_at_cancellation.call(policy.pk) == 0
    assert issued(spanning) == {WC, GL}

    response = uw.post(f"/underwriting/policies/{policy.public_id}/reinstate")
    assert response.status_code == 302
    assert (
        REINSTATED.format(policy=policy.number)
        in uw.get(response["Location"]).content.decode()
    )
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.ACTIVE
    spanning.refresh_from_db()
    assert spanning.is_covered
    # The platform hears of both, as when it cancels and reactivates through its API.
    sent = event_types(policy.platform)
    assert sent.count("policy.cancelled") == 1
    assert sent.count("policy.reactivated") == 1
    assert sent.index("policy.cancelled") < sent.index("policy.reactivated")

    monkeypatch.setattr(timezone, "now", lambda: cancel_at + timedelta(hours=1))
    assert revoke_at_cancellation.call(policy.pk) == 0
    assert sweep() == "Revoked 0 certificate(s)."
    assert issued(spanning) == {WC, GL}


def test_the_revocation_is_scheduled_for_the_effective_moment(
    policy: Policy,
    underwriter: User,
    client_as,
    settings,
    django_capture_on_commit_callbacks,
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": list(queues.ALL),
        }
    }
    cancel_at = midnight(5)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            cancel(
                client_as(underwriter), policy, cancel_at.date().isoformat()
            ).status_code
            == 302
        )
    scheduled = DBTaskResult.objects.filter(
        task_path="coverage.certificates.cancellations.revoke_at_cancellation"
    )
    assert [(r.run_after, r.args_kwargs["args"]) for r in scheduled] == [
        (cancel_at, [policy.pk])
    ]


def test_a_cancellation_outside_the_term_is_refused_inline(
    policy: Policy, underwriter: User, client_as
) -> None:
    day = (policy.expires_at + DAY).date().isoformat()
    response = cancel(client_as(underwriter), policy, day)
    assert response.status_code == 422
    message = CANCEL_OUTSIDE_TERM.format(end=policy.expires_at)
    assert message.replace("'", "&#x27;") in response.content.decode()
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.ACTIVE
    assert (
        not AuditEntry.objects.filter(policy=policy, action="bound")
        .exclude(transaction__kind="submission")
        .exists()
    )


def test_reinstating_an_active_policy_is_refused_with_the_api_message(
    policy: Policy, underwriter: User, client_as
) -> None:
    uw = client_as(underwriter)
    page = uw.get(f"/underwriting/policies/{policy.public_id}/").content.decode()
    assert (
        "Only a cancelled policy can be reinstated." in page
    )  # the disabled button says why
    response = uw.post(f"/underwriting/policies/{policy.public_id}/reinstate")
    assert response.status_code == 422
    assert "Only a cancelled policy can be reinstated." in response.content.decode()

"""Certificates of a policy cancelled from a later date stay in force until that date.

A cancellation bound today but effective later (the workspace's or the Cloud API's
``jobEffectiveDate``) ends cover at its effective moment, not when it was entered: a
property manager checking a certificate before then must read "in force". So
``coverage.receivers`` revokes at once only when the cancellation is already
effective; otherwise it schedules ``revoke_at_cancellation`` for the effective
moment, and ``revoke_due_cancellations`` (the ``revoke_cancelled_certificates``
command, run from cron) catches every policy whose task was lost or whose backend
cannot wait. Any number of runs may overlap: each works under the policy's row lock
and revokes only what is still in force.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from coverage.certificates.content import POLICY_CANCELLED
from coverage.certificates.lifecycle import revoke_for_policy
from coverage.models import Certificate
from policies.models import Policy, PolicyStatus
from portal import queues


def schedule_revocation(*, policy: Policy) -> None:
    """Revoke the policy's certificates at its cancellation's effective moment.

    Enqueued once the cancellation commits; a backend that runs tasks at once (tests,
    the immediate backend) cannot wait, so the sweep does it then."""
    policy_id, when = policy.pk, policy.cancelled_at
    if when is None:
        return

    def enqueue() -> None:
        job = revoke_at_cancellation
        if not job.get_backend().supports_defer:
            return
        job.using(run_after=when).enqueue(policy_id)

    transaction.on_commit(enqueue, robust=True)


@transaction.atomic
def revoke_when_due(*, policy_id: int, now: datetime) -> int:
    """Revoke a cancelled policy's certificates once its cancellation is effective.

    Under the policy's row lock, so a reinstatement entered meanwhile wins: a policy
    no longer cancelled, or cancelled from a moment still to come, keeps them."""
    policy = Policy.objects.select_for_update().filter(pk=policy_id).first()
    if (
        policy is None
        or policy.status != PolicyStatus.CANCELLED
        or policy.cancelled_at is None
        or policy.cancelled_at > now
    ):
        return 0
    # Void from the moment cover stopped, even when the sweep runs later.
    return revoke_for_policy(
        policy=policy, reason=POLICY_CANCELLED, now=policy.cancelled_at
    )


def due_policy_ids(*, now: datetime) -> list[int]:
    """Cancelled policies whose cancellation is effective and that still back a
    certificate in force past that moment."""
    return list(
        Certificate.objects.filter(
            status=Certificate.Status.ISSUED,
            policy__status=PolicyStatus.CANCELLED,
            policy__cancelled_at__lte=now,
            end_at__gt=F("policy__cancelled_at"),
        )
        .order_by("policy_id")
        .values_list("policy_id", flat=True)
        .distinct()
    )


def revoke_due_cancellations(*, now: datetime | None = None) -> int:
    """The sweep: every due policy in its own transaction; how many certificates."""
    now = now or timezone.now()
    return sum(
        revoke_when_due(policy_id=policy_id, now=now)
        for policy_id in due_policy_ids(now=now)
    )


@task(queue_name=queues.DEFAULT)
def revoke_at_cancellation(policy_id: int) -> int:
    """Scheduled for a cancellation's effective moment (``schedule_revocation``)."""
    return revoke_when_due(policy_id=policy_id, now=timezone.now())

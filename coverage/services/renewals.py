"""Auto-renew: active, auto-renewing policies are renewed before they expire.

Each renewal goes through a renewal transaction (``policies.services``: start, quote,
bind), which extends the policy to the end of a new term of the same length; the
next dispatches are covered by the new term, and certificates of dispatches running
past the old expiration are re-issued to show the new one (``policies.services``
does that when the renewal binds). ``policy.renewed`` carries the policy's JSON.

Which policies are due: active, ``auto_renew``, expiring within ``days`` (and not yet
expired), with no renewal under way (an underwriter's draft or quoted renewal) and
none already bound for a term that has not started: each term is renewed once.

Run ``renew_due()`` from the ``renew_due_policies`` task or ``manage.py
renew_policies`` (cron, a scheduler). Any number of workers may run it at once:
each policy is renewed under its row lock, taken with SKIP LOCKED, and re-checked
as due once locked, so a policy another worker just renewed is left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_tasks import task

from coverage.api.serializers import policy_json
from coverage.webhooks import events
from policies import services as policy_services
from policies.models import (
    Policy,
    PolicyStatus,
    PolicyTransaction,
    TransactionKind,
    TransactionStatus,
)
from portal import queues

logger = logging.getLogger(__name__)

# How long before expiration a policy is renewed. A week leaves a daily run six more
# chances if a renewal fails, without renewing a monthly policy as soon as it binds.
DEFAULT_RENEWAL_DAYS = 7


def due_policies(
    *, now: datetime, days: int = DEFAULT_RENEWAL_DAYS
) -> QuerySet[Policy]:
    """Policies to renew now, soonest expiring first (served by the status/expiry index)."""
    renewals = PolicyTransaction.objects.filter(
        policy=OuterRef("pk"), kind=TransactionKind.RENEWAL
    )
    under_way = renewals.filter(
        status__in=[TransactionStatus.DRAFT, TransactionStatus.QUOTED]
    )
    renewed_ahead = renewals.filter(
        status=TransactionStatus.BOUND, effective_at__gt=now
    )
    return (
        Policy.objects.filter(
            status=PolicyStatus.ACTIVE,
            auto_renew=True,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=days),
        )
        .exclude(Exists(under_way))
        .exclude(Exists(renewed_ahead))
        .order_by("expires_at", "pk")
    )


def renew_policy(
    *, policy_id: int, now: datetime, days: int = DEFAULT_RENEWAL_DAYS
) -> Policy | None:
    """Renew one policy if it is still due; None when it is not (or another worker has it)."""
    with transaction.atomic():
        policy = (
            due_policies(now=now, days=days)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(pk=policy_id)
            .first()
        )
        if policy is None:
            return None
        txn = policy_services.start_renewal(policy=policy)
        policy_services.quote_transaction(txn=txn)
        policy = policy_services.bind_transaction(txn=txn)
        events.emit(
            platform=policy.platform, type="policy.renewed", data=policy_json(policy)
        )
        return policy


@dataclass
class RenewalRun:
    renewed: list[Policy] = field(default_factory=list)
    # (policy number, why) for policies whose renewal was refused.
    failed: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, list[str]]:
        return {
            "renewed": [p.number for p in self.renewed],
            "failed": [f"{number}: {why}" for number, why in self.failed],
        }


def renew_due(
    *, now: datetime | None = None, days: int = DEFAULT_RENEWAL_DAYS
) -> RenewalRun:
    """Renew every due policy, each in its own transaction, so one refusal stops no other."""
    now = now or timezone.now()
    run = RenewalRun()
    for policy_id, number in due_policies(now=now, days=days).values_list(
        "pk", "number"
    ):
        try:
            renewed = renew_policy(policy_id=policy_id, now=now, days=days)
        except ValidationError as exc:
            # The policy no longer satisfies its product's rules: an underwriter's case.
            logger.warning("Could not renew policy %s: %s", number, exc.messages)
            run.failed.append((number, " ".join(exc.messages)))
            continue
        if renewed is not None:
            run.renewed.append(renewed)
    return run


@task(queue_name=queues.DEFAULT)
def renew_due_policies(days: int = DEFAULT_RENEWAL_DAYS) -> dict[str, list[str]]:
    """The periodic renewal, for a scheduler that enqueues tasks."""
    return renew_due(days=days).as_json()

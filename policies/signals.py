"""The hook policy administration fires when a bound policy changes.

Policy administration knows nothing of the contractor side; what must follow a
policy change there (certificates re-issued or revoked, dispatches re-decided)
subscribes to ``policy_changed`` in ``CoverageConfig.ready()``. Receivers run inside
the binding transaction, so what they write commits or rolls back with the change.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.dispatch import Signal

if TYPE_CHECKING:
    from policies.models import Policy


class PolicyChange(models.TextChoices):
    CHANGED = "changed", "Changed"
    RENEWED = "renewed", "Renewed"
    CANCELLED = "cancelled", "Cancelled"
    REINSTATED = "reinstated", "Reinstated"


# Sent with policy=Policy, change=PolicyChange, now=datetime and, for a renewal,
# previous_expiry=datetime (the term's end before the renewal extended it).
policy_changed = Signal()


def send_policy_changed(
    *,
    policy: Policy,
    change: PolicyChange,
    now: datetime,
    previous_expiry: datetime | None = None,
) -> None:
    """Tell every subscriber that ``policy`` changed; errors propagate, so a failing
    receiver rolls the change back rather than leaving the two sides apart."""
    policy_changed.send(
        sender=type(policy),
        policy=policy,
        change=change,
        now=now,
        previous_expiry=previous_expiry,
    )

"""What the contractor side does when policy administration says a policy changed.

Connected in ``CoverageConfig.ready()``; policies fires ``policies.signals.policy_changed``
and never imports this app.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coverage import certificates
from coverage.api.serializers import policy_json
from coverage.certificates.cancellations import schedule_revocation
from coverage.services.assignments import cancel_later_assignments
from coverage.services.redecide import redecide_for_policy
from coverage.webhooks import events
from coverage.webhooks.delivery import deliver, release_dead_claim
from policies.models import Policy
from policies.signals import PolicyChange


def follow_policy_with_certificates(
    *,
    policy: Policy,
    change: PolicyChange,
    now: datetime,
    previous_expiry: datetime | None = None,
    **_: Any,
) -> None:
    """Certificates follow the policy, however it was changed (contractor API or
    underwriters): a cancelled policy's are void; after a renewal, dispatches that
    run past the old expiration get certificates showing the new one; after any other
    change (reinstatement included), those whose content changed are re-issued.

    First, every live dispatch of the policy's contractor is decided again (eligibility,
    rating, ledger, its own certificates, events): coverage follows the policy. A
    cancelled policy's dispatches that have not started are cancelled, as the contractor
    API's own cancellation does, whoever cancelled it."""
    # A cancellation effective later (an underwriter's, dated ahead) decides the
    # dispatches now, as of that moment, but their certificates stay in force until it.
    later = False
    if change == PolicyChange.CANCELLED:
        # Cover stops at the cancellation's effective moment, not when it was entered:
        # the premium a dispatch under way earned is counted up to then.
        later = policy.cancelled_at is not None and policy.cancelled_at > now
        now = policy.cancelled_at or now
        cancel_later_assignments(policy=policy, now=now)
    reason = {
        PolicyChange.CANCELLED: certificates.POLICY_CANCELLED,
        PolicyChange.RENEWED: certificates.POLICY_RENEWED,
    }.get(change, certificates.POLICY_CHANGED)
    redecide_for_policy(
        policy=policy,
        now=now,
        reason=reason,
        ending_after=max(previous_expiry or now, now)
        if change == PolicyChange.RENEWED
        else None,
        certificates_later=later,
    )
    # The platform hears of a cancellation or reinstatement however it was made
    # (its own API call, an underwriter in the workspace or the Cloud API).
    event = {
        PolicyChange.CANCELLED: "policy.cancelled",
        PolicyChange.REINSTATED: "policy.reactivated",
    }.get(change)
    if event is not None:
        events.emit(platform=policy.platform, type=event, data=policy_json(policy))
    if change == PolicyChange.CANCELLED and later:
        schedule_revocation(policy=policy)
    elif change == PolicyChange.CANCELLED:
        certificates.revoke_for_policy(
            policy=policy, reason=certificates.POLICY_CANCELLED, now=now
        )
    elif change == PolicyChange.RENEWED:
        certificates.reissue_for_policy(
            policy=policy,
            reason=certificates.POLICY_RENEWED,
            now=now,
            ending_after=max(previous_expiry or now, now),
        )
    else:
        certificates.reissue_for_policy(
            policy=policy, reason=certificates.POLICY_CHANGED, now=now
        )


def release_webhook_claim(*, task_path: str, args: list[Any], **_: Any) -> None:
    """A dead worker's ``deliver`` task is re-queued: let its delivery go at once."""
    if task_path == deliver.module_path and args:
        release_dead_claim(delivery_id=int(args[0]))

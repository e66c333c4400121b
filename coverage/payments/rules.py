"""Who pays by card, when a charge runs, and the messages a card payer's dispatch shows.

Precedence of ``withhold_premium`` (the public API leaves it open): premium is
withheld — no card asked, invoiced to the platform — when the platform remits
premium for everyone (``BillingSettings``), or the contractor says so, or the job
does. Only when all three leave it to the contractor is the card charged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Subquery

from coverage.models import BillingSettings, CardOnFile, Contractor, WorkJob

# The billing rule of the public API: the contractor is e-mailed first and the card is
# charged 24 hours later...
NOTICE_PERIOD = timedelta(hours=24)
# ...but never later than an hour before the dispatch starts, so a dispatch that
# starts sooner is charged in time (at once when it starts within the hour).
CHARGE_LEAD = timedelta(hours=1)

# The card condition's messages, in the style of seed 000's eligibility messages.
CHARGE_PENDING = (
    "Contractor will be covered once the card is charged. The premium is charged "
    "to the card on file before the assignment starts."
)
CARD_DECLINED = (
    "Contractor's card was declined: {reason} Check that the contractor has "
    "updated the card on file."
)
NO_CARD = (
    "No card on file for contractor. Check that the contractor has added a card "
    "for premium payments."
)
CARD_REQUIRED = "Add a card to pay for your coverage before you opt in."


def collects_by_card_subquery(platform_id: Any) -> Subquery:
    """``platform_collects_by_card`` as an annotation (NULL without billing settings)."""
    return Subquery(
        BillingSettings.objects.filter(platform_id=platform_id).values(
            "contractors_pay_by_card"
        )[:1]
    )


def platform_collects_by_card(platform_id: int) -> bool:
    """The platform's mode: a platform without billing settings remits premium itself."""
    found = (
        BillingSettings.objects.filter(platform_id=platform_id)
        .values_list("contractors_pay_by_card", flat=True)
        .first()
    )
    return bool(found)


def pays_by_card(
    *, contractor: Contractor, job: WorkJob, platform_collects: bool | None = None
) -> bool:
    """True when this contractor pays this job's premium by card (see the module).

    ``platform_collects``: ``platform_collects_by_card`` when the caller read it with
    the contractor (``collects_by_card_subquery``), saving its query.
    """
    if contractor.withhold_premium or job.withhold_premium:
        return False
    if platform_collects is not None:
        return platform_collects
    return platform_collects_by_card(contractor.platform_id)


def current_card(contractor: Contractor) -> CardOnFile | None:
    return CardOnFile.objects.filter(
        contractor=contractor, replaced_at__isnull=True
    ).first()


def needs_card(*, contractor: Contractor, job: WorkJob) -> bool:
    """The hosted application's ``add_card_details`` step applies: a card payer without a card."""
    return (
        pays_by_card(contractor=contractor, job=job)
        and current_card(contractor) is None
    )


def charge_due_at(*, notified_at: datetime, starts_at: datetime) -> datetime:
    """When a dispatch's premium is charged: 24 h after the notice, or sooner (see above)."""
    return max(notified_at, min(notified_at + NOTICE_PERIOD, starts_at - CHARGE_LEAD))


def decline_message(reason: str) -> str:
    return CARD_DECLINED.format(reason=reason.strip() or "the card was declined.")

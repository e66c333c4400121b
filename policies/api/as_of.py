"""``asOfDate`` on policy reads: the policy as it stood at the start of that day.

The answer comes from the policy's bound transactions, as PolicyCenter answers from the
branch in force on the date: the latest bound submission, change or renewal whose term
covers the moment gives the term, lines, states and category; the latest bound
cancellation or reinstatement effective by then gives the status; the renewals effective
by then give the term number. A date no term covers is refused as the guide shows
("No branch found for date …").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from policies.api.jobs import (
    category_ref,
    line_typekeys,
    start_of_day,
    state_typekey,
)
from policies.api.wire import iso_datetime, parse_date, typekey
from policies.models import (
    Policy,
    PolicyStatus,
    PolicyTransaction,
    TransactionKind,
    TransactionStatus,
)
from portal.api import ApiError

BAD_AS_OF = "Bad value for the 'asOfDate' query parameter - {reason}"
NO_BRANCH = "No branch found for date {date} 12:00 AM"
TERM_KINDS = (
    TransactionKind.SUBMISSION,
    TransactionKind.POLICY_CHANGE,
    TransactionKind.RENEWAL,
)
STATUS_KINDS = (TransactionKind.CANCELLATION, TransactionKind.REINSTATEMENT)


def parse_as_of(raw: str) -> date:
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise ApiError(BAD_AS_OF.format(reason=str(exc))) from None


def attributes_as_of(policy: Policy, day: date) -> dict[str, Any]:
    """The policy resource's attributes that differ by date, as they stood on ``day``."""
    moment = start_of_day(day)
    bound = list(
        PolicyTransaction.objects.filter(policy=policy, status=TransactionStatus.BOUND)
        .select_related("category_code")
        .order_by("bound_at", "pk")
    )
    terms = [
        t
        for t in bound
        if t.kind in TERM_KINDS and t.effective_at <= moment < t.expires_at
    ]
    if not terms:
        raise ApiError(
            BAD_AS_OF.format(reason=NO_BRANCH.format(date=day.strftime("%m/%d/%Y")))
        )
    branch = terms[-1]
    status = PolicyStatus.ACTIVE
    cancelled_at = None
    for t in bound:
        if t.kind in STATUS_KINDS and t.effective_at <= moment:
            cancelled = t.kind == TransactionKind.CANCELLATION
            status = PolicyStatus.CANCELLED if cancelled else PolicyStatus.ACTIVE
            cancelled_at = t.effective_at if cancelled else None
    renewals = sum(
        1
        for t in bound
        if t.kind == TransactionKind.RENEWAL and t.effective_at <= moment
    )
    return {
        "periodStart": iso_datetime(branch.effective_at),
        "periodEnd": iso_datetime(branch.expires_at),
        "status": typekey(status, PolicyStatus(status).label),
        "lines": line_typekeys(branch.lines),
        "wcState": state_typekey(branch.wc_state),
        "glState": state_typekey(branch.gl_state),
        "categoryCode": category_ref(branch.category_code),
        "autoRenew": branch.auto_renew,
        "termNumber": 1 + renewals,
        "cancellationDate": iso_datetime(cancelled_at),
    }

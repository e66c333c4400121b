"""The decision every dispatch gets, new or re-decided: eligibility, routing and rating,
the pay it is rated on, and its premium posted to the ledger.

``create_assignment``, ``update_assignment``, the live preview and the re-decision after
a change (``coverage.services.redecide``) all call these functions, so a dispatch is
judged the same way whichever path reaches it.

Premium rule: an eligible, bound dispatch's premium is, per line, the pay the work
earns (``terms.dispatch_pay``: the wage of a flat fee, wage × hours of an hourly job)
times the line's net rate (cents per $100 of pay), rounded half-up to a whole cent per
line — ``Rating.line_premiums``. It books to the UTC day the dispatch starts.
"""

from __future__ import annotations

from coverage.api.serializers import assignment_json
from coverage.models import Assignment
from coverage.rating import RateBook, Rating
from coverage.services import ledger
from coverage.services.dispatch_reads import DispatchReads
from coverage.services.eligibility import check
from coverage.services.own_cover import stored
from coverage.services.terms import (
    dispatch_pay,
    rate_terms,
    rating_day,
    rating_snapshot,
)
from coverage.webhooks import events
from policies.models import Policy
from portal.jurisdictions import normalize_state


def emit(assignment: Assignment, type: str) -> None:
    events.emit(
        platform=assignment.platform, type=type, data=dict(assignment_json(assignment))
    )


def evaluate(
    assignment: Assignment,
    *,
    requested: list[str] | None,
    policy: Policy | None,
    approved: bool | None = None,
    reads: DispatchReads | None = None,
) -> dict[str, int]:
    """Decide eligibility and price; returns the premium per line the ledger should hold.

    ``approved``: whether the job's category is approved for the platform, when the
    caller read it with the job (``eligibility.check``). ``reads``: the policies, own
    certificates and rate book read with the contractor (``dispatch_reads``), used
    when they were read for this window.
    """
    if reads is not None and not reads.answers(
        effective_at=assignment.effective_at, end_at=assignment.end_at
    ):
        reads = None
    assignment.pay = pay_of(assignment)
    result = check(
        contractor=assignment.contractor,
        job=assignment.job,
        lines=requested,
        effective_at=assignment.effective_at,
        policy=policy,
        end_at=assignment.end_at,
        approved=approved,
        live=None if reads is None else reads.policies,
        own_rows=None if reads is None else reads.own_certificates,
    )
    assignment.eligible = result.result
    assignment.eligibility_message = result.message
    assignment.own_cover = stored(result.own_cover)
    if result.policy is None:
        assignment.lines = requested or []
        assignment.policy = None
        assignment.rating = None
        assignment.net_rate = 0
        return {}
    # Only our lines: those the tech's own certificates cover get no premium from us.
    assignment.lines = [
        line
        for line in (requested or result.policy.lines)
        if line not in result.own_cover
    ]
    # bind=false: no notification, no charge, and no coverage issued (API §2.9).
    assignment.policy = result.policy if assignment.bind else None
    amounts = price(assignment, book=None if reads is None else reads.book)
    return amounts if assignment.bind else {}


def pay_of(assignment: Assignment) -> int:
    """The pay this dispatch earns, in cents (the estimate its premium is rated on)."""
    # Hours are the work's, not the coverage's: a same-day job covered to midnight
    # (the API's date rule) still pays for the hours it runs.
    return dispatch_pay(
        job=assignment.job,
        effective_at=assignment.effective_at,
        end_at=assignment.job_end_at,
    )


def rate_dispatch(assignment: Assignment, *, book: RateBook | None = None) -> Rating:
    """Route and rate the dispatch's lines where it happens, on the day it starts."""
    # Eligibility refuses a job without a category before anything is rated.
    assert assignment.job.category_code is not None
    return rate_terms(
        category_code=assignment.job.category_code,
        lines=assignment.lines,
        work_state=normalize_state(assignment.job.work_state),
        residence_state=normalize_state(assignment.contractor.residence_state),
        starts_at=assignment.effective_at,
        book=book,
    )


def price(assignment: Assignment, *, book: RateBook | None = None) -> dict[str, int]:
    """Rate the dispatch where it happens and price the pay it earns, per line."""
    rating = rate_dispatch(assignment, book=book)
    assignment.rating = rating_snapshot(rating)
    assignment.net_rate = rating.net_rate
    assignment.pay = pay_of(assignment)
    # Once actual pay is reported (the audit), the premium is rated on it.
    if assignment.actual_pay is not None:
        return rating.line_premiums(assignment.actual_pay)
    return rating.line_premiums(assignment.pay)


def post_premium(assignment: Assignment, amounts: dict[str, int]) -> None:
    ledger.settle(
        assignment=assignment,
        amounts=amounts,
        books_on=rating_day(assignment.effective_at),
    )
    assignment.save(update_fields=["premium", "updated_at"])

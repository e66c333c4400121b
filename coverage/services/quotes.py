"""Opt in once: quotes and the hosted application sessions that bind them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from coverage import certificates
from coverage.api.serializers import session_json
from coverage.models import ApplicationSession, Assignment, Contractor, Quote, WorkJob
from coverage.notices import notify_opt_in
from coverage.payments import rules as payment_rules
from coverage.rating import Rating
from coverage.services.assignments import (
    ASSIGNMENT_CANCELLED,
    AssignmentChanges,
    update_assignment,
)
from coverage.services.dates import DEFAULT_LENGTH, next_day, resolve_window
from coverage.services.eligibility import Terms, matching_policy, quote_eligibility
from coverage.services.inputs import clean_lines, validate_fields
from coverage.services.policies import bind_policy_from_quote
from coverage.services.redecide import redecide_for_policy
from coverage.services.terms import rate_terms, rating_snapshot, require_approved
from coverage.webhooks import events
from policies.lines import CoverageType
from policies.models import Policy
from portal.jurisdictions import normalize_state

MATCHING_POLICY = "Contractor already has a matching policy on file"
QUOTE_BOUND = (
    "This quote is bound to a policy and can no longer be changed. Create a new quote."
)
SESSION_EXPIRED = "This application session has expired."
SESSION_COMPLETE = "This application is already complete."
QUOTE_ALREADY_BOUND = "A policy already exists for this quote."
ALREADY_COVERED = "This dispatch is already covered; the tech has nothing to opt in to."
# How long a hosted application link stays usable when nobody expires it.
SESSION_LIFETIME = timedelta(hours=24)
# The lines an opt-in quotes when neither the dispatch nor its customer names any.
DEFAULT_OPT_IN_LINES = (CoverageType.WORKERS_COMP.value, CoverageType.GENERAL.value)

logger = logging.getLogger(__name__)


def quote_terms(*, contractor: Contractor, job: WorkJob, lines: Sequence[str]) -> Terms:
    return Terms(
        lines=tuple(lines),
        work_state=normalize_state(job.work_state),
        residence_state=normalize_state(contractor.residence_state),
        category_code_id=job.category_code_id,
    )


def _price(
    quote: Quote,
    *,
    contractor: Contractor,
    job: WorkJob,
    lines: list[str],
    effective_at: datetime | None,
    end_at: datetime | None,
    now: datetime,
) -> Quote:
    """Fill ``quote`` with the window, terms and rating for these parameters, or refuse."""
    window = resolve_window(effective_at=effective_at, end_at=end_at, now=now)
    require_approved(job.category_code, platform_id=contractor.platform_id)
    terms = quote_terms(contractor=contractor, job=job, lines=lines)
    if matching_policy(contractor=contractor, terms=terms, on=window.effective_at):
        raise ValidationError(MATCHING_POLICY, code="contractor_has_matching_policy")
    rating = rate_terms(
        category_code=job.category_code,
        lines=lines,
        work_state=terms.work_state,
        residence_state=terms.residence_state,
        starts_at=window.effective_at,
    )
    quote.contractor = contractor
    quote.job = job
    quote.lines = lines
    quote.effective_at = window.effective_at
    quote.end_at = window.end_at
    verdict = quote_eligibility(job=job, lines=lines)
    quote.eligible = verdict.result
    quote.eligibility_message = "" if verdict.result else verdict.message
    quote.category_code = job.category_code
    quote.wc_state = terms.work_state if CoverageType.WORKERS_COMP in lines else ""
    quote.gl_state = terms.residence_state if CoverageType.GENERAL in lines else ""
    quote.rating = rating_snapshot(rating)
    quote.net_rate = rating.net_rate
    return quote


@transaction.atomic
def create_quote(
    *,
    contractor: Contractor,
    job: WorkJob,
    lines: Sequence[str],
    effective_at: datetime | None,
    end_at: datetime | None,
    now: datetime,
) -> Quote:
    """Rate coverage for ``contractor`` doing ``job``; refuse coverage already on file."""
    quote = Quote(platform_id=contractor.platform_id)
    _price(
        quote,
        contractor=contractor,
        job=job,
        lines=clean_lines(lines),
        effective_at=effective_at,
        end_at=end_at,
        now=now,
    )
    quote.save()
    return quote


@transaction.atomic
def update_quote(
    *,
    quote: Quote,
    contractor: Contractor | None = None,
    job: WorkJob | None = None,
    lines: Sequence[str] | None = None,
    effective_at: datetime | None = None,
    end_at: datetime | None = None,
    now: datetime,
) -> Quote:
    """Re-price a quote with some parameters changed; a bound quote stays as it is."""
    quote = Quote.objects.select_for_update(of=("self",)).get(pk=quote.pk)
    if quote.policy_id is not None:
        raise ValidationError(QUOTE_BOUND, code="cant_update_create_new_quote")
    if effective_at is None:
        effective_at = quote.effective_at
        end_at = end_at or quote.end_at
    # else a new start without an end takes the default end, 30 days after it.
    _price(
        quote,
        contractor=contractor or quote.contractor,
        job=job or quote.job,
        lines=clean_lines(lines) if lines is not None else list(quote.lines),
        effective_at=effective_at,
        end_at=end_at,
        now=now,
    )
    quote.save()
    return quote


# ---------------------------------------------------------------------------
# Application sessions


def _emit_session(session: ApplicationSession, type: str, now: datetime) -> None:
    events.emit(
        platform=session.platform, type=type, data=session_json(session, at=now)
    )


@transaction.atomic
def create_application_session(
    *,
    quote: Quote,
    success_url: str,
    cancel_url: str,
    url_for: Callable[[str], str],
    now: datetime,
    assignment: Assignment | None = None,
) -> ApplicationSession:
    """A hosted opt-in page for ``quote``; ``url_for(token)`` is its absolute URL.

    ``assignment``: the uncovered dispatch the opt-in is for; completing the session
    decides its coverage again.
    """
    if quote.policy_id is not None:
        raise ValidationError(QUOTE_ALREADY_BOUND, code="policy_already_exists")
    session = ApplicationSession(
        platform_id=quote.platform_id,
        quote=quote,
        assignment=assignment,
        success_url=success_url,
        cancel_url=cancel_url,
        expires_at=now + SESSION_LIFETIME,
    )
    session.url = url_for(session.token)
    validate_fields(session, exclude=["platform", "quote", "token", "url"])
    session.save()
    _emit_session(session, "application.created", now)
    if not quote.eligible:
        # Known from the start: the coverage on offer would not cover the job it was
        # quoted for (the quote's eligibility_message says why).
        _emit_session(session, "application.ineligible", now)
    return session


def start_application_session(*, session: ApplicationSession, now: datetime) -> bool:
    """The contractor opened the hosted page: the first time, send ``application.started``.

    One conditional UPDATE decides which request was first, so two tabs opened at once
    announce it once. Returns whether this call started it.
    """
    with transaction.atomic():
        started = (
            open_sessions(now)
            .filter(pk=session.pk, started_at__isnull=True)
            .update(started_at=now)
        )
        if started:
            session.started_at = now
            _emit_session(session, "application.started", now)
    return bool(started)


def _open_session(session: ApplicationSession, now: datetime) -> ApplicationSession:
    locked = (
        ApplicationSession.objects.select_for_update(of=("self",))
        .select_related("quote", "platform")
        .get(pk=session.pk)
    )
    if locked.completed_at is not None:
        raise ValidationError(SESSION_COMPLETE, code="application_already_complete")
    if locked.is_expired(now):
        raise ValidationError(SESSION_EXPIRED, code="session_expired")
    return locked


@transaction.atomic
def update_application_session(
    *,
    session: ApplicationSession,
    success_url: str | None,
    cancel_url: str | None,
    now: datetime,
) -> ApplicationSession:
    session = _open_session(session, now)
    if success_url is not None:
        session.success_url = success_url
    if cancel_url is not None:
        session.cancel_url = cancel_url
    validate_fields(session, exclude=["platform", "quote", "token", "url"])
    session.save(update_fields=["success_url", "cancel_url"])
    return session


@transaction.atomic
def expire_application_session(
    *, session: ApplicationSession, now: datetime
) -> ApplicationSession:
    session = _open_session(session, now)
    session.expired_at = now
    session.save(update_fields=["expired_at"])
    _emit_session(session, "application.expired", now)
    return session


@transaction.atomic
def complete_application_session(
    *, session: ApplicationSession, now: datetime
) -> Policy:
    """The contractor attested and opted in: bind the quote, close the session."""
    session = _open_session(session, now)
    # A card payer's application has its add_card_details step before attesting.
    if payment_rules.needs_card(
        contractor=session.quote.contractor, job=session.quote.job
    ):
        raise ValidationError(payment_rules.CARD_REQUIRED, code="card_required")
    policy = bind_policy_from_quote(quote=session.quote, now=now)
    session.quote.policy = policy
    session.completed_at = now
    session.step = ApplicationSession.Step.APPLICATION_COMPLETE
    session.save(update_fields=["completed_at", "step"])
    _emit_session(session, "application.complete", now)
    if session.assignment_id is not None:
        _decide_again(session.assignment_id, now=now)
    # Coverage follows the policy: the tech's other live dispatches on the platform are
    # decided again too, so each says what the new policy does for it (covers it, or
    # why not) instead of "no active policy".
    redecide_for_policy(policy=policy, now=now, reason=certificates.POLICY_CHANGED)
    return policy


def open_sessions(at: datetime) -> QuerySet[ApplicationSession]:
    """Sessions a contractor can still complete at ``at``."""
    return ApplicationSession.objects.filter(
        completed_at__isnull=True, expired_at__isnull=True, expires_at__gt=at
    )


def _decide_again(assignment_id: int, *, now: datetime) -> None:
    """The tech opted in for this dispatch: decide its coverage again (PUT's service)."""
    assignment = Assignment.objects.get(pk=assignment_id)
    if (
        assignment.deleted_at is not None
        or assignment.is_cancelled
        or assignment.is_covered
    ):
        return
    try:
        update_assignment(assignment=assignment, changes=AssignmentChanges(), now=now)
    except ValidationError as exc:
        # The opt-in stands whatever becomes of the dispatch (say an invoice for its
        # job was paid meanwhile); the ticket stays uncovered and shows its reason.
        logger.warning(
            "Opt-in for %s completed but it could not be decided again: %s",
            assignment.public_id,
            " ".join(exc.messages),
        )


def opt_in_lines(assignment: Assignment) -> list[str]:
    """The lines an opt-in for this dispatch quotes: its own, else its customer's requirement."""
    return list(
        assignment.lines
        or assignment.job.entity.required_coverage
        or DEFAULT_OPT_IN_LINES
    )


def _opt_in_start(assignment: Assignment, now: datetime) -> datetime | None:
    # Coverage is never retroactive: a dispatch that has started gets the default start.
    return assignment.effective_at if assignment.effective_at > now else None


def opt_in_rating(*, assignment: Assignment, now: datetime) -> Rating:
    """What ``send_opt_in`` would quote for this dispatch, priced as quotes are; writes nothing."""
    job, contractor = assignment.job, assignment.contractor
    require_approved(job.category_code, platform_id=contractor.platform_id)
    lines = clean_lines(opt_in_lines(assignment))
    terms = quote_terms(contractor=contractor, job=job, lines=lines)
    return rate_terms(
        category_code=job.category_code,
        lines=lines,
        work_state=terms.work_state,
        residence_state=terms.residence_state,
        starts_at=_opt_in_start(assignment, now) or next_day(now),
    )


@transaction.atomic
def send_opt_in(
    *, assignment: Assignment, url_for: Callable[[str], str], now: datetime
) -> ApplicationSession:
    """Fix an uncovered dispatch: quote its tech for its terms and open a hosted application.

    The quote covers the dispatch's job and lines from the dispatch's start (from the
    next day once it has started: coverage is never retroactive), for at least the
    default 30 days so that later dispatches on the same terms are covered too. A
    link already out for this dispatch and still open is returned instead of a second.
    """
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("contractor", "job__entity", "job__category_code")
        .get(pk=assignment.pk)
    )
    if assignment.is_cancelled:
        raise ValidationError(ASSIGNMENT_CANCELLED, code="invalid_input")
    if assignment.is_covered:
        raise ValidationError(ALREADY_COVERED, code="invalid_input")
    already = open_sessions(now).filter(assignment=assignment).order_by("-pk").first()
    if already is not None:
        return already
    starts = _opt_in_start(assignment, now)
    ends = max(assignment.end_at, (starts or next_day(now)) + DEFAULT_LENGTH)
    quote = create_quote(
        contractor=assignment.contractor,
        job=assignment.job,
        lines=opt_in_lines(assignment),
        effective_at=starts,
        end_at=ends,
        now=now,
    )
    session = create_application_session(
        quote=quote,
        success_url="",
        cancel_url="",
        url_for=url_for,
        now=now,
        assignment=assignment,
    )
    notify_opt_in(session=session, assignment=assignment, now=now)
    # The ticket changed state (an opt-in is pending): boards highlight it.
    assignment.save(update_fields=["updated_at"])
    return session

"""Is a dispatch covered by the contractor's opt-in? One answer, one message (seed 000).

A contractor who opted in once is covered for later assignments on the same platform
as long as the coverage types, the WC work state, the GL residence state and the job
category are those of an active policy. ``check`` is a pure read: the assignment
service records its answer, and the dispatcher's live preview shows it unchanged.

Order of the checks (the first that fails gives the message):

1. The job has no category code                          → NO_JOB_CATEGORY
2. The job's category code is not approved for the
   platform (any more)                                   → INVALID_JOB_CATEGORY
3. A requested line lacks its state: workers' comp needs
   the job's work state, every other line the
   contractor's residence state                          → NO_ADDRESS
   (the requested lines are ``coverage_type`` as sent, or else those of the
   contractor's most recent active policy)
4. No active policy of this contractor on this platform
   that is still in force at the assignment's start (or
   the policy named in the request is not one)           → NO_ACTIVE_POLICY
5. No active policy matches on every point. The closest
   one (fewest mismatches, most recent on a tie) names
   the first mismatch, in this order:
   a. a requested line is not on it                      → NO_COVERAGE
   b. both the work state (WC) and the residence
      state (GL) differ                                  → NO_ACTIVE_POLICY_STATES
   c. the residence state differs (GL requested)         → RESIDENCE_STATE_MISMATCH
   d. the work state differs (WC requested)              → WORK_STATE_MISMATCH
   e. the job category differs                           → CATEGORY_MISMATCH
6. Policies match, but each takes effect only after the
   assignment starts                                     → POLICY_AFTER_ASSIGNMENT
7. No matching policy in force at the start meets the
   job's entity (the customer-of-record): a line in its
   ``required_coverage`` is not on the policy, or its
   ``coverage_limit`` (occurrence, then aggregate) is
   above the policy's general liability limit, or a
   contract term (per-line minimum limits, additional
   insureds, waiver of subrogation, primary and
   non-contributory: ``coverage.services.contract``)
   cannot be met on the dispatch's lines. The most
   recent one names the first unmet requirement          → ENTITY_REQUIREMENT_UNMET
8. Otherwise the most recent matching policy in force at
   the start that meets the entity's requirements
   covers the dispatch                                   → ELIGIBLE

Step 7 judges the policy, as the entity's contract does: the policy must carry the
lines and limits the entity requires (its limits are general liability limits, so
they are judged whenever the policy is to provide GL: required, or on the policy).
No certificate is issued for a dispatch that fails it.

Lines match when every requested line is on the policy (a subset, so a WC+GL opt-in
covers a GL-only dispatch). The platform is matched by construction: only the
calling platform's policies are ever considered.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef

from coverage.models import CategoryCode, Contractor, Entity, WorkJob
from coverage.services.contract import unmet_contract
from coverage.services.own_cover import OwnCover, covering, split
from policies.lines import CoverageType
from policies.models import Policy, PolicyStatus
from portal.jurisdictions import normalize_state

ELIGIBLE = "Contractor is pre-approved for insurance coverage."
NO_JOB_CATEGORY = "No valid job category code associated with job."
INVALID_JOB_CATEGORY = (
    "No valid job category code. Check that the job is assigned a valid job "
    "category code."
)
NO_ADDRESS = "No valid work or residence address associated with contractor."
RESIDENCE_STATE_MISMATCH = (
    "Contractor residence state does not match the residence state associated with "
    "the active policy."
)
WORK_STATE_MISMATCH = (
    "Job work state does not match the work state associated with the active policy."
)
NO_ACTIVE_POLICY = (
    "No active policy associated with contractor. Check that the contractor has a "
    "valid quote and policy."
)
NO_ACTIVE_POLICY_STATES = (
    "No active policy associated with contractor. Check that work state and "
    "residence state match the active policy."
)
NO_COVERAGE = "No active policy found with the required assignment coverage."
POLICY_AFTER_ASSIGNMENT = (
    "Matching policy was created after the assignment. No matching policy at time "
    "of assignment."
)
CATEGORY_MISMATCH = (
    "Job category mismatch. Check that the job category code matches the category "
    "code associated with the active policy."
)
# Step 7: one unmet requirement of the customer-of-record, e.g. "The customer-of-record's
# insurance requirements are not met: it requires workers' compensation, which the
# contractor's policy does not carry."
ENTITY_REQUIREMENT_UNMET = (
    "The customer-of-record's insurance requirements are not met: {requirement}."
)
REQUIRES_LINE = "it requires {line}, which the contractor's policy does not carry"
REQUIRES_OCCURRENCE_LIMIT = (
    "it requires a general liability limit of {required} each occurrence; the "
    "contractor's policy has {actual}"
)
REQUIRES_AGGREGATE_LIMIT = (
    "it requires a general liability aggregate limit of {required}; the "
    "contractor's policy has {actual}"
)

# Seed 000's table plus its category-mismatch text. check() can also return step 7's
# ENTITY_REQUIREMENT_UNMET, filled in with one of the REQUIRES_* texts.
MESSAGES = (
    ELIGIBLE,
    NO_JOB_CATEGORY,
    INVALID_JOB_CATEGORY,
    NO_ADDRESS,
    RESIDENCE_STATE_MISMATCH,
    WORK_STATE_MISMATCH,
    NO_ACTIVE_POLICY,
    NO_ACTIVE_POLICY_STATES,
    NO_COVERAGE,
    POLICY_AFTER_ASSIGNMENT,
    CATEGORY_MISMATCH,
)

# Mismatch kinds, in the order step 5 reports them.
_LINES, _RESIDENCE, _WORK, _CATEGORY = "lines", "residence", "work", "category"


@dataclass(frozen=True)
class Eligibility:
    result: bool
    message: str
    # The covering policy when eligible; otherwise None.
    policy: Policy | None = None
    # Lines the tech's own approved certificates cover (coverage.services.own_cover):
    # not ours to cover or price.
    own_cover: dict[str, OwnCover] = field(default_factory=dict)


@dataclass(frozen=True)
class Terms:
    """What a dispatch (or a quote) asks to be covered for."""

    lines: tuple[str, ...]
    work_state: str
    residence_state: str
    category_code_id: int | None


def mismatches(policy: Policy, terms: Terms) -> tuple[str, ...]:
    """The ways ``policy`` fails to match ``terms``, in reporting order."""
    found = []
    if not set(terms.lines) <= set(policy.lines):
        found.append(_LINES)
    if CoverageType.GENERAL in terms.lines and terms.residence_state != policy.gl_state:
        found.append(_RESIDENCE)
    if CoverageType.WORKERS_COMP in terms.lines and terms.work_state != policy.wc_state:
        found.append(_WORK)
    if terms.category_code_id != policy.category_code_id:
        found.append(_CATEGORY)
    return tuple(found)


def _mismatch_message(found: tuple[str, ...]) -> str:
    if _LINES in found:
        return NO_COVERAGE
    if _RESIDENCE in found and _WORK in found:
        return NO_ACTIVE_POLICY_STATES
    if _RESIDENCE in found:
        return RESIDENCE_STATE_MISMATCH
    if _WORK in found:
        return WORK_STATE_MISMATCH
    return CATEGORY_MISMATCH


def live_policies(*, contractor: Contractor, after: datetime) -> list[Policy]:
    """The contractor's active policies on its platform still in force after ``after``, newest first."""
    return list(
        Policy.objects.filter(
            platform_id=contractor.platform_id,
            contractor=contractor,
            status=PolicyStatus.ACTIVE,
            expires_at__gt=after,
        ).order_by("-effective_at", "-pk")
    )


def matching_policy(
    *, contractor: Contractor, terms: Terms, on: datetime
) -> Policy | None:
    """An active policy that matches ``terms`` and is in force at ``on`` (quotes' duplicate rule)."""
    for policy in live_policies(contractor=contractor, after=on):
        if policy.effective_at <= on and not mismatches(policy, terms):
            return policy
    return None


def _missing_state(terms: Terms) -> bool:
    for line in terms.lines:
        state = (
            terms.work_state
            if line == CoverageType.WORKERS_COMP
            else terms.residence_state
        )
        if not state:
            return True
    return False


def _dollars(cents: int) -> str:
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}" if not rest else f"${dollars:,}.{rest:02d}"


def unmet_requirement(
    policy: Policy,
    entity: Entity,
    lines: Sequence[str] | None = None,
    own: Collection[str] = (),
) -> str | None:
    """The first requirement of ``entity`` that ``policy`` does not meet, as a message.

    ``lines`` are the dispatch's (None: the policy's own); the contract's further terms
    are judged on them and the lines the entity requires (``contract.unmet_contract``).
    ``own`` lines are covered by the tech's own approved certificates, whose review
    judged them against this entity: our policy need not carry them.
    """
    for line in entity.required_coverage:
        if line not in policy.lines and line not in own:
            label = CoverageType(line).label if line in CoverageType.values else line
            return ENTITY_REQUIREMENT_UNMET.format(
                requirement=REQUIRES_LINE.format(line=label.lower())
            )
    provides_gl = CoverageType.GENERAL not in own and (
        CoverageType.GENERAL in policy.lines
        or CoverageType.GENERAL in entity.required_coverage
    )
    if not provides_gl:
        return _unmet_contract(policy, entity, lines, own)
    for required, actual, template in (
        (
            entity.occurrence_limit,
            policy.gl_occurrence_limit,
            REQUIRES_OCCURRENCE_LIMIT,
        ),
        (entity.aggregate_limit, policy.gl_aggregate_limit, REQUIRES_AGGREGATE_LIMIT),
    ):
        if required is not None and required > actual:
            return ENTITY_REQUIREMENT_UNMET.format(
                requirement=template.format(
                    required=_dollars(required), actual=_dollars(actual)
                )
            )
    return _unmet_contract(policy, entity, lines, own)


def _unmet_contract(
    policy: Policy,
    entity: Entity,
    lines: Sequence[str] | None,
    own: Collection[str] = (),
) -> str | None:
    covered = {*(policy.lines if lines is None else lines), *entity.required_coverage}
    unmet = unmet_contract(
        policy=policy, entity=entity, lines=covered - set(own), own=own
    )
    return ENTITY_REQUIREMENT_UNMET.format(requirement=unmet) if unmet else None


def is_approved(category: CategoryCode, *, platform_id: int) -> bool:
    return category.approved_platforms.filter(pk=platform_id).exists()


def approved_subquery(platform_id: Any) -> Exists:
    """``is_approved`` for a job's category, as an annotation on the job's query."""
    return Exists(
        CategoryCode.approved_platforms.through.objects.filter(
            categorycode_id=OuterRef("category_code_id"), platform_id=platform_id
        )
    )


def check(
    *,
    contractor: Contractor,
    job: WorkJob,
    lines: Sequence[str] | None,
    effective_at: datetime,
    policy: Policy | None = None,
    end_at: datetime | None = None,
    approved: bool | None = None,
    live: list[Policy] | None = None,
    own_rows: Sequence[tuple[str, Any]] | None = None,
) -> Eligibility:
    """Seed 000's eligibility of ``contractor`` doing ``job`` from ``effective_at``.

    ``lines`` None means "what the contractor's most recent active policy carries";
    ``policy`` restricts the answer to that one policy. With ``end_at`` (the dispatch's
    end), the tech's own approved certificates count for the lines they cover for the
    whole window (``own_cover``), and the policies are judged on the other lines.
    Reads job.category_code and job.entity (select them with the job to save their
    queries); ``approved`` is ``is_approved`` when the caller read it with the job
    (``approved_subquery``). ``live`` and ``own_rows`` are ``live_policies`` and the
    approved own certificates (``own_cover.approved_rows``) when the caller read them
    for this very window (``coverage.services.dispatch_reads``).
    """
    category = job.category_code
    if category is None:
        return Eligibility(False, NO_JOB_CATEGORY)
    if approved is None:
        approved = is_approved(category, platform_id=contractor.platform_id)
    if not approved:
        return Eligibility(False, INVALID_JOB_CATEGORY)

    candidates = (
        live_policies(contractor=contractor, after=effective_at)
        if live is None
        else list(live)
    )
    if policy is not None:
        candidates = [p for p in candidates if p.pk == policy.pk]
    requested = tuple(lines) if lines else (candidates[0].lines if candidates else ())
    own: dict[str, OwnCover] = {}
    if end_at is not None and requested:
        covered = covering(
            contractor=contractor,
            job=job,
            lines=(*requested, *job.entity.required_coverage),
            starts=effective_at,
            ends=end_at,
            rows=own_rows,
        )
        requested, own = split(requested, covered)
    terms = Terms(
        lines=tuple(requested),
        work_state=normalize_state(job.work_state),
        residence_state=normalize_state(contractor.residence_state),
        category_code_id=job.category_code_id,
    )
    if _missing_state(terms):
        return Eligibility(False, NO_ADDRESS)
    if not candidates:
        return Eligibility(False, NO_ACTIVE_POLICY)

    found = {p.pk: mismatches(p, terms) for p in candidates}
    matching = [p for p in candidates if not found[p.pk]]
    if not matching:
        # min() keeps the first of equals: candidates are newest first.
        closest = min(candidates, key=lambda p: len(found[p.pk]))
        return Eligibility(False, _mismatch_message(found[closest.pk]))
    in_force = [p for p in matching if p.effective_at <= effective_at]
    if not in_force:
        return Eligibility(False, POLICY_AFTER_ASSIGNMENT)
    unmet = {p.pk: unmet_requirement(p, job.entity, terms.lines, own) for p in in_force}
    meeting = [p for p in in_force if unmet[p.pk] is None]
    if not meeting:
        return Eligibility(False, unmet[in_force[0].pk] or ENTITY_REQUIREMENT_UNMET)
    return Eligibility(True, ELIGIBLE, meeting[0], own)


def quote_eligibility(*, job: WorkJob, lines: Sequence[str]) -> Eligibility:
    """Would coverage bound from a quote for ``lines`` cover dispatches on ``job``?

    The same rules as ``check`` judge it, on the policy the quote would bind (its lines,
    the product's standard GL limits): steps 1 to 6 either refuse the quote outright
    (category, address, a matching policy already on file) or cannot fail for a new
    policy, so the answer is step 7, the job's customer-of-record's requirement. An
    ineligible quote may still be bound (the coverage serves other customers), but it
    says why it will not cover this job.
    """
    would_bind = Policy(lines=list(lines))
    unmet = unmet_requirement(would_bind, job.entity)
    if unmet is not None:
        return Eligibility(False, unmet)
    return Eligibility(True, ELIGIBLE)

"""Issue, re-issue and revoke: certificates follow their dispatch and policy."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F

from coverage.certificates.content import (
    CERTIFIED_LINES,
    DISPATCH_CHANGED,
    build_document,
    document_json,
    same_content,
)
from coverage.certificates.document import CertificateDocument
from coverage.certificates.rendering import enqueue_render, enqueue_renders
from coverage.models import Assignment, Certificate, new_certificate_number
from policies.models import Policy, PolicyStatus


def certified_lines(assignment: Assignment) -> list[str]:
    """The lines that need a certificate in force: none unless the dispatch is covered."""
    policy = assignment.policy
    if not assignment.is_covered or policy is None or assignment.deleted_at:
        return []
    return [
        line
        for line in CERTIFIED_LINES
        if line in assignment.lines and line in policy.lines
    ]


def _cover_ends_later(assignment: Assignment, *, now: datetime) -> bool:
    """The dispatch lost cover to its policy's cancellation, effective after ``now``
    while it runs: read from its certificates in force (the dispatch's own policy is
    gone once it is decided again as not covered)."""
    if assignment.is_covered or assignment.is_cancelled or assignment.deleted_at:
        return False
    return Certificate.objects.filter(
        assignment=assignment,
        status=Certificate.Status.ISSUED,
        policy__status=PolicyStatus.CANCELLED,
        policy__cancelled_at__gt=now,
        effective_at__lt=F("policy__cancelled_at"),
    ).exists()


def _issue(
    *, assignment: Assignment, line: str, document: CertificateDocument, now: datetime
) -> Certificate:
    certificate = _unsaved(assignment=assignment, line=line, document=document, now=now)
    certificate.save(force_insert=True)
    enqueue_render(certificate_id=certificate.pk)
    return certificate


def _unsaved(
    *, assignment: Assignment, line: str, document: CertificateDocument, now: datetime
) -> Certificate:
    policy = assignment.policy
    assert policy is not None
    return Certificate(
        number=document.number,
        platform_id=assignment.platform_id,
        assignment=assignment,
        policy=policy,
        line=line,
        effective_at=assignment.effective_at,
        end_at=assignment.end_at,
        policy_expires_at=policy.expires_at,
        insured_name=document.insured.name[:200],
        holder_name=document.holder.name[:200],
        document=document_json(document),
        issued_at=now,
    )


def _end(certificate: Certificate, *, status: str, reason: str, now: datetime) -> None:
    certificate.status = status
    certificate.revoked_at = now
    certificate.revocation_reason = reason
    # Its PDF no longer shows its status: render it again, with the VOID banner.
    certificate.render_pending = True
    certificate.save(
        update_fields=["status", "revoked_at", "revocation_reason", "render_pending"]
    )
    enqueue_render(certificate_id=certificate.pk)


# No savepoint (here and below): a failure fails the caller's writing transaction,
# which is the caller's intent; a savepoint would cost two statements for nothing.
@transaction.atomic(savepoint=False)
def reissue_certificates(
    *, assignment: Assignment, now: datetime, reason: str = DISPATCH_CHANGED
) -> list[Certificate]:
    """Bring the dispatch's certificates in line with it; returns the ones newly issued.

    A line that needs a certificate and has none in force gets one; one whose
    certificate would now read differently gets a new one that supersedes it; a line
    that no longer needs one (or a dispatch no longer covered) has its certificate
    revoked with ``reason``. A dispatch that has not changed changes nothing, so
    calling this twice is harmless. Call it with the assignment's row locked (or
    just created) in the writing transaction.
    """
    if _cover_ends_later(assignment, now=now):
        # Its policy's cancellation is still to come: its certificates stay in force
        # until then (coverage.certificates.cancellations revokes them at that moment).
        return []
    in_force = {
        c.line: c
        for c in Certificate.objects.select_for_update().filter(
            assignment=assignment, status=Certificate.Status.ISSUED
        )
    }
    wanted = certified_lines(assignment)
    for line, certificate in in_force.items():
        if line not in wanted:
            _end(certificate, status=Certificate.Status.REVOKED, reason=reason, now=now)
    issued = []
    for line in wanted:
        current = in_force.get(line)
        document = build_document(
            number=new_certificate_number(),
            assignment=assignment,
            policy=assignment.policy,  # type: ignore[arg-type]
            line=line,
            issued_at=now,
        )
        if current is not None and same_content(
            current.document, document_json(document)
        ):
            continue
        if current is not None:
            # Out of force first: the unique index allows one issued per line.
            _end(current, status=Certificate.Status.SUPERSEDED, reason=reason, now=now)
        new = _issue(assignment=assignment, line=line, document=document, now=now)
        if current is not None:
            current.superseded_by = new
            current.save(update_fields=["superseded_by"])
        issued.append(new)
    return issued


def issue_certificates(*, assignment: Assignment, now: datetime) -> list[Certificate]:
    """The certificates a dispatch needs now (none unless covered); see reissue."""
    return reissue_certificates(assignment=assignment, now=now)


@transaction.atomic(savepoint=False)
def issue_new_certificates(
    *, assignment: Assignment, now: datetime
) -> list[Certificate]:
    """The certificates of a dispatch created in this transaction (none unless covered).

    It has none yet, so nothing is read or superseded: one INSERT for all of them and
    one render task. They are kept on the assignment (``certificate_list``, as the
    list prefetch does), so its events and the response carry their URLs without
    reading them back.
    """
    issued = [
        _unsaved(
            assignment=assignment,
            line=line,
            document=build_document(
                number=new_certificate_number(),
                assignment=assignment,
                policy=assignment.policy,  # type: ignore[arg-type]
                line=line,
                issued_at=now,
            ),
            now=now,
        )
        for line in certified_lines(assignment)
    ]
    Certificate.objects.bulk_create(issued)
    enqueue_renders(certificate_ids=[c.pk for c in issued])
    assignment.certificate_list = issued  # type: ignore[attr-defined]
    return issued


def revoke_certificates(
    *, certificates: Iterable[Certificate], reason: str, now: datetime
) -> int:
    count = 0
    for certificate in certificates:
        _end(certificate, status=Certificate.Status.REVOKED, reason=reason, now=now)
        count += 1
    return count


@transaction.atomic
def revoke_for_assignment(*, assignment: Assignment, reason: str, now: datetime) -> int:
    """The dispatch was cancelled or deleted: its certificates are void from now."""
    return revoke_certificates(
        certificates=Certificate.objects.select_for_update().filter(
            assignment=assignment, status=Certificate.Status.ISSUED
        ),
        reason=reason,
        now=now,
    )


@transaction.atomic
def revoke_for_policy(*, policy: Policy, reason: str, now: datetime) -> int:
    """The policy was cancelled: the certificates it backs are void from now.

    Certificates of dispatches already over keep reading "expired": their coverage
    was real while they ran. The dispatches are locked before their certificates,
    the order every other writer takes, so a concurrent change of one of them waits
    instead of deadlocking.
    """
    list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(policy=policy, end_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return revoke_certificates(
        certificates=Certificate.objects.select_for_update()
        .filter(policy=policy, status=Certificate.Status.ISSUED, end_at__gt=now)
        .order_by("pk"),
        reason=reason,
        now=now,
    )


def _live_covered(policy: Policy, *, ending_after: datetime) -> list[Assignment]:
    return list(
        Assignment.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor", "job__entity", "policy")
        .covered()
        .live()
        .filter(policy=policy, end_at__gt=ending_after)
        .order_by("pk")
    )


@transaction.atomic
def reissue_for_policy(
    *, policy: Policy, reason: str, now: datetime, ending_after: datetime | None = None
) -> list[Certificate]:
    """Re-issue the certificates of the policy's covered dispatches that end after
    ``ending_after`` (default: now), e.g. after a reinstatement or a renewal."""
    issued: list[Certificate] = []
    for assignment in _live_covered(policy, ending_after=ending_after or now):
        issued += reissue_certificates(assignment=assignment, now=now, reason=reason)
    return issued

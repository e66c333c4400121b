"""An underwriter's decision on a flagged outside certificate: approve or deny, with a
reason, recorded (who, when, why, and a finding in the review's own list) and announced."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from coverage.models import ReviewResult, UploadedCertificate
from coverage.services.redecide import redecide_contractor
from coverage.uploads.serializers import uploaded_certificate_json
from coverage.webhooks import events
from portal.models import User

NOT_FLAGGED = "Only a flagged certificate waits for a decision; this one is {status}."
REASON_REQUIRED = (
    "Say why: the reason is kept with the decision and shown to the platform."
)
NOT_AN_UNDERWRITER = "Only an underwriter decides on a flagged certificate."
APPROVED_BY = "Approved by {who}: {reason}"
DENIED_BY = "Denied by {who}: {reason}"


@transaction.atomic
def decide_uploaded_certificate(
    *,
    certificate: UploadedCertificate,
    approve: bool,
    reason: str,
    by: User,
    now: datetime,
) -> UploadedCertificate:
    """Approve or deny a flagged certificate; refused unless flagged and with a reason."""
    if not (by.is_underwriter or by.is_superuser):
        raise ValidationError(NOT_AN_UNDERWRITER, code="403:insufficient_permissions")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    # Locked: two underwriters deciding at once end with one decision.
    certificate = (
        UploadedCertificate.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor", "entity")
        .get(pk=certificate.pk)
    )
    if certificate.status != UploadedCertificate.Status.FLAGGED:
        raise ValidationError(
            NOT_FLAGGED.format(status=certificate.get_status_display().lower())
        )
    who = by.get_full_name() or by.username
    if approve:
        # What the person checked: the findings the review could not decide.
        certificate.review_results.filter(
            result__in=(ReviewResult.Result.REVIEW, ReviewResult.Result.FAIL)
        ).update(manually_approved=True)
    ReviewResult.objects.create(
        certificate=certificate,
        rule_name="underwriter_decision",
        rule_path="status",
        result=ReviewResult.Result.PASS if approve else ReviewResult.Result.FAIL,
        denies=not approve,
        message=(APPROVED_BY if approve else DENIED_BY).format(who=who, reason=reason)[
            :500
        ],
        manually_approved=approve,
    )
    certificate.status = (
        UploadedCertificate.Status.APPROVED
        if approve
        else UploadedCertificate.Status.DENIED
    )
    certificate.decided_by = by
    certificate.decided_at = now
    certificate.decision_reason = reason[:500]
    certificate.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "updated_at",
        ]
    )
    if approve:
        # It may now cover lines of the tech's live dispatches (own_cover).
        redecide_contractor(contractor=certificate.contractor, now=now)
    events.emit(
        platform=certificate.platform,
        type="certificate.approved" if approve else "certificate.denied",
        data=uploaded_certificate_json(certificate, expand={"review_results"}),
    )
    return certificate

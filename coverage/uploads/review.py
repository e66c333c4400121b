"""The review of an outside certificate: a background task parses the stored PDF (in a
sandboxed child), judges it, records every finding and announces the outcome
(``certificate.approved`` / ``.flagged`` / ``.denied``; an ``error`` sends nothing, as
the public API's troubleshooting guide says)."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coverage.models import Assignment, ReviewResult, UploadedCertificate
from coverage.services.redecide import redecide_contractor
from coverage.uploads import judging
from coverage.uploads.parsing import Unreadable
from coverage.uploads.requirements import parse_requirement
from coverage.uploads.sandbox import parse_untrusted
from coverage.uploads.serializers import uploaded_certificate_json
from coverage.webhooks import events
from policies.models import Policy
from portal import queues

logger = logging.getLogger(__name__)

OPEN = (UploadedCertificate.Status.PENDING, UploadedCertificate.Status.PROCESSING)
EVENT_FOR_STATUS = {
    judging.APPROVED: "certificate.approved",
    judging.FLAGGED: "certificate.flagged",
    judging.DENIED: "certificate.denied",
}
# The dispatches a review checks the policy dates against, at most.
DISPATCHES_CHECKED = 20


def enqueue_review(*, certificate_id: int) -> None:
    def enqueue() -> None:
        review_certificate.enqueue(certificate_id)

    # After commit, so the worker finds the row; robust, because the upload stands
    # whatever happens here and the sweep reviews it. (A named function: Django logs a
    # robust callback's failure by its __qualname__.)
    transaction.on_commit(enqueue, robust=True)


def _dispatches(
    certificate: UploadedCertificate, now: datetime
) -> list[judging.Dispatch]:
    upcoming = (
        Assignment.objects.filter(
            contractor_id=certificate.contractor_id,
            end_at__gt=now,
            cancelled_at__isnull=True,
            deleted_at__isnull=True,
        )
        .order_by("effective_at", "pk")
        .only("public_id", "effective_at", "end_at")
    )
    if certificate.entity_id is not None:
        upcoming = upcoming.filter(job__entity_id=certificate.entity_id)
    return [
        judging.Dispatch(a.public_id, a.effective_at, a.end_at)
        for a in upcoming[:DISPATCHES_CHECKED]
    ]


def _our_lines(certificate: UploadedCertificate, now: datetime) -> dict[str, str]:
    """The lines the tech's active policies with us carry now, line → policy number."""
    ours: dict[str, str] = {}
    for policy in (
        Policy.objects.in_force(now)
        .filter(
            platform_id=certificate.platform_id, contractor_id=certificate.contractor_id
        )
        .order_by("-effective_at", "-pk")
        .only("number", "lines")
    ):
        for line in policy.lines:
            ours.setdefault(line, policy.number)
    return ours


def _insured_names(certificate: UploadedCertificate) -> list[str]:
    contractor = certificate.contractor
    names = [
        contractor.legal_name,
        f"{contractor.first_name} {contractor.last_name}",
        contractor.company_name,
    ]
    return [n for n in dict.fromkeys(names) if n.strip()]


def review_now(*, certificate_id: int, now: datetime | None = None) -> str:
    """Review one upload and record the outcome; the status it ended in (or why not).

    Safe with several workers: the row is locked, or skipped while another holds it,
    and an upload already decided is left alone.
    """
    now = now or timezone.now()
    with transaction.atomic():
        certificate = (
            UploadedCertificate.objects.select_for_update(
                skip_locked=True, of=("self",)
            )
            .select_related("contractor", "platform", "entity")
            .filter(pk=certificate_id, status__in=OPEN)
            .first()
        )
        if certificate is None:
            return "busy, gone or done"
        started = time.perf_counter()
        certificate.review_started_at = now
        try:
            with certificate.file.open("rb") as stored:
                data = stored.read()
            try:
                parsed = parse_untrusted(data)
                findings = judging.judge(
                    parsed,
                    requirement=parse_requirement(certificate.requirement),
                    owner=certificate.requirement_owner,
                    insured_names=_insured_names(certificate),
                    today=now.date(),
                    dispatches=_dispatches(certificate, now),
                    ours=_our_lines(certificate, now),
                )
            except Unreadable as exc:
                parsed = {"source": "unreadable", "reason": exc.reason}
                findings = judging.unreadable(exc.reason)
            status = judging.status_of(findings)
        except Exception:
            # Our fault, not the file's: no decision, no event; support sees it.
            logger.exception("Could not review uploaded certificate %s", certificate_id)
            certificate.status = UploadedCertificate.Status.ERROR
            certificate.reviewed_at = timezone.now()
            certificate.save(
                update_fields=[
                    "status",
                    "review_started_at",
                    "reviewed_at",
                    "updated_at",
                ]
            )
            return certificate.status
        ReviewResult.objects.bulk_create(
            ReviewResult(
                certificate=certificate,
                rule_name=f.rule_name,
                rule_path=f.rule_path,
                result=f.result,
                denies=f.denies,
                message=f.message[:500],
            )
            for f in findings
        )
        certificate.parsed = parsed
        certificate.status = status
        certificate.reviewed_at = timezone.now()
        certificate.review_seconds = round(time.perf_counter() - started, 3)
        certificate.save()
        if status == UploadedCertificate.Status.APPROVED:
            # It may now cover lines of the tech's live dispatches (own_cover).
            redecide_contractor(contractor=certificate.contractor, now=now)
        events.emit(
            platform=certificate.platform,
            type=EVENT_FOR_STATUS[status],
            data=uploaded_certificate_json(certificate, expand={"review_results"}),
        )
    return status


@task(queue_name=queues.DEFAULT)
def review_certificate(certificate_id: int) -> str:
    """Background review of one uploaded certificate (enqueued when it is stored)."""
    return review_now(certificate_id=certificate_id)


DEFAULT_SWEEP_LIMIT = 100


def review_pending_certificates(*, limit: int = DEFAULT_SWEEP_LIMIT) -> int:
    """Review uploads whose task was lost with a dead worker, oldest first; how many."""
    ids = list(
        UploadedCertificate.objects.filter(status__in=OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for certificate_id in ids:
        try:
            if review_now(certificate_id=certificate_id) in EVENT_FOR_STATUS:
                done += 1
        except Exception:
            logger.exception("Could not review uploaded certificate %s", certificate_id)
    return done

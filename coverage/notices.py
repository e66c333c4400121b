"""E-mail to contractors: charge notices, declined cards, opt-in links.

Through Django's e-mail framework (``EMAIL_URL``: SMTP in production, the console in
``make run``), each with a plain-text part and an HTML part rendered from
templates/coverage/email/. ``queue`` records the notice in the caller's
transaction; a task sends it once that commits; a failed send is retried with
back-off (the task again, or the ``send_notices`` sweep) up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from coverage.models import ApplicationSession, Assignment, Notice
from portal import queues

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Wait after the n-th failed attempt.
BACKOFF = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
]


def queue(
    *,
    platform_id: int,
    to: str,
    kind: str,
    context: dict[str, Any],
    now: datetime,
    zone: tzinfo,
) -> Notice:
    """Render and record a notice; it is sent once the current transaction commits.

    Its times read in ``zone`` (the job site's: where the tech will be), whoever's
    request or worker sends it.
    """
    base = f"coverage/email/{kind}"
    with timezone.override(zone):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    notice = Notice.objects.create(
        platform_id=platform_id,
        kind=kind,
        to=to,
        subject=subject,
        text=text,
        html=html,
        created_at=now,
        next_attempt_at=now,
    )
    notice_id = notice.pk

    def enqueue() -> None:
        send_notice.enqueue(notice_id)

    transaction.on_commit(enqueue, robust=True)
    return notice


def deliver(*, notice_id: int, now: datetime) -> bool:
    """Send one notice if it is due and unsent; True when it has been sent."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(skip_locked=True)
            .filter(pk=notice_id, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .first()
        )
        # A first attempt goes at once; a retry waits for its back-off.
        if notice is None or (notice.attempts and notice.next_attempt_at > now):
            return False
        message = EmailMultiAlternatives(
            subject=notice.subject,
            body=notice.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notice.to],
        )
        if notice.html:
            message.attach_alternative(notice.html, "text/html")
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            notice.attempts += 1
            notice.last_error = str(exc)[:300]
            notice.next_attempt_at = (
                now + BACKOFF[min(notice.attempts, len(BACKOFF)) - 1]
            )
            notice.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning(
                "Notice %s not sent (attempt %s): %s", notice.pk, notice.attempts, exc
            )
            return False
        notice.attempts += 1
        notice.sent_at = now
        notice.save(update_fields=["attempts", "sent_at"])
        return True


def deliver_due(*, now: datetime, limit: int = 500) -> int:
    """Send every due notice (lost tasks, retries after a failure); how many were sent."""
    ids = list(
        Notice.objects.filter(
            sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(notice_id=pk, now=now) for pk in ids)


@task(queue_name=queues.EMAIL)
def send_notice(notice_id: int) -> bool:
    return deliver(notice_id=notice_id, now=timezone.now())


def notify_opt_in(
    *, session: ApplicationSession, assignment: Assignment, now: datetime
) -> Notice | None:
    """The dispatcher's "Send opt-in link": the tech gets the link by e-mail."""
    contractor = assignment.contractor
    if not contractor.email:
        return None
    return queue(
        platform_id=assignment.platform_id,
        to=contractor.email,
        kind=Notice.Kind.OPT_IN_LINK,
        context={
            "first_name": contractor.first_name,
            "platform": session.platform.name,
            "job": assignment.job.name,
            "entity": assignment.job.entity.name,
            "starts": assignment.effective_at,
            "url": session.url,
            "expires_at": session.expires_at,
        },
        now=now,
        zone=assignment.job.zone,
    )

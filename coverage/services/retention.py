"""Retention: what is deleted once it has served its purpose (``manage.py purge_records``).

Only bookkeeping goes: the ledgers, audit history, events, deliveries and the records
a dispatch is decided on are kept for good. Each kind has its own setting (days):

- idempotency records older than ``IDEMPOTENCY_TTL_HOURS`` (a replay would treat
  them as new anyway);
- finished task results (successful or failed), ``RETENTION_TASK_RESULT_DAYS``;
- webhook attempts of deliveries that are over (succeeded, failed or cancelled),
  ``RETENTION_WEBHOOK_ATTEMPT_DAYS`` after the attempt; the delivery itself stays;
- expired Django sessions (what ``clearsessions`` deletes);
- application sessions that lapsed without being completed,
  ``RETENTION_APPLICATION_SESSION_DAYS`` after they lapsed;
- heartbeats of workers gone for a day.

Every delete is bounded by the cut-off alone, so the command is idempotent and any
number may run at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Q
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from coverage.models import ApplicationSession, Delivery, DeliveryAttempt
from portal.models import IdempotencyRecord, WorkerHeartbeat


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=int(getattr(settings, name, default)))


def purge_records(*, now: datetime) -> dict[str, int]:
    """Delete what retention allows; how many rows of each kind went."""
    purged: dict[str, int] = {}
    idempotency_cutoff = now - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    purged["idempotency_records"], _ = IdempotencyRecord.objects.filter(
        created_at__lt=idempotency_cutoff
    ).delete()
    purged["task_results"], _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=now - _days("RETENTION_TASK_RESULT_DAYS", 14),
    ).delete()
    purged["webhook_attempts"], _ = (
        DeliveryAttempt.objects.filter(
            started_at__lt=now - _days("RETENTION_WEBHOOK_ATTEMPT_DAYS", 30)
        )
        .exclude(delivery__status=Delivery.Status.PENDING)
        .delete()
    )
    session_cutoff = now - _days("RETENTION_APPLICATION_SESSION_DAYS", 30)
    purged["application_sessions"], _ = (
        ApplicationSession.objects.filter(completed_at__isnull=True)
        .filter(
            Q(expired_at__lt=session_cutoff)
            | Q(expired_at__isnull=True, expires_at__lt=session_cutoff)
        )
        .delete()
    )
    # The database session engine (the default; settings name no other).
    purged["sessions"], _ = Session.objects.filter(expire_date__lt=now).delete()
    purged["worker_heartbeats"], _ = WorkerHeartbeat.objects.filter(
        seen_at__lt=now - timedelta(days=1)
    ).delete()
    return purged

"""The contractor side's backlog, for /metrics (registered in ``CoverageConfig.ready``).

Read at scrape time, one aggregate query each, served by the partial indexes the
workers use themselves (``coverage_delivery_due_idx``, ``coverage_cert_pending_idx``):

- ``dcp_webhook_deliveries_overdue`` / ``…_overdue_seconds``: pending deliveries whose
  next attempt time has passed and that no worker has taken (an attempt in flight has
  its lease's end there, in the future), and how late the oldest is;
- ``dcp_certificate_renders_waiting`` / ``…_wait_seconds``: certificates whose stored
  PDF does not yet show their status (``render_pending``), and how long the oldest
  has waited since it was issued or revoked.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Min
from django.db.models.functions import Coalesce
from prometheus_client.core import GaugeMetricFamily, Metric

from coverage.models import Certificate, Delivery


def _age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since else 0.0


def backlog_gauges(now: datetime) -> Iterator[Metric]:
    """Two queries, whatever the tables hold."""
    overdue = Delivery.objects.due(at=now).aggregate(
        count=Count("id"), oldest=Min("next_attempt_at")
    )
    yield GaugeMetricFamily(
        "dcp_webhook_deliveries_overdue",
        "Pending webhook deliveries whose next attempt is due and not yet taken.",
        value=overdue["count"],
    )
    yield GaugeMetricFamily(
        "dcp_webhook_deliveries_overdue_seconds",
        "How long past its due time the oldest overdue delivery is (0: none).",
        value=_age(now, overdue["oldest"]),
    )
    waiting = Certificate.objects.filter(render_pending=True).aggregate(
        count=Count("id"), oldest=Min(Coalesce("revoked_at", "issued_at"))
    )
    yield GaugeMetricFamily(
        "dcp_certificate_renders_waiting",
        "Certificates whose PDF does not yet show their status (to render).",
        value=waiting["count"],
    )
    yield GaugeMetricFamily(
        "dcp_certificate_render_wait_seconds",
        "How long the oldest waiting certificate has waited since issue or revocation.",
        value=_age(now, waiting["oldest"]),
    )

"""Prometheus metrics at ``/metrics``, for a scraper holding ``DJANGO_METRICS_TOKEN``.

Two kinds:

- **Request latency**, observed by ``portal.request_log`` as each response leaves:
  ``dcp_http_request_duration_seconds{route, method, status}``. ``route`` is the URL
  pattern that matched (``/api/v1/contractors/<contractor_id>``), never the path
  itself, so ids do not multiply the series; ``unmatched`` for a path no pattern
  matched (a 404, a static file).
- **State of the backlog**, computed from the database at scrape time by the sources
  registered with ``register_gauges`` (portal's own below; coverage's in
  ``coverage/metrics.py``): a constant number of aggregate queries per scrape, one per
  source, whatever the size of the tables.

Several processes (gunicorn's workers) each hold their own latency counts. With
``PROMETHEUS_MULTIPROC_DIR`` set (an empty folder, the same for every worker of a
host, wiped when the server starts: ``gunicorn.conf.py`` does that and the bookkeeping
for exited workers), prometheus_client keeps them in files there and a scrape of any
worker reports the whole host.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Case, Count, F, Min, When
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from portal.models import WorkerHeartbeat
from portal.workers import stale_after

# Not in the library's global registry: each scrape builds its own (see exposition).
REQUEST_LATENCY = Histogram(
    "dcp_http_request_duration_seconds",
    "Time from the request reaching Django to its response leaving it, by URL pattern.",
    ["route", "method", "status"],
    registry=None,
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

GaugeSource = Callable[[datetime], Iterable[Metric]]
_sources: dict[str, GaugeSource] = {}


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    # A made-up method would be a new series per spelling: it counts as "other".
    method = method if method in _METHODS else "other"
    REQUEST_LATENCY.labels(route, method, str(status)).observe(seconds)


def register_gauges(name: str, source: GaugeSource) -> None:
    """Add ``source(now)`` to every scrape; it makes a constant number of queries."""
    _sources[name] = source


class ScrapeTimeGauges(Collector):
    """Calls every registered source when scraped: values are read, never kept."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        for source in _sources.values():
            yield from source(now)


def exposition() -> bytes:
    """The text a scrape receives."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every worker's latency counts, from the shared folder.
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(ScrapeTimeGauges())
    return generate_latest(registry)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        # No token configured: the endpoint does not exist (said in plain text, as a
        # scraper reads it, not the portal's HTML page).
        return HttpResponseNotFound("Not found.\n", content_type="text/plain")
    sent = request.headers.get("Authorization", "")
    expected = f"Bearer {token}"
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        response = HttpResponse(
            "A bearer token is required.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


# ---------------------------------------------------------------------------
# portal's own gauges: the task queues and the workers that serve them


def _known_queues() -> list[str]:
    backend = settings.TASKS.get("default", {})
    return list(backend.get("QUEUES") or ["default"])


def task_queue_gauges(now: datetime) -> Iterator[Metric]:
    """Ready tasks and the age of the oldest per queue (django_tasks_db's table): 1 query."""
    never = get_date_max()
    rows = (
        DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(
            ready=Count("id"),
            # Ready since it was enqueued, or since the time it was to run after.
            since=Min(
                Case(When(run_after=never, then=F("enqueued_at")), default="run_after")
            ),
        )
        .order_by()
    )
    ready = GaugeMetricFamily(
        "dcp_task_queue_ready", "Tasks ready to run, not yet claimed.", labels=["queue"]
    )
    lag = GaugeMetricFamily(
        "dcp_task_queue_lag_seconds",
        "How long the oldest ready task has waited for a worker (0: none waits).",
        labels=["queue"],
    )
    seen = {row["queue_name"]: row for row in rows}
    for queue in sorted(set(_known_queues()) | set(seen)):
        row = seen.get(queue)
        ready.add_metric([queue], row["ready"] if row else 0)
        waited = (now - row["since"]).total_seconds() if row else 0.0
        lag.add_metric([queue], max(waited, 0.0))
    yield ready
    yield lag


def worker_gauges(now: datetime) -> Iterator[Metric]:
    """Workers whose heartbeat is recent (portal.workers): 1 query."""
    live = WorkerHeartbeat.objects.filter(seen_at__gte=now - stale_after()).count()
    yield GaugeMetricFamily(
        "dcp_workers_live",
        "Background workers that have checked in within DJANGO_WORKER_STALE_SECONDS.",
        value=live,
    )


register_gauges("portal.task_queues", task_queue_gauges)
register_gauges("portal.workers", worker_gauges)

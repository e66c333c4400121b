"""gunicorn's settings: `gunicorn portal.wsgi` reads this file from the folder it starts in.

- Its own lines (workers booting, timeouts, crashes) in the same JSON as the
  application's when DJANGO_LOG_FORMAT is json, the default with debug off
  (portal/logs.py). Its access log stays off: the application writes one access line
  per request, with the request id.
- Prometheus with several workers: when PROMETHEUS_MULTIPROC_DIR is set, the folder
  is emptied as the server starts (counts from a previous run would be added in) and
  a worker's live gauges are dropped when it exits; the workers' latency counts stay
  and are summed by every scrape (portal/metrics.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

_debug = os.environ.get("DJANGO_DEBUG", "0").lower() in ("1", "true", "yes", "on")
_log_format = os.environ.get("DJANGO_LOG_FORMAT") or ("text" if _debug else "json")

if _log_format == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["stderr"],
                "propagate": False,
            },
            "gunicorn.access": {
                "level": "INFO",
                "handlers": ["stderr"],
                "propagate": False,
            },
        },
    }


def on_starting(server: Any) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

"""Log lines: one JSON object per line in production, plain text for a person at a terminal.

``DJANGO_LOG_FORMAT=json`` (the default with debug off) writes every record as one JSON
object: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``request_id``,
``pid``, ``task_id`` inside a background task, ``exc_info`` (the traceback, as one string) when
there is one, and the record's own scalar extras (the access line's ``method``,
``path``, ``route``, ``status``, ``duration_ms``; Django's ``status_code``). A log
shipper needs no parsing rules, and a traceback stays on its line.

``DJANGO_LOG_FORMAT=text`` (the default with debug on: ``make run``) keeps the short
human form ``LEVEL logger [request-id] message``.

A small stdlib formatter rather than python-json-logger or structlog: the field names
are ours to choose, every existing ``logger.info("…%s", x)`` call stays as it is, and
gunicorn's own loggers use the same class (``gunicorn.conf.py``). This module imports
no models: settings load it before the apps are ready.
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

FORMATS = ("json", "text")

# What every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__
) | {"message", "asctime", "request_id", "task_id", "taskName"}


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON (see the module's doc for the fields)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            # Which of a host's processes (gunicorn workers, db_workers) wrote it.
            "pid": record.process,
        }
        task_id = getattr(record, "task_id", None)
        if task_id:
            line["task_id"] = task_id
        for key, value in record.__dict__.items():
            # Scalars only: Django attaches the request object itself, which is no
            # log field (and could carry anything).
            if key not in _RECORD_ATTRIBUTES and isinstance(
                value, str | int | float | bool
            ):
                line.setdefault(key, value)
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_settings(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting for ``log_format`` ("json" or "text")."""
    if log_format not in FORMATS:
        raise ValueError(
            f"DJANGO_LOG_FORMAT must be one of {', '.join(FORMATS)} (got {log_format!r})"
        )
    json_lines = log_format == "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "portal.request_ids.RequestIdLogFilter"},
            "url_secrets": {"()": "portal.log_redaction.RedactUrlSecretsFilter"},
        },
        "formatters": {
            "json": {"()": "portal.logs.JsonFormatter"},
            "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own default sends "django" to a debug-only console handler of
            # its own (a second, plain copy of each line): one handler for all.
            "django": {"handlers": [], "level": level, "propagate": True},
            # "Not Found: /apply/<token>/": the token is the key to a hosted page.
            "django.request": {"filters": ["url_secrets"]},
            # runserver's per-request lines know no request id and repeat the access
            # line (portal.request_log): off in JSON. In text they stay as Django
            # prints them, for the person at `make run`.
            **(
                {
                    "django.server": {
                        "handlers": [],
                        "level": "CRITICAL",
                        "propagate": True,
                    }
                }
                if json_lines
                else {}
            ),
        },
    }


def configure(config: dict[str, Any]) -> None:
    """LOGGING_CONFIG: apply LOGGING and send Python warnings through it too.

    A warning (a library's deprecation, WhiteNoise's missing static folder) would
    otherwise be written to stderr raw, the one line a JSON log shipper cannot read.
    """
    logging.config.dictConfig(config)
    logging.captureWarnings(True)

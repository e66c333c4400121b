"""Secrets in URLs kept out of logs and error reports.

A hosted page's URL carries its ``<token>``, which is the key to that page (a tech's
application, a payment session). Wherever a path is written down — the access line,
Django's "Not Found: /apply/…" warning, a Sentry event — that capture is replaced with
``[Filtered]``. This module imports no models: the logging configuration loads it
before the apps are ready.
"""

from __future__ import annotations

import logging

from django.urls import Resolver404, ResolverMatch, resolve

# URL captures that are credentials.
SECRET_URL_KWARGS = frozenset({"token"})
FILTERED = "[Filtered]"


def secrets_in(match: ResolverMatch | None) -> list[str]:
    if match is None:
        return []
    return [
        value
        for name, value in match.kwargs.items()
        if name in SECRET_URL_KWARGS and isinstance(value, str) and value
    ]


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, FILTERED)
    return text


def redacted_path(path: str, match: ResolverMatch | None = None) -> str:
    """``path`` with every secret URL capture replaced (resolving it if need be)."""
    if match is None:
        try:
            match = resolve(path)
        except Resolver404:
            return path
    return redact(path, secrets_in(match))


class RedactUrlSecretsFilter(logging.Filter):
    """On ``django.request``: its lines name the path; the path may hold a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        secrets = secrets_in(getattr(request, "resolver_match", None))
        if secrets:
            record.msg, record.args = redact(record.getMessage(), secrets), None
        return True

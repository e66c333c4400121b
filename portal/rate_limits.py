"""Per-key request limits for the JSON APIs, counted where every web host sees them.

Each API key (or, for a request without one, each client address) may make
``API_RATE_LIMIT_REQUESTS`` requests per ``API_RATE_LIMIT_WINDOW_SECONDS``; past that
the API answers 429 with ``Retry-After`` until the window ends. Counters live in
Django's ``rate_limits`` cache: Redis when ``DJANGO_CACHE_REDIS_URL`` is set (an
atomic INCR, exact under concurrency), else the database cache table, which every
host shares too but whose increments can undercount a burst of simultaneous requests
(the limit is then approximate, never stricter than configured).

A cache that cannot be reached lets requests through (logged): a limit protects the
service and must not become a way to take it down.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from portal.api import ApiError
from portal.api_keys import key_from_headers

logger = logging.getLogger(__name__)

CACHE_ALIAS = "rate_limits"
TOO_MANY_REQUESTS = (
    "Too many requests for this API key: at most {limit} every {window} seconds. "
    "Retry after {seconds} seconds."
)


def rate_limit_refusal(request: HttpRequest) -> ApiError | None:
    """The 429 this request earns by exceeding its key's limit, or None."""
    limit: int = settings.API_RATE_LIMIT_REQUESTS
    window: int = settings.API_RATE_LIMIT_WINDOW_SECONDS
    if limit <= 0 or window <= 0:
        return None
    now = time.time()
    index = math.floor(now / window)
    counter = f"api:{_caller(request)}:{window}:{index}"
    cache = caches[CACHE_ALIAS]
    try:
        # add() starts the window's counter only if no other request (or host) has.
        cache.add(counter, 0, timeout=window + 1)
        count = cache.incr(counter)
    except ValueError:
        # The counter expired between add() and incr(): this request opens a window.
        count = 1
    except Exception:  # the cache backend's own connection errors vary by backend
        logger.warning("rate-limit cache unavailable; request allowed", exc_info=True)
        return None
    if count <= limit:
        return None
    seconds = max(1, math.ceil((index + 1) * window - now))
    return ApiError(
        TOO_MANY_REQUESTS.format(limit=limit, window=window, seconds=seconds),
        status=429,
        retry_after=seconds,
    )


def _caller(request: HttpRequest) -> str:
    """Who a request counts against: its key (hashed; any accepted spelling of the
    header), else its address. No database read: a refused request costs nothing."""
    raw = key_from_headers(request)
    if raw:
        return "key:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    return "addr:" + request.META.get("REMOTE_ADDR", "")

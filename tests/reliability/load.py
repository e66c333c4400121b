"""Driving web hosts from outside, as a platform's integration and a tech's browser do:
JSON API calls with the platform's key, the hosted card page's form, and calls run
side by side or released at the same moment."""

from __future__ import annotations

import json
import secrets
import statistics
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirects)


@dataclass(frozen=True)
class Host:
    url: str
    key: str

    def send(
        self, method: str, path: str, body: Any = None, *, key: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Authorization": f"Bearer {self.key}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if key:
            headers["Ten99Policy-Idempotent-Key"] = key
        request = urllib.request.Request(
            self.url + path,
            data=None if body is None else json.dumps(body).encode(),
            headers=headers,
            method=method,
        )
        try:
            with OPENER.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def post(self, path: str, body: Any, *, key: str | None = None) -> dict[str, Any]:
        status, _, raw = self.send("POST", f"/api/v1{path}", body, key=key)
        assert status in (200, 201), (self.url, path, status, raw[:500])
        return json.loads(raw)

    def save_card(self, session_url: str, number: str) -> str:
        """The tech's card on the hosted page (its form, with its CSRF cookie)."""
        token = secrets.token_hex(16)
        request = urllib.request.Request(
            self.url + urlsplit(session_url).path + "card",
            data=urlencode(
                {"csrfmiddlewaretoken": token, "card_number": number}
            ).encode(),
            headers={"Cookie": f"csrftoken={token}"},
            method="POST",
        )
        try:
            OPENER.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            assert error.code == 302, error.read()[:500]
            return error.headers["Location"]
        raise AssertionError("the card page did not send the tech back")


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def in_parallel(calls: list[Callable[[], Any]], threads: int = 4) -> list[Any]:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [f.result() for f in [pool.submit(call) for call in calls]]


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Every call released at the same moment (one thread each)."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            barrier.wait()
            return call()

        return run

    return in_parallel([released(c) for c in calls], threads=len(calls))

"""Two outside checks of issue 14 repeated on a live server over plain HTTP, as the
attacker ran them: the SSRF address list against /api/v1/webhook_endpoints, and 20
wrong passwords then the right one on the sign-in page. Each prints its counts."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from coverage.models import WebhookEndpoint
from portal.models import User
from tests.conftest import PASSWORD
from tests.coverage.test_webhook_ssrf import CREDENTIALS, INTERNAL

pytestmark = pytest.mark.django_db(transaction=True)


def call(
    opener: urllib.request.OpenerDirector,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
        exc.close()
        return exc.code, body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_ssrf_address_list(
    live_server, platform_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    opener = urllib.request.build_opener()
    urls = [url for url, _ in INTERNAL] + CREDENTIALS
    answers: dict[int, int] = {}
    for url in urls:
        status, body = call(
            opener,
            f"{live_server.url}/api/v1/webhook_endpoints",
            data=json.dumps({"url": url}).encode(),
            headers={
                "Authorization": f"Bearer {platform_key}",
                "Content-Type": "application/json",
            },
        )
        answers[status] = answers.get(status, 0) + 1
        assert status == 400, (url, status, body[:200])
        assert json.loads(body)["error_code"] == "invalid_input"
    with capsys.disabled():
        print(
            f"\nSSRF (live): {len(urls)} webhook URLs tried, "
            f"{answers.get(400, 0)} refused with 400, "
            f"{len(urls) - answers.get(400, 0)} accepted"
        )
    assert not WebhookEndpoint.objects.exists()


def test_lockout_after_twenty_wrong_passwords(
    live_server, dispatcher: User, capsys: pytest.CaptureFixture[str]
) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), _NoRedirect
    )
    login = f"{live_server.url}/login/"

    def attempt(password: str) -> int:
        status, page = call(opener, login)
        if status == 429:
            # Locked already for this client: the form is not even shown.
            return status
        assert status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:300]
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": dispatcher.username,
                "password": password,
            }
        ).encode()
        status, _ = call(opener, login, data=form, headers={"Referer": login})
        return status

    wrong = [attempt(f"guess-{i}") for i in range(20)]
    right = attempt(PASSWORD)
    with capsys.disabled():
        print(
            f"\nLockout (live): 20 wrong passwords → {wrong.count(200)} form again, "
            f"{wrong.count(429)} locked (429); then the right one → {right}"
        )
    assert set(wrong) <= {200, 429} and wrong[-1] == 429
    assert right == 429
    assert "sessionid" not in {cookie.name for cookie in jar}

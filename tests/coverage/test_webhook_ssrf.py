"""Webhook URLs cannot reach inside (SSRF): refused at registration, and at connect time
with the address resolved once, checked and pinned (DNS rebinding)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from coverage.models import DeliveryAttempt, WebhookEndpoint
from coverage.webhooks import targets
from coverage.webhooks.events import emit
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.webhook_receiver import serving

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook_endpoints"
POLICY = {"id": "pl_WzFRszJhoY", "object": "policy", "status": "active"}

# (url, what the message must say): every spelling an attacker tried or would try.
INTERNAL = [
    ("http://localhost:5432/", "a loopback address (127.0.0.1)"),
    ("http://LOCALHOST./", "a loopback address (127.0.0.1)"),
    ("http://hooks.localhost/", "a loopback address (127.0.0.1)"),
    ("http://127.0.0.1:9/", "a loopback address (127.0.0.1)"),
    ("http://127.0.0.2:9/", "a loopback address (127.0.0.2)"),
    ("http://[::1]/", "a loopback address (::1)"),
    ("http://2130706433/", "a loopback address (127.0.0.1)"),
    ("http://0177.0.0.1/", "a loopback address (127.0.0.1)"),
    ("http://0x7f.0.0.1/", "a loopback address (127.0.0.1)"),
    ("http://0x7f000001/", "a loopback address (127.0.0.1)"),
    ("http://127.1/", "a loopback address (127.0.0.1)"),
    ("http://017700000001/", "a loopback address (127.0.0.1)"),
    ("http://[::ffff:127.0.0.1]/", "a loopback address (127.0.0.1)"),
    ("http://[::ffff:7f00:1]:8080/", "a loopback address (127.0.0.1)"),
    ("http://[64:ff9b::7f00:1]/", "a loopback address (127.0.0.1)"),
    ("http://[2002:7f00:1::]/", "a loopback address (127.0.0.1)"),
    ("http://0.0.0.0/", "unspecified (0.0.0.0)"),
    ("http://0/", "unspecified (0.0.0.0)"),
    ("http://[::]/", "unspecified (::)"),
    ("http://10.0.0.5/", "a private address (10.0.0.5)"),
    ("http://172.16.3.4/", "a private address (172.16.3.4)"),
    ("http://192.168.1.1/", "a private address (192.168.1.1)"),
    ("http://[fc00::1]/", "a private address (fc00::1)"),
    ("http://[::ffff:10.1.2.3]/", "a private address (10.1.2.3)"),
    ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
    ("http://[fe80::1]/", "a link-local address (fe80::1)"),
    ("http://224.0.0.1/", "a multicast address (224.0.0.1)"),
    ("http://[ff02::1]/", "a multicast address (ff02::1)"),
    ("http://240.0.0.1/", "(240.0.0.1)"),
    ("http://255.255.255.255/", "(255.255.255.255)"),
    ("http://100.64.0.1/", "not a public address (100.64.0.1)"),
    ("http://192.0.2.10/", "(192.0.2.10)"),
]
CREDENTIALS = [
    "http://user:pw@127.0.0.1:9/",
    "https://user:pw@dispatch.example.com/hooks",
    "https://token@dispatch.example.com/hooks",
    "https://:secret@dispatch.example.com/hooks",
]


def send(method: str, path: str, key: str, body: Any) -> Any:
    return Client().generic(
        method,
        path,
        json.dumps(body),
        content_type="application/json",
        headers=bearer(key),
    )


def refused_with(response: Any, text: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error_code"] == "invalid_input"
    assert text in json.dumps(body["message"])


class TestRegistration:
    @pytest.mark.parametrize(("url", "kind"), INTERNAL)
    def test_internal_addresses_are_refused(
        self, platform_key: str, url: str, kind: str
    ) -> None:
        response = send("POST", URL, platform_key, {"url": url})
        refused_with(response, "url must point to a public address")
        refused_with(response, kind)
        assert not WebhookEndpoint.objects.exists()

    @pytest.mark.parametrize("url", CREDENTIALS)
    def test_credentials_in_the_url_are_refused(
        self, platform_key: str, url: str
    ) -> None:
        response = send("POST", URL, platform_key, {"url": url})
        refused_with(response, targets.CREDENTIALS_IN_URL)
        assert not WebhookEndpoint.objects.exists()

    def test_a_change_of_url_is_checked_too(self, platform_key: str) -> None:
        created = send("POST", URL, platform_key, {"url": "https://93.184.216.34/in"})
        assert created.status_code == 201, created.content
        response = send(
            "PUT",
            f"{URL}/{created.json()['id']}",
            platform_key,
            {"url": "http://0177.0.0.1:5432/"},
        )
        refused_with(response, "a loopback address (127.0.0.1)")
        assert WebhookEndpoint.objects.get().url == "https://93.184.216.34/in"

    @pytest.mark.parametrize(
        "url",
        [
            "https://93.184.216.34/hooks",
            "https://[2606:2800:220:1:248:1893:25c8:1946]/hooks",
            # Not resolvable from here: allowed now, checked again at delivery.
            "https://dispatch.example.com/hooks",
        ],
    )
    def test_public_receivers_are_accepted(self, platform_key: str, url: str) -> None:
        response = send("POST", URL, platform_key, {"url": url})
        assert response.status_code == 201, response.content
        assert response.json()["url"] == url

    def test_listed_internal_hosts_are_accepted_but_never_with_credentials(
        self, platform_key: str, settings
    ) -> None:
        settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["hooks.lan", "10.0.0.7", "[::1]"]
        for url in (
            "http://hooks.lan:8000/in",
            "http://10.0.0.7/in",
            "http://[::1]/in",
        ):
            response = send("POST", URL, platform_key, {"url": url})
            assert response.status_code == 201, (url, response.content)
        refused_with(
            send("POST", URL, platform_key, {"url": "http://10.0.0.8/in"}),
            "a private address (10.0.0.8)",
        )
        refused_with(
            send("POST", URL, platform_key, {"url": "http://a:b@10.0.0.7/in"}),
            targets.CREDENTIALS_IN_URL,
        )
        assert WebhookEndpoint.objects.count() == 3

    def test_counts(
        self, platform_key: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        refused = sum(
            send("POST", URL, platform_key, {"url": url}).status_code == 400
            for url in [u for u, _ in INTERNAL] + CREDENTIALS
        )
        with capsys.disabled():
            print(
                f"\nSSRF: {refused} of {len(INTERNAL) + len(CREDENTIALS)} internal or "
                f"credentialed webhook URLs refused at registration"
            )
        assert refused == len(INTERNAL) + len(CREDENTIALS)
        assert not WebhookEndpoint.objects.exists()


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """A name server under the test's control for names ending in .rebind.test.

    Each lookup of such a name takes the next answer from its list (an attacker's
    server answers a public address first and loopback after); a name with no
    answers left fails as an unknown name. Every other name is looked up for real.
    """
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".rebind.test"):
            queue = answers.get(host, [])
            if not queue:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return real(queue.pop(0), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield answers


class TestDelivery:
    def test_a_name_rebound_to_loopback_after_registration_gets_nothing(
        self,
        platform: Platform,
        platform_key: str,
        dns: dict[str, list[str]],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with serving() as receiver:
            port = receiver.url.split(":")[2].split("/")[0]
            name = "hooks.rebind.test"
            # Public when registered; loopback (where the receiver listens) at delivery.
            dns[name] = ["93.184.216.34", "127.0.0.1"]
            response = send(
                "POST", URL, platform_key, {"url": f"http://{name}:{port}/hooks"}
            )
            assert response.status_code == 201, response.content
            with django_capture_on_commit_callbacks(execute=True):
                emit(platform=platform, type="policy.created", data=POLICY)
            assert receiver.requests == []

        [attempt] = DeliveryAttempt.objects.all()
        assert attempt.status_code is None and not attempt.succeeded
        assert attempt.error == "Not delivered: " + targets.INTERNAL_ADDRESS.format(
            host=name, kind="a loopback address", address="127.0.0.1"
        )

    def test_a_row_pointing_inside_is_not_delivered(
        self, platform: Platform, django_capture_on_commit_callbacks: Any
    ) -> None:
        # An endpoint stored before registration checked addresses.
        with serving() as receiver:
            WebhookEndpoint.objects.create(
                platform=platform,
                url=receiver.url.replace("127.0.0.1", "localhost"),
                secret="whsec_test",
            )
            with django_capture_on_commit_callbacks(execute=True):
                emit(platform=platform, type="policy.created", data=POLICY)
            assert receiver.requests == []
        [attempt] = DeliveryAttempt.objects.all()
        assert attempt.error.startswith("Not delivered: url must point to a public")

    def test_the_checked_address_is_the_one_connected_to(
        self,
        platform: Platform,
        dns: dict[str, list[str]],
        settings,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        """One lookup per attempt; the connection uses its answer, the Host header the name."""
        settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["hooks.rebind.test"]
        name = "hooks.rebind.test"
        with serving() as receiver:
            port = receiver.url.split(":")[2].split("/")[0]
            WebhookEndpoint.objects.create(
                platform=platform, url=f"http://{name}:{port}/hooks", secret="whsec_t"
            )
            # One answer only: a second lookup (re-resolving to connect) would fail.
            dns[name] = ["127.0.0.1"]
            with django_capture_on_commit_callbacks(execute=True):
                emit(platform=platform, type="policy.created", data=POLICY)

        [attempt] = DeliveryAttempt.objects.all()
        assert attempt.succeeded, attempt.error
        [received] = receiver.requests
        assert received.headers["host"] == f"{name}:{port}"
        assert received.path == "/hooks"
        assert dns[name] == []

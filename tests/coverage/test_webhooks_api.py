"""/api/v1/webhook_endpoints through HTTP: CRUD, validation, tenant isolation, query counts."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from coverage.api.webhooks import NO_SUCH_ENDPOINT
from coverage.models import Delivery, Event, WebhookEndpoint
from coverage.webhooks import endpoints
from portal.api import INVALID_API_KEY
from portal.models import Platform
from tests.conftest import bearer, field_errors

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook_endpoints"
HOOK = "https://dispatch.example.com/hooks/coverage"


def send(method: str, path: str, key: str, body: Any = None, **headers: str):
    return Client().generic(
        method,
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers={**bearer(key), **headers},
    )


def create(key: str, **body: Any) -> dict[str, Any]:
    response = send("POST", URL, key, {"url": HOOK, **body})
    assert response.status_code == 201, response.content
    return response.json()


def not_found(endpoint_id: str) -> dict[str, str]:
    return {
        "message": NO_SUCH_ENDPOINT.format(id=endpoint_id),
        "error_code": "invalid_webhook_endpoint_id",
    }


class TestCreate:
    def test_it_creates_an_endpoint_with_its_secret(
        self, platform: Platform, platform_key: str
    ) -> None:
        body = create(platform_key, description="Dispatch board")
        assert set(body) == {
            "id",
            "object",
            "url",
            "description",
            "events",
            "secret",
            "created",
        }
        assert re.fullmatch(r"whe_[0-9A-Za-z]{22}", body["id"])
        assert re.fullmatch(r"whsec_[0-9A-Za-z]{32}", body["secret"])
        assert body["object"] == "webhook_endpoint"
        assert (body["url"], body["description"]) == (HOOK, "Dispatch board")
        assert body["events"] == ["*"]  # left out means every event
        assert abs(body["created"] - timezone.now().timestamp()) < 5
        endpoint = WebhookEndpoint.objects.get(public_id=body["id"])
        assert endpoint.platform == platform and endpoint.secret == body["secret"]

    def test_events_are_kept_once_each_and_star_means_all(
        self, platform_key: str
    ) -> None:
        body = create(
            platform_key,
            events=["policy.created", "assignment.cancelled", "policy.created"],
        )
        assert body["events"] == ["policy.created", "assignment.cancelled"]
        assert create(platform_key, events=["policy.created", "*"])["events"] == ["*"]
        assert create(platform_key, events=[])["events"] == ["*"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({}, {"url": endpoints.URL_REQUIRED}),
            ({"url": "  "}, {"url": endpoints.URL_REQUIRED}),
            ({"url": "ftp://files.example.com/in"}, {"url": endpoints.URL_INVALID}),
            ({"url": "javascript:alert(1)"}, {"url": endpoints.URL_INVALID}),
            ({"url": "dispatch.example.com/hooks"}, {"url": endpoints.URL_INVALID}),
            (
                {"url": "https://example.com/" + "a" * 2000},
                {"url": endpoints.URL_TOO_LONG},
            ),
            (
                {"url": HOOK, "events": ["policy.created", "policy.exploded"]},
                {"events": endpoints.UNKNOWN_EVENT_TYPE.format(type="policy.exploded")},
            ),
            (
                {"url": HOOK, "description": "x" * 501},
                {"description": endpoints.DESCRIPTION_TOO_LONG},
            ),
            (
                {"url": HOOK, "description": "night\x00shift"},
                {"description": endpoints.DESCRIPTION_HAS_NUL},
            ),
            (
                {"url": "mailto:ops@example.com", "events": ["nope"]},
                {
                    "url": endpoints.URL_INVALID,
                    "events": endpoints.UNKNOWN_EVENT_TYPE.format(type="nope"),
                },
            ),
        ],
        ids=[
            "missing-url",
            "blank-url",
            "ftp",
            "javascript",
            "no-scheme",
            "too-long",
            "unknown-event",
            "long-description",
            "nul-in-description",
            "two-bad-fields",
        ],
    )
    def test_invalid_input_is_400_with_a_message_per_field(
        self, platform_key: str, body: dict[str, Any], message: dict[str, str]
    ) -> None:
        response = send("POST", URL, platform_key, body)
        assert response.status_code == 400
        assert field_errors(response.json()) == {
            "message": message,
            "error_code": "invalid_input",
        }
        assert not WebhookEndpoint.objects.exists()

    def test_events_must_be_a_list(self, platform_key: str) -> None:
        response = send(
            "POST", URL, platform_key, {"url": HOOK, "events": "policy.created"}
        )
        assert response.status_code == 400
        body = response.json()
        assert body["error_code"] == "invalid_input"
        assert list(body["fields"]) == ["events"]

    def test_an_idempotent_retry_creates_one_endpoint(self, platform_key: str) -> None:
        first = send(
            "POST",
            URL,
            platform_key,
            {"url": HOOK},
            **{"Ten99Policy-Idempotent-Key": "k1"},
        )
        again = send(
            "POST",
            URL,
            platform_key,
            {"url": HOOK},
            **{"Ten99Policy-Idempotent-Key": "k1"},
        )
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert WebhookEndpoint.objects.count() == 1

    def test_it_needs_a_key(self) -> None:
        response = Client().post(URL, {"url": HOOK}, content_type="application/json")
        assert response.status_code == 401
        assert response.json() == {
            "message": INVALID_API_KEY,
            "error_code": "invalid_api_key",
        }


class TestReadUpdateDelete:
    def test_retrieve(self, platform_key: str) -> None:
        created = create(platform_key)
        response = send("GET", f"{URL}/{created['id']}", platform_key)
        assert response.status_code == 200
        assert response.json() == created

    def test_put_changes_only_what_it_is_given(self, platform_key: str) -> None:
        created = create(platform_key, description="old", events=["policy.created"])
        response = send(
            "PUT", f"{URL}/{created['id']}", platform_key, {"description": "new"}
        )
        assert response.status_code == 200
        assert response.json() == {**created, "description": "new"}

        response = send(
            "PUT",
            f"{URL}/{created['id']}",
            platform_key,
            {"url": "https://other.example.com/in", "events": ["*"]},
        )
        assert response.json() == {
            **created,
            "description": "new",
            "url": "https://other.example.com/in",
            "events": ["*"],
        }

    def test_put_validates_like_create(self, platform_key: str) -> None:
        created = create(platform_key)
        response = send(
            "PUT", f"{URL}/{created['id']}", platform_key, {"url": "ftp://x.example"}
        )
        assert response.status_code == 400
        assert field_errors(response.json()) == {
            "message": {"url": endpoints.URL_INVALID},
            "error_code": "invalid_input",
        }
        assert WebhookEndpoint.objects.get().url == HOOK

    def test_delete_answers_the_deleted_shape_and_stops_deliveries(
        self, platform: Platform, platform_key: str
    ) -> None:
        created = create(platform_key)
        endpoint = WebhookEndpoint.objects.get()
        event = Event.objects.create(platform=platform, type="policy.created", data={})
        pending = Delivery.objects.create(
            event=event, endpoint=endpoint, next_attempt_at=timezone.now()
        )

        response = send("DELETE", f"{URL}/{created['id']}", platform_key)
        assert response.status_code == 200
        body = response.json()
        assert body == {
            "id": created["id"],
            "object": "webhook_endpoint",
            "deleted": True,
            "deleted_at": body["deleted_at"],
        }
        assert abs(body["deleted_at"] - timezone.now().timestamp()) < 5
        pending.refresh_from_db()
        assert pending.status == Delivery.Status.CANCELLED

        # Gone from every read, and a second delete is a 404.
        for method in ("GET", "DELETE"):
            response = send(method, f"{URL}/{created['id']}", platform_key)
            assert response.status_code == 404
            assert response.json() == not_found(created["id"])
        assert send("GET", URL, platform_key).json() == []

    @pytest.mark.parametrize("endpoint_id", ["whe_doesnotexist", "whe_\x00"])
    def test_unknown_id_is_404(self, platform_key: str, endpoint_id: str) -> None:
        response = send("GET", f"{URL}/{quote(endpoint_id)}", platform_key)
        assert response.status_code == 404
        assert response.json() == not_found(endpoint_id)


class TestTenantIsolation:
    @pytest.mark.parametrize(
        ("method", "body"),
        [
            ("GET", None),
            ("PUT", {"url": "https://evil.example.com/"}),
            ("DELETE", None),
        ],
    )
    def test_another_platforms_endpoint_is_404(
        self, platform_key: str, other_platform_key: str, method: str, body: Any
    ) -> None:
        theirs = create(other_platform_key)
        response = send(method, f"{URL}/{theirs['id']}", platform_key, body)
        assert response.status_code == 404
        assert response.json() == not_found(theirs["id"])
        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.url == HOOK and endpoint.deleted_at is None

    def test_lists_show_only_the_callers_endpoints(
        self, platform_key: str, other_platform_key: str
    ) -> None:
        mine = create(platform_key)
        theirs = create(other_platform_key)
        assert [e["id"] for e in send("GET", URL, platform_key).json()] == [mine["id"]]
        # Their id is not a cursor the caller may page from.
        response = send("GET", f"{URL}?starting_after={theirs['id']}", platform_key)
        assert response.status_code == 400


class TestList:
    @pytest.fixture
    def ids(self, platform: Platform) -> list[str]:
        """30 endpoints, oldest first."""
        return [
            endpoints.create_endpoint(platform=platform, url=f"{HOOK}/{n}").public_id
            for n in range(30)
        ]

    def test_newest_first_ten_by_default(
        self, platform_key: str, ids: list[str]
    ) -> None:
        body = send("GET", URL, platform_key).json()
        assert isinstance(body, list)
        assert [e["id"] for e in body] == ids[::-1][:10]
        assert all("secret" in e for e in body)

    def test_cursors_page_both_ways(self, platform_key: str, ids: list[str]) -> None:
        newest_first = ids[::-1]
        after = send(
            "GET", f"{URL}?limit=5&starting_after={newest_first[4]}", platform_key
        ).json()
        assert [e["id"] for e in after] == newest_first[5:10]
        before = send(
            "GET", f"{URL}?limit=5&ending_before={newest_first[10]}", platform_key
        ).json()
        assert [e["id"] for e in before] == newest_first[5:10]

    def test_query_count_does_not_grow_with_rows(
        self, platform_key: str, ids: list[str], django_assert_num_queries
    ) -> None:
        send("GET", URL, platform_key)  # stamps the key's last_used_at
        # key lookup, page
        with django_assert_num_queries(2):
            assert len(send("GET", f"{URL}?limit=100", platform_key).json()) == 30
        # key lookup, cursor row, page
        with django_assert_num_queries(3):
            body = send(
                "GET", f"{URL}?limit=100&starting_after={ids[-1]}", platform_key
            )
            assert len(body.json()) == 29

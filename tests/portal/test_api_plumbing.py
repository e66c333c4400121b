"""Key authentication, error bodies and paging, through HTTP."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from django.utils import timezone

from portal.api import (
    BAD_PAGE_SIZE,
    INVALID_API_KEY,
    LIMIT_OUT_OF_RANGE,
    WRONG_KEY_KIND,
)
from portal.models import ApiKey, Platform
from tests.conftest import bearer, field_errors

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.plumbing_urls")]

TEN99 = "/plumbing/ten99"
CLOUD = "/plumbing/cloud"


def post_json(client: Client, url: str, body: dict, **headers: str):
    return client.post(
        url, json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.mark.parametrize(
    "header",
    [
        lambda k: f"Bearer {k}",
        lambda k: "Basic " + base64.b64encode(f"{k}:".encode()).decode(),
        lambda k: f"Basic {k}",
        lambda k: k,
    ],
    ids=["bearer", "basic-base64", "basic-raw", "bare"],
)
def test_every_header_form_authenticates(platform_key: str, header) -> None:
    response = Client().get(
        f"{TEN99}/things", headers={"Authorization": header(platform_key)}
    )
    assert response.status_code == 200


def test_missing_key_is_401_in_the_contractor_format() -> None:
    response = Client().get(f"{TEN99}/things")
    assert response.status_code == 401
    assert response.json() == {
        "message": INVALID_API_KEY,
        "error_code": "invalid_api_key",
    }


def test_unknown_key_is_401(platform_key: str) -> None:
    response = Client().get(f"{TEN99}/things", headers=bearer(platform_key + "x"))
    assert response.status_code == 401


def test_revoked_key_fails(platform_key: str) -> None:
    ApiKey.objects.update(revoked_at=timezone.now())
    response = Client().get(f"{TEN99}/things", headers=bearer(platform_key))
    assert response.status_code == 401
    assert response.json()["error_code"] == "invalid_api_key"


def test_staff_key_cannot_use_the_contractor_api(staff_key: str) -> None:
    response = Client().get(f"{TEN99}/things", headers=bearer(staff_key))
    assert response.status_code == 403
    assert response.json() == {
        "message": WRONG_KEY_KIND,
        "error_code": "insufficient_permissions",
    }


def test_platform_key_is_refused_by_the_cloud_api_in_its_format(
    platform_key: str,
) -> None:
    response = Client().get(f"{CLOUD}/things", headers=bearer(platform_key))
    assert response.status_code == 403
    assert response.json() == {
        "status": 403,
        "errorCode": "gw.api.rest.exceptions.NotAuthorizedException",
        "userMessage": WRONG_KEY_KIND,
        "details": [],
    }


def test_cloud_api_401_has_its_own_format() -> None:
    body = Client().get(f"{CLOUD}/things").json()
    assert body["status"] == 401
    assert body["userMessage"] == INVALID_API_KEY


def test_schema_errors_are_400_with_field_messages(platform_key: str) -> None:
    response = post_json(
        Client(), f"{TEN99}/things", {"size": "big"}, **bearer(platform_key)
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "invalid_input"
    assert set(body["fields"]) == {"name", "size"}
    assert isinstance(body["message"], str)


def test_cloud_schema_errors_name_the_field(staff_key: str) -> None:
    response = post_json(Client(), f"{CLOUD}/things", {"size": 3}, **bearer(staff_key))
    body = response.json()
    assert response.status_code == 400
    assert body["errorCode"] == "gw.api.rest.exceptions.BadInputException"
    assert body["userMessage"].startswith("name - ")
    assert body["details"][0]["properties"] == {"field": "name"}


def test_domain_validation_error_keeps_message_and_code(platform_key: str) -> None:
    response = post_json(
        Client(), f"{TEN99}/things", {"name": "forbidden"}, **bearer(platform_key)
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "That name is not allowed.",
        "error_code": "invalid_input",
    }


def test_malformed_json_is_400_not_500(platform_key: str) -> None:
    response = Client().post(
        f"{TEN99}/things",
        "{not json",
        content_type="application/json",
        headers=bearer(platform_key),
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "invalid_input"


def test_unknown_object_is_404(platform_key: str) -> None:
    response = Client().get(f"{TEN99}/things/pf_nope", headers=bearer(platform_key))
    assert response.status_code == 404
    assert response.json()["error_code"] == "resource_not_found"


def test_cloud_404_names_the_path(staff_key: str) -> None:
    response = Client().get(f"{CLOUD}/nothing-here", headers=bearer(staff_key))
    assert response.status_code == 404


class TestCursorPaging:
    @pytest.fixture
    def things(self, db: None) -> list[str]:
        created = [Platform.objects.create(name=f"thing {i:02}") for i in range(25)]
        return [p.public_id for p in created]

    def names(self, platform_key: str, query: str = "") -> list[str]:
        response = Client().get(f"{TEN99}/things{query}", headers=bearer(platform_key))
        assert response.status_code == 200, response.content
        return [t["name"] for t in response.json()]

    def test_default_page_is_ten_newest_first(
        self, platform_key: str, things: list[str]
    ) -> None:
        names = self.names(platform_key)
        # The key's own platform is the oldest row and falls off the first page.
        assert names == [f"thing {i:02}" for i in range(24, 14, -1)]

    def test_starting_after_continues(
        self, platform_key: str, things: list[str]
    ) -> None:
        names = self.names(platform_key, f"?limit=3&starting_after={things[20]}")
        assert names == ["thing 19", "thing 18", "thing 17"]

    def test_ending_before_goes_back(
        self, platform_key: str, things: list[str]
    ) -> None:
        names = self.names(platform_key, f"?limit=3&ending_before={things[10]}")
        assert names == ["thing 13", "thing 12", "thing 11"]

    @pytest.mark.parametrize("limit", ["0", "101", "abc", "-1"])
    def test_bad_limit_is_400(self, platform_key: str, limit: str) -> None:
        response = Client().get(
            f"{TEN99}/things?limit={limit}", headers=bearer(platform_key)
        )
        assert response.status_code == 400
        assert field_errors(response.json()) == {
            "message": {"limit": LIMIT_OUT_OF_RANGE},
            "error_code": "invalid_input",
        }

    def test_unknown_cursor_is_400(self, platform_key: str, things: list[str]) -> None:
        response = Client().get(
            f"{TEN99}/things?starting_after=pf_zzz", headers=bearer(platform_key)
        )
        assert response.status_code == 400

    def test_query_count_does_not_grow_with_rows(
        self, platform_key: str, things: list[str], django_assert_num_queries
    ) -> None:
        client = Client()
        client.get(
            f"{TEN99}/things", headers=bearer(platform_key)
        )  # stamps last_used_at
        # key lookup, cursor row, page
        with django_assert_num_queries(3):
            client.get(
                f"{TEN99}/things?limit=100&starting_after={things[-1]}",
                headers=bearer(platform_key),
            )


class TestOffsetPaging:
    def test_pages_carry_links(self, staff_key: str) -> None:
        Platform.objects.bulk_create([Platform(name=f"p{i:02}") for i in range(30)])
        body = (
            Client()
            .get(f"{CLOUD}/things?pageSize=10&pageOffset=10", headers=bearer(staff_key))
            .json()
        )
        assert body["count"] == 10
        assert body["data"][0]["attributes"]["name"] == "p10"
        assert (
            body["links"]["next"]["href"] == f"{CLOUD}/things?pageSize=10&pageOffset=20"
        )
        assert body["links"]["prev"]["href"] == f"{CLOUD}/things?pageSize=10"
        assert body["links"]["self"]["methods"] == ["get"]

    def test_default_page_size_is_25_and_last_page_has_no_next(
        self, staff_key: str
    ) -> None:
        Platform.objects.bulk_create([Platform(name=f"p{i:02}") for i in range(30)])
        first = Client().get(f"{CLOUD}/things", headers=bearer(staff_key)).json()
        assert first["count"] == 25
        last = (
            Client()
            .get(first["links"]["next"]["href"], headers=bearer(staff_key))
            .json()
        )
        assert last["count"] == 5
        assert "next" not in last["links"]

    @pytest.mark.parametrize("size", ["0", "101", "x"])
    def test_page_size_out_of_range_is_400(self, staff_key: str, size: str) -> None:
        response = Client().get(
            f"{CLOUD}/things?pageSize={size}", headers=bearer(staff_key)
        )
        assert response.status_code == 400
        assert response.json()["userMessage"] == BAD_PAGE_SIZE


def test_cloud_style_writes_field_errors_as_text() -> None:
    from django.test import RequestFactory

    from portal.api import CLOUD, ApiError

    response = CLOUD.response(
        ApiError({"ourShare": "Must be a number."}), RequestFactory().get("/")
    )
    assert json.loads(response.content)["userMessage"] == "ourShare - Must be a number."

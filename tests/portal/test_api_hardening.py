"""The API edges hold under hostile input and faults: lone surrogates, wrong media
types, bodies too large, a database that goes away, and callers over their limit —
each answered in the API's own error format, with nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client

from coverage.api.urls import api as coverage_api
from coverage.models import Contractor, WorkJob
from policies.api import job_api, policy_api
from portal.api import DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE
from portal.api_bodies import JSON_ONLY, LONE_SURROGATE
from portal.models import Platform, User
from portal.rate_limits import CACHE_ALIAS
from tests.conftest import bearer

APIS = {"api_v1": coverage_api, "job_v1": job_api, "policy_v1": policy_api}
SURROGATE_BODY = '{"name": "\\ud800"}'


def write_routes() -> list[tuple[str, str, str]]:
    """(namespace, method, path) of every documented write operation, ids filled in."""
    found = []
    for namespace, api in APIS.items():
        for path, item in api.get_openapi_schema()["paths"].items():
            for method in item:
                if method in ("post", "put", "patch", "delete"):
                    concrete = path
                    while "{" in concrete:
                        start, end = concrete.index("{"), concrete.index("}")
                        concrete = (
                            concrete[:start] + "zz_0000000000" + concrete[end + 1 :]
                        )
                    found.append((namespace, method, concrete))
    return found


def assert_in_format(namespace: str, response: Any, status: int) -> str:
    """The response is ``status`` in the API's own error body; its message."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if namespace == "api_v1":
        assert set(body) >= {"message", "error_code"}
        assert isinstance(body["message"], str)
        return body["message"]
    assert body["status"] == status
    assert body["errorCode"].startswith("gw.api.rest.exceptions.")
    assert isinstance(body["userMessage"], str)
    return body["userMessage"]


@pytest.fixture
def keys(platform_key: str, staff_key: str) -> dict[str, str]:
    return {"api_v1": platform_key, "job_v1": staff_key, "policy_v1": staff_key}


@pytest.mark.django_db
def test_a_lone_surrogate_is_400_on_every_write_route(keys: dict[str, str]) -> None:
    routes = write_routes()
    client = Client()
    counts: dict[str, int] = {}
    for namespace, method, path in routes:
        response = getattr(client, method)(
            path,
            SURROGATE_BODY,
            content_type="application/json",
            headers=bearer(keys[namespace]),
        )
        message = assert_in_format(namespace, response, 400)
        assert message == LONE_SURROGATE.format(where="The field 'name'", code=0xD800)
        counts[namespace] = counts.get(namespace, 0) + 1
    print(f"lone surrogate: {len(routes)} write routes, all 400: {counts}")
    assert set(counts) == set(APIS)
    assert not Contractor.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"a": {"b": ["ok", "\ud83d"]}},  # nested, in a list
        {"\udc00key": 1},  # in a key
    ],
)
def test_surrogates_anywhere_in_the_body_are_found(
    platform_key: str, body: dict
) -> None:
    response = Client().post(
        "/api/v1/contractors",
        json.dumps(body),
        content_type="application/json",
        headers=bearer(platform_key),
    )
    assert "lone UTF-16 surrogate" in assert_in_format("api_v1", response, 400)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "namespace, path",
    [
        ("api_v1", "/api/v1/contractors"),
        ("job_v1", "/job/v1/submissions"),
    ],
)
@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", "first_name=Ann&last_name=Lee"),
        ("text/plain", '{"first_name": "Ann"}'),
    ],
)
def test_a_body_that_is_not_json_is_415(
    keys: dict[str, str], namespace: str, path: str, content_type: str, body: str
) -> None:
    response = Client().post(
        path, body, content_type=content_type, headers=bearer(keys[namespace])
    )
    message = assert_in_format(namespace, response, 415)
    assert message == JSON_ONLY.format(content_type=content_type)
    assert not Contractor.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "namespace, path",
    [
        ("api_v1", "/api/v1/contractors"),
        ("job_v1", "/job/v1/submissions"),
        ("policy_v1", "/policy/v1/policies/zz_0000000000/change"),
    ],
)
def test_ten_megabytes_are_413_in_each_format(
    keys: dict[str, str], namespace: str, path: str
) -> None:
    body = json.dumps({"name": "x" * 10_000_000})
    response = Client().post(
        path, body, content_type="application/json", headers=bearer(keys[namespace])
    )
    assert_in_format(namespace, response, 413)


@pytest.mark.django_db
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_refused(platform_key: str, constant: str) -> None:
    response = Client().post(
        "/api/v1/jobs",
        f'{{"wage": {constant}}}',
        content_type="application/json",
        headers=bearer(platform_key),
    )
    assert (
        assert_in_format("api_v1", response, 400) == f"{constant} is not a JSON number."
    )


@pytest.mark.django_db
def test_a_body_nested_past_the_limit_is_400(platform_key: str) -> None:
    response = Client().post(
        "/api/v1/contractors",
        "[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers=bearer(platform_key),
    )
    assert "nested more than" in assert_in_format("api_v1", response, 400)


# ---------------------------------------------------------------------------
# The database goes away


@contextmanager
def database_away() -> Iterator[None]:
    """Every new connection fails, as while PostgreSQL restarts (then it is back)."""
    settings_dict = connection.settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", "9"
    try:
        yield
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = saved


@pytest.mark.django_db(transaction=True)
def test_the_database_away_is_503_with_retry_after(
    keys: dict[str, str], dispatcher: User, client_as: Callable[[User], Client]
) -> None:
    client = Client(raise_request_exception=False)
    portal = client_as(dispatcher)
    portal.raise_request_exception = False
    with database_away():
        api_responses = [
            (namespace, client.get(path, headers=bearer(keys[namespace])))
            for namespace, path in [
                ("api_v1", "/api/v1/contractors"),
                ("job_v1", "/job/v1/jobs"),
                ("policy_v1", "/policy/v1/policies"),
            ]
        ]
        page = portal.get("/board/")
    for namespace, response in api_responses:
        message = assert_in_format(namespace, response, 503)
        assert message == DATABASE_UNAVAILABLE.format(
            seconds=DATABASE_RETRY_AFTER_SECONDS
        )
        assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert page.status_code == 503
    assert page["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert page["Content-Type"].startswith("text/html")
    assert b"Back in a moment" in page.content
    assert b"portal.css" in page.content


@pytest.mark.django_db(transaction=True)
def test_a_write_while_the_database_is_away_is_503_and_writes_nothing(
    platform_key: str,
) -> None:
    client = Client(raise_request_exception=False)
    body = {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"}
    with database_away():
        response = client.post(
            "/api/v1/contractors",
            json.dumps(body),
            content_type="application/json",
            headers=bearer(platform_key),
        )
    assert_in_format("api_v1", response, 503)
    assert not Contractor.objects.exists()


# ---------------------------------------------------------------------------
# Strict types where the public API types them


@pytest.fixture
def job_id(platform: Platform, platform_key: str) -> str:
    from tests.coverage.helpers import approved_janitorial, make_job

    return make_job(platform, category=approved_janitorial(platform)).public_id


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"wage": None},
        {"wage": "100"},
        {"withhold_premium": "yes"},
        {"duration_hours": -5},
    ],
    ids=["wage-null", "wage-text", "bool-text", "negative-hours"],
)
def test_job_updates_are_typed_strictly(
    platform_key: str, job_id: str, change: dict
) -> None:
    before = WorkJob.objects.get(public_id=job_id)
    response = Client().put(
        f"/api/v1/jobs/{job_id}",
        json.dumps(change),
        content_type="application/json",
        headers=bearer(platform_key),
    )
    body = response.json()
    assert_in_format("api_v1", response, 400)
    assert list(body["fields"]) == list(change)
    after = WorkJob.objects.get(public_id=job_id)
    assert (after.wage, after.withhold_premium, after.duration_hours) == (
        before.wage,
        before.withhold_premium,
        before.duration_hours,
    )


# ---------------------------------------------------------------------------
# Rate limits


@pytest.fixture
def limit_of_three(settings) -> Iterator[None]:
    settings.API_RATE_LIMIT_REQUESTS = 3
    settings.API_RATE_LIMIT_WINDOW_SECONDS = 60
    caches[CACHE_ALIAS].clear()
    yield
    caches[CACHE_ALIAS].clear()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "namespace, path",
    [
        ("api_v1", "/api/v1/contractors"),
        ("job_v1", "/job/v1/jobs"),
        ("policy_v1", "/policy/v1/policies"),
    ],
)
def test_a_key_over_its_limit_gets_429_with_retry_after(
    keys: dict[str, str],
    other_platform_key: str,
    limit_of_three: None,
    namespace: str,
    path: str,
) -> None:
    client = Client()
    statuses = [
        client.get(path, headers=bearer(keys[namespace])).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 200]
    refused = client.get(path, headers=bearer(keys[namespace]))
    message = assert_in_format(namespace, refused, 429)
    assert "at most 3 every 60 seconds" in message
    assert 1 <= int(refused["Retry-After"]) <= 60
    if namespace == "api_v1":
        assert refused.json()["error_code"] == "rate_limit"  # the SDK's RateLimitError
        # Another platform's key has its own count.
        assert client.get(path, headers=bearer(other_platform_key)).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_outage_answer_needs_no_template(
    keys: dict[str, str],
    dispatcher: User,
    client_as: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What fails for the request may fail for the error page too (a missing static
    manifest did, on a restart test): the API answers without any template, the
    portal with plain markup, and neither becomes the WSGI server's bare 500."""

    def broken(*args: object, **kwargs: object) -> str:
        raise ValueError("Missing staticfiles manifest entry for 'css/portal.css'")

    monkeypatch.setattr("portal.views.loader.render_to_string", broken)
    client = Client(raise_request_exception=False)
    portal = client_as(dispatcher)
    portal.raise_request_exception = False
    with database_away():
        api = client.get("/api/v1/contractors", headers=bearer(keys["api_v1"]))
        page = portal.get("/board/")
    assert assert_in_format("api_v1", api, 503) == DATABASE_UNAVAILABLE.format(
        seconds=DATABASE_RETRY_AFTER_SECONDS
    )
    assert api["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert page.status_code == 503
    assert page["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert b"Back in a moment" in page.content

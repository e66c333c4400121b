"""Every path under the JSON APIs answers in the API's own format, and every response
carries a request id (header, and the log lines written while it was served)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from coverage.api import jobs
from portal.api import INVALID_API_KEY, NOT_FOUND
from portal.api_edges import BODY_TOO_LARGE, METHOD_NOT_ALLOWED, SERVER_ERROR
from portal.request_ids import REQUEST_ID_HEADER, RequestIdLogFilter
from tests.conftest import bearer


@pytest.fixture
def api(platform_key: str) -> Client:
    return Client(headers=bearer(platform_key))


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/no_such_resource"),
        ("post", "/api/v1/no_such_resource/deeper"),
        ("delete", "/api/v1/contractors/cn_x/nothing-here"),
        ("get", "/api/v1/"),
    ],
)
def test_unknown_api_paths_answer_json_404(api: Client, method: str, path: str) -> None:
    response = getattr(api, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "message": NOT_FOUND,
        "error_code": "resource_not_found",
    }


def test_unknown_path_without_a_key_is_refused_in_json(db: None) -> None:
    response = Client().get("/api/v1/no_such_resource")
    assert response.status_code == 401
    assert response.json() == {
        "message": INVALID_API_KEY,
        "error_code": "invalid_api_key",
    }


def test_wrong_method_answers_json_405_with_allow(api: Client) -> None:
    response = api.delete("/api/v1/category_codes")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {
        "message": METHOD_NOT_ALLOWED.format(
            method="DELETE", path="/api/v1/category_codes", allowed="GET"
        ),
        "error_code": "bad_request",
    }


def test_oversize_body_answers_json_413_and_writes_nothing(
    api: Client, settings, platform
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"name": "' + "x" * 2000 + '"}'
    response = api.post(
        "/api/v1/entities",
        data=body,
        content_type="application/json",
        headers={"Ten99Policy-Idempotent-Key": "big-1"},
    )
    assert response.status_code == 413
    assert response.json() == {
        "message": BODY_TOO_LARGE.format(limit=1000),
        "error_code": "invalid_input",
    }
    assert not platform.entities.exists()


def test_oversize_body_on_the_cloud_api_answers_its_dialect(
    staff_key: str, settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = Client(headers=bearer(staff_key)).post(
        "/job/v1/submissions",
        data='{"data": {"attributes": {"x": "' + "y" * 500 + '"}}}',
        content_type="application/json",
    )
    assert response.status_code == 413
    body = response.json()
    assert body["status"] == 413
    assert body["userMessage"] == BODY_TOO_LARGE.format(limit=100)


def test_a_server_error_under_the_api_is_json(
    platform_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(jobs, "cursor_page", broken)
    client = Client(headers=bearer(platform_key), raise_request_exception=False)
    response = client.get("/api/v1/category_codes")
    assert response.status_code == 500
    assert response.json() == {"message": SERVER_ERROR, "error_code": "general_error"}
    assert response[REQUEST_ID_HEADER].startswith("req_")


def test_every_response_carries_a_request_id(api: Client) -> None:
    ok = api.get("/api/v1/category_codes")
    missing = api.get("/api/v1/nowhere")
    page = Client().get("/login/")
    ids = [r[REQUEST_ID_HEADER] for r in (ok, missing, page)]
    assert ok.status_code == 200 and page.status_code == 200
    assert all(i.startswith("req_") and len(i) == 28 for i in ids)
    assert len(set(ids)) == 3


def test_a_callers_request_id_is_kept_and_a_bad_one_replaced(api: Client) -> None:
    kept = api.get(
        "/api/v1/category_codes", headers={"X-Request-Id": "dispatch-7f3a9c21"}
    )
    assert kept[REQUEST_ID_HEADER] == "dispatch-7f3a9c21"
    replaced = api.get("/api/v1/category_codes", headers={"Request-Id": "bad id\n"})
    assert replaced[REQUEST_ID_HEADER].startswith("req_")


def test_log_lines_carry_the_request_id(
    api: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = api.get("/api/v1/nowhere")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, "Django logs the 404"
    log_filter = RequestIdLogFilter()
    for record in records:
        log_filter.filter(record)
    assert {r.request_id for r in records} == {response[REQUEST_ID_HEADER]}  # type: ignore[attr-defined]

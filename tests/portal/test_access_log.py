"""The access line: one per request, its fields, and no hosted page's token in it."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests.conftest import bearer

pytestmark = pytest.mark.django_db


def access_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "portal.access"]


def test_one_access_line_per_request_with_its_fields(
    platform_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="portal.access"):
        response = Client().get("/api/v1/contractors", headers=bearer(platform_key))
    (line,) = access_lines(caplog)
    assert response.status_code == 200
    assert (line.method, line.path, line.route, line.status) == (  # type: ignore[attr-defined]
        "GET",
        "/api/v1/contractors",
        "/api/v1/contractors",
        200,
    )
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    assert line.getMessage().startswith("GET /api/v1/contractors 200 ")


def test_a_hosted_pages_token_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    token = "hosted-link-secret-9f8e7d6c5b4a"
    with caplog.at_level(logging.INFO):
        Client().get(f"/apply/{token}/")
        Client().get(f"/payment/setup/{token}/card")
    lines = access_lines(caplog)
    assert [line.path for line in lines] == [  # type: ignore[attr-defined]
        "/apply/[Filtered]/",
        "/payment/setup/[Filtered]/card",
    ]
    assert [line.route for line in lines] == [  # type: ignore[attr-defined]
        "/apply/<str:token>/",
        "/payment/setup/<str:token>/card",
    ]
    assert token not in caplog.text

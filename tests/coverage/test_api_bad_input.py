"""Bad input of every kind is a 400 (or 404) in the API's own format, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from coverage.models import Contractor, WorkJob
from portal.api import VALUE_NOT_STORABLE
from tests.conftest import bearer, field_errors
from tests.coverage.helpers import ApiClient

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/entities",
    "/contractors",
    "/jobs",
    "/quotes",
    "/apply/sessions",
    "/policies",
    "/assignments",
    "/assignments/cancel",
    "/assignments/extend",
    "/invoices",
]


def assert_api_error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["message"], str), body
    assert set(body) <= {"message", "error_code", "fields"}
    return field_errors(body) if "fields" in body else body


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    ["{not json", "[]", "null", '"text"', "12", '{"coverage_type": "general"}'],
    ids=["malformed", "array", "null", "string", "number", "wrong-type"],
)
def test_bodies_that_are_not_the_resource(
    platform_key: str, path: str, raw: str
) -> None:
    response = Client().post(
        f"/api/v1{path}",
        raw,
        content_type="application/json",
        headers=bearer(platform_key),
    )
    assert_api_error(response)


@pytest.mark.parametrize(
    "body",
    [
        {"wage": "lots"},
        {"wage": 2**70},
        {"years_experience": -3},
        {"years_experience": 10**12},
        {"address": "Main St"},
        {"custom_metadata": ["a"]},
        {"name": "x\u0000y"},
        {"custom_metadata": {"po": "\u0000"}},
    ],
    ids=[
        "wage-text",
        "wage-huge",
        "years-negative",
        "years-huge",
        "address-text",
        "metadata-list",
        "nul-name",
        "nul-metadata",
    ],
)
def test_job_fields_out_of_shape(api: ApiClient, job: WorkJob, body: dict) -> None:
    assert_api_error(api.put(f"/jobs/{job.public_id}", body))


def test_nul_in_a_field_is_reported_as_such(
    api: ApiClient, contractor: Contractor
) -> None:
    response = api.put(
        f"/contractors/{contractor.public_id}", {"custom_metadata": {"k": "\u0000"}}
    )
    assert assert_api_error(response)["message"] == VALUE_NOT_STORABLE


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=abc",
        "limit=1e999",
        "starting_after=cn_x%00y",
        "starting_after=a&ending_before=b",
    ],
)
def test_list_parameters(api: ApiClient, contractor: Contractor, query: str) -> None:
    assert_api_error(api.get(f"/contractors?{query}"))


@pytest.mark.parametrize("resource_id", ["nope", "cn_%00", "%F0%9F%92%A5", "a" * 500])
def test_odd_ids_are_404(api: ApiClient, resource_id: str) -> None:
    assert_api_error(api.get(f"/contractors/{resource_id}"), status=404)


@pytest.mark.parametrize("field", ["effective_date", "end_date"])
@pytest.mark.parametrize("value", [-1, 10**13, "soon"])
def test_timestamps(
    api: ApiClient, contractor: Contractor, job: WorkJob, field: str, value: object
) -> None:
    response = api.post(
        "/assignments",
        {"contractor": contractor.public_id, "job": job.public_id, field: value},
    )
    assert_api_error(response)


def test_unknown_coverage_type(
    api: ApiClient, contractor: Contractor, job: WorkJob
) -> None:
    body = assert_api_error(
        api.post(
            "/assignments",
            {
                "contractor": contractor.public_id,
                "job": job.public_id,
                "coverage_type": ["dental"],
            },
        )
    )
    assert body["error_code"] == "invalid_input"
    assert "coverage_type" in body["message"]


def test_missing_references(api: ApiClient) -> None:
    body = assert_api_error(api.post("/assignments", {"job": "jb_x"}))
    assert body == {
        "message": {"contractor": "This field is required."},
        "error_code": "invalid_input",
    }


def test_openapi_document_and_docs_page(api: ApiClient) -> None:
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in (
        "/api/v1/assignments",
        "/api/v1/assignments/cancel",
        "/api/v1/apply/sessions/{session_id}/expire",
        "/api/v1/contractors/{contractor_id}/policies",
    ):
        assert path in paths
    created = paths["/api/v1/assignments"]["post"]["responses"]["201"]
    schema_ref = created["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "premium" in document["components"]["schemas"][schema_ref]["properties"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content

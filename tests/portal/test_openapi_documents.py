"""The three OpenAPI documents, loaded as a client would and walked whole: every
``$ref`` resolves, every operation declares bearer security and documents its error
responses with the API's error schema, and the coinsurance shares have one type."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

DOCUMENTS = {
    "api_v1": ("/api/v1/openapi.json", ["message", "error_code"]),
    "job_v1": (
        "/job/v1/openapi.json",
        ["status", "errorCode", "userMessage", "details"],
    ),
    "policy_v1": (
        "/policy/v1/openapi.json",
        ["status", "errorCode", "userMessage", "details"],
    ),
}
ERRORS_EVERY_OPERATION = {"400", "401", "403", "404", "429", "500", "503"}
ERRORS_WITH_A_BODY = {"409", "413", "415"}


def refs(node: Any) -> list[str]:
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("$ref"), str):
                found.append(item["$ref"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def resolve(document: dict, ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


@pytest.mark.django_db
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_ref_resolves_and_every_operation_documents_errors_and_security(
    name: str,
) -> None:
    url, error_fields = DOCUMENTS[name]
    response = Client().get(url)
    assert response.status_code == 200
    document = response.json()

    all_refs = refs(document)
    for ref in all_refs:
        resolve(document, ref)
    assert "$defs" not in response.content.decode()

    schemes = document["components"]["securitySchemes"]
    assert schemes["KeyAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["KeyAuth"]["description"],
    }
    error_schema = document["components"]["schemas"]["Error"]
    assert error_schema["required"] == error_fields

    operations = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operations += 1
            label = f"{method.upper()} {path}"
            assert {"KeyAuth": []} in operation["security"], label
            documented = set(operation["responses"])
            expected = ERRORS_EVERY_OPERATION | (
                ERRORS_WITH_A_BODY
                if method in ("post", "put", "patch", "delete")
                else set()
            )
            assert expected <= documented, f"{label} lacks {expected - documented}"
            for status in expected:
                answer = operation["responses"][status]
                schema = answer["content"]["application/json"]["schema"]
                assert resolve(document, schema["$ref"]) == error_schema, label
            for status in ("429", "503"):
                assert "Retry-After" in operation["responses"][status]["headers"]
    print(f"{name}: {operations} operations, {len(all_refs)} $refs, all resolve")
    assert operations > 20


@pytest.mark.django_db
def test_coinsurance_shares_are_typed_once_as_decimal_strings() -> None:
    for url in ("/job/v1/openapi.json", "/policy/v1/openapi.json"):
        document = Client().get(url).json()
        for name, schema in document["components"]["schemas"].items():
            for prop, spec in schema.get("properties", {}).items():
                if prop not in ("ourShare", "coinsuranceShare"):
                    continue
                types = [
                    s.get("type")
                    for s in spec.get("anyOf", [spec])
                    if s.get("type") != "null"
                ]
                assert types == ["string"], f"{name}.{prop}: {spec}"


@pytest.mark.django_db
def test_the_documents_are_the_same_every_time_they_are_served() -> None:
    for url in (
        "/api/v1/openapi.json",
        "/job/v1/openapi.json",
        "/policy/v1/openapi.json",
    ):
        first = Client().get(url).json()
        assert Client().get(url).json() == first

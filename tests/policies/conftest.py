"""Fixtures for the policy-administration API: a staff client, products, coinsurers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.test.client import Client as DjangoClient

from coverage.models import Contractor
from policies.models import (
    Organization,
    ProducerCode,
    Product,
    SectionType,
)
from portal.models import Platform
from tests.conftest import bearer
from tests.policies.helpers import contractor_product, make_contractor


class Api:
    """A staff-key client that speaks the Cloud API envelope."""

    def __init__(self, key: str) -> None:
        self.client: DjangoClient = Client()
        self.headers = bearer(key)

    def _send(
        self,
        method: str,
        url: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        call = getattr(self.client, method)
        all_headers = {**self.headers, **(headers or {})}
        if body is None:
            if method == "get":
                return call(url, headers=all_headers)
            # No body at all, as the Cloud API's actions are called.
            return call(url, "", content_type="application/json", headers=all_headers)
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return call(url, data, content_type="application/json", headers=all_headers)

    def get(self, url: str, **headers: str) -> Any:
        return self._send("get", url, headers=headers)

    def post(
        self, url: str, attributes: Any = None, *, raw: Any = None, **headers: str
    ) -> Any:
        body = (
            raw
            if raw is not None
            else (None if attributes is None else {"data": {"attributes": attributes}})
        )
        return self._send("post", url, body, headers)

    def patch(
        self,
        url: str,
        attributes: Any = None,
        *,
        checksum: str | None = None,
        raw: Any = None,
        **headers: str,
    ) -> Any:
        if raw is not None:
            body = raw
        else:
            data: dict[str, Any] = {"attributes": attributes or {}}
            if checksum is not None:
                data["checksum"] = checksum
            body = {"data": data}
        return self._send("patch", url, body, headers)

    def delete(self, url: str, **headers: str) -> Any:
        return self._send("delete", url, headers=headers)


@pytest.fixture
def api(staff_key: str) -> Api:
    return Api(staff_key)


@pytest.fixture
def contractor(platform: Platform) -> Contractor:
    return make_contractor(platform)


@pytest.fixture
def wc_gl_product(db: None) -> Product:
    product = contractor_product()
    product.section_types = [SectionType.WC, SectionType.GL]
    product.save()
    return product


def make_property_product(
    *,
    code: str = "commercial-property",
    named_insureds: str = Product.NamedInsureds.MANY,
    coinsurance: bool = True,
    layers: bool = True,
) -> Product:
    return Product.objects.create(
        code=code,
        name=f"Commercial property ({code})",
        lines=[],
        section_types=[SectionType.PP, SectionType.BI, SectionType.MO, SectionType.LI],
        location_named_insureds=named_insureds,
        supports_coinsurance=coinsurance,
        supports_layers=layers,
    )


@pytest.fixture
def property_product(db: None) -> Product:
    return make_property_product()


@pytest.fixture
def producer_codes(db: None) -> list[ProducerCode]:
    enigma = Organization.objects.create(name="Enigma Fire & Casualty")
    acme = Organization.objects.create(name="Acme Mutual")
    return [
        ProducerCode.objects.create(code="QA1PRODUCERCODE01", organization=enigma),
        ProducerCode.objects.create(code="QA1PRODUCERCODE02", organization=acme),
        ProducerCode.objects.create(code="QA1PRODUCERCODE03", organization=acme),
    ]


def submission_attributes(
    contractor: Contractor, product: Product, /, **overrides: Any
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "account": {"id": contractor.public_id},
        "product": {"id": product.code},
        "jobEffectiveDate": "2031-01-01",
    }
    if product.lines:
        attributes |= {
            "lines": [{"code": "workers-comp"}, {"code": "general"}],
            "wcState": {"code": "NJ"},
            "glState": {"code": "NJ"},
        }
    else:
        attributes["policySections"] = [
            {"sectionType": {"code": "PP"}},
            {"sectionType": {"code": "MO"}},
        ]
    return attributes | overrides


@pytest.fixture
def job(api: Api, contractor: Contractor, property_product: Product) -> str:
    """A draft commercial-property submission with PP and MO sections: its URL."""
    response = api.post(
        "/job/v1/submissions", submission_attributes(contractor, property_product)
    )
    assert response.status_code == 201, response.content
    return f"/job/v1/jobs/{response.json()['data']['attributes']['id']}"

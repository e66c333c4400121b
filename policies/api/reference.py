"""Reference data the Job API refers to: products and producer codes (read-only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema

from policies.api.base import job_api, router
from policies.api.jobs import line_typekeys
from policies.api.listing import (
    check_query,
    collection,
    text_field,
)
from policies.api.wire import (
    JOB_ROOT,
    Ref,
    TypeKey,
    element,
    envelopes,
    link,
    one,
    typekey,
)
from policies.models import (
    ProducerCode,
    Product,
    SectionType,
)
from policies.services.drafts import checksum

reference = router("Reference data")


class ProductAttributes(Schema):
    id: str
    displayName: str
    lines: list[TypeKey]
    sectionTypes: list[TypeKey]
    locationNamedInsureds: TypeKey
    supportsCoinsurance: bool
    supportsLayers: bool


class ProducerCodeAttributes(Schema):
    id: str
    code: str
    organization: Ref


ProductOne, ProductList = envelopes("Product", ProductAttributes)
ProducerCodeOne, ProducerCodeList = envelopes("ProducerCode", ProducerCodeAttributes)


def product_resource(product: Product) -> dict[str, Any]:
    attributes = {
        "id": product.code,
        "displayName": product.name,
        "lines": line_typekeys(product.lines),
        "sectionTypes": [
            typekey(c, SectionType(c).label) for c in product.section_types
        ],
        "locationNamedInsureds": typekey(
            product.location_named_insureds,
            product.get_location_named_insureds_display(),
        ),
        "supportsCoinsurance": product.supports_coinsurance,
        "supportsLayers": product.supports_layers,
    }
    return element(
        attributes,
        checksum(product),
        {"self": link(f"{JOB_ROOT}/products/{product.code}", "get")},
    )


@reference.get(
    "/products", response=ProductList, summary="Products (lines of business)"
)
def list_products(request: HttpRequest) -> dict[str, Any]:
    return collection(
        request,
        Product.objects.order_by("code"),
        product_resource,
        fields={"id": text_field("code")},
    )


@reference.get("/products/{productId}", response=ProductOne, summary="Get a product")
def get_product(request: HttpRequest, productId: str) -> dict[str, Any]:
    check_query(request)
    return one(product_resource(Product.objects.get(code=productId)))


def producer_code_resource(code: ProducerCode) -> dict[str, Any]:
    attributes = {
        "id": code.public_id,
        "code": code.code,
        "organization": {
            "id": code.organization.public_id,
            "displayName": code.organization.name,
            "type": "Organization",
        },
    }
    return element(
        attributes,
        checksum(code),
        {"self": link(f"{JOB_ROOT}/producer-codes/{code.public_id}", "get")},
    )


@reference.get(
    "/producer-codes", response=ProducerCodeList, summary="Producer codes of coinsurers"
)
def list_producer_codes(request: HttpRequest) -> dict[str, Any]:
    return collection(
        request,
        ProducerCode.objects.select_related("organization").order_by("code"),
        producer_code_resource,
        fields={
            "code": text_field("code"),
            "organization": text_field("organization__name"),
        },
    )


@reference.get(
    "/producer-codes/{producerCodeId}",
    response=ProducerCodeOne,
    summary="Get a producer code",
)
def get_producer_code(request: HttpRequest, producerCodeId: str) -> dict[str, Any]:
    check_query(request)
    code = ProducerCode.objects.select_related("organization").get(
        public_id=producerCodeId
    )
    return one(producer_code_resource(code))


job_api.add_router("", reference)

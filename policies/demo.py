"""Demo data for policy administration: the products policies are written under and the
coinsurers underwriters can add to coinsurance agreements.

Idempotent: a second run finds everything in place and writes nothing.
"""

from __future__ import annotations

from policies.models import (
    CoverageType,
    Organization,
    ProducerCode,
    Product,
    SectionType,
)
from portal.demo import DemoContext

CONTRACTOR_PRODUCT = "contractor-wc-gl"
PROPERTY_PRODUCT = "commercial-property"

# (public id, code, organization). Fixed ids so that seed 003's example request
# ({"producerCode": {"id": "pc:2"}}) works as written against the demo.
DEMO_PRODUCER_CODES = [
    ("pc:1", "QA1PRODUCERCODE00", "Northwind Mutual"),
    ("pc:2", "QA1PRODUCERCODE01", "Enigma Fire & Casualty"),
    ("pc:3", "QA1PRODUCERCODE02", "Harbor Re"),
]


def seed(context: DemoContext) -> None:
    product, _ = Product.objects.get_or_create(
        code=CONTRACTOR_PRODUCT,
        defaults={
            "name": "Contractor WC + GL",
            "lines": [CoverageType.WORKERS_COMP, CoverageType.GENERAL],
            "location_named_insureds": Product.NamedInsureds.NONE,
            "section_types": [SectionType.WC, SectionType.GL],
        },
    )
    if not product.section_types:
        # Databases seeded before products had sections.
        product.section_types = [SectionType.WC, SectionType.GL]
        product.save(update_fields=["section_types"])
    context.objects["contractor_product"] = product

    context.objects["property_product"], _ = Product.objects.get_or_create(
        code=PROPERTY_PRODUCT,
        defaults={
            "name": "Commercial property",
            "lines": [],
            "section_types": [
                SectionType.PP,
                SectionType.BI,
                SectionType.MO,
                SectionType.LI,
            ],
            "location_named_insureds": Product.NamedInsureds.MANY,
            "supports_coinsurance": True,
            "supports_layers": True,
        },
    )
    for public_id, code, organization_name in DEMO_PRODUCER_CODES:
        organization, _ = Organization.objects.get_or_create(name=organization_name)
        ProducerCode.objects.get_or_create(
            code=code,
            defaults={"public_id": public_id, "organization": organization},
        )

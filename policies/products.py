"""The products policies are written under: their codes and definitions, created on demand.

Production binding names the contractor product by ``CONTRACTOR_PRODUCT`` (it must
not import the demo); the demo seed and support create both products with
``ensure_contractor_product`` / ``ensure_property_product``, which are idempotent.
"""

from __future__ import annotations

from policies.lines import CoverageType
from policies.models import Product, SectionType

CONTRACTOR_PRODUCT = "contractor-wc-gl"
PROPERTY_PRODUCT = "commercial-property"


def ensure_contractor_product() -> Product:
    """The contractor WC + GL product, created if missing."""
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
    return product


def ensure_property_product() -> Product:
    """The commercial-property product (coinsurance and layers), created if missing."""
    product, _ = Product.objects.get_or_create(
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
    return product

"""Demo data for policy administration: the products policies are written under."""

from __future__ import annotations

from policies.models import CoverageType, Product
from portal.demo import DemoContext

CONTRACTOR_PRODUCT = "contractor-wc-gl"


def seed(context: DemoContext) -> None:
    product, _ = Product.objects.get_or_create(
        code=CONTRACTOR_PRODUCT,
        defaults={
            "name": "Contractor WC + GL",
            "lines": [CoverageType.WORKERS_COMP, CoverageType.GENERAL],
            "location_named_insureds": Product.NamedInsureds.NONE,
        },
    )
    context.objects["contractor_product"] = product

"""Small builders for policy tests (plain objects.create, no factories)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from coverage.models import CategoryCode, Contractor
from policies.lines import CoverageType
from policies.models import Product
from portal.models import Platform


def contractor_product() -> Product:
    product, _ = Product.objects.get_or_create(
        code="contractor-wc-gl",
        defaults={
            "name": "Contractor WC + GL",
            "lines": [CoverageType.WORKERS_COMP, CoverageType.GENERAL],
        },
    )
    return product


def make_contractor(
    platform: Platform, email: str = "tech@example.com", state: str = "NJ"
) -> Contractor:
    return Contractor.objects.create(
        platform=platform,
        first_name="Terry",
        last_name="Tech",
        email=email,
        address_region=state,
    )


def make_category(name: str = "HVAC service and repair") -> CategoryCode:
    category, _ = CategoryCode.objects.get_or_create(name=name)
    return category


def term(days: int = 30, starts_in_days: int = 1) -> tuple[datetime, datetime]:
    start = timezone.now().replace(microsecond=0) + timedelta(days=starts_in_days)
    return start, start + timedelta(days=days)

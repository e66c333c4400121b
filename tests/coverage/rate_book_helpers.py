"""Small builders for rate book tests (plain objects.create, no factories)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coverage.models import CategoryCode, ClassCode, ClassMapping, Rate

WC = "workers-comp"
GL = "general"
SINCE = date(2026, 1, 1)


def add_class(
    category: CategoryCode,
    *,
    state: str,
    line: str,
    code: str,
    rate: str | None = None,
    since: date = SINCE,
) -> ClassCode:
    """Map ``category`` to class ``code`` for ``line`` in ``state``, with a rate from ``since``."""
    class_code, _ = ClassCode.objects.get_or_create(
        jurisdiction=state, line=line, code=code
    )
    ClassMapping.objects.update_or_create(
        category_code=category,
        jurisdiction=state,
        line=line,
        defaults={"class_code": class_code},
    )
    if rate is not None:
        add_rate(class_code, rate=rate, since=since)
    return class_code


def add_rate(class_code: ClassCode, *, rate: str, since: date) -> Rate:
    return Rate.objects.create(
        class_code=class_code, effective_date=since, rate=Decimal(rate)
    )


def janitorial() -> CategoryCode:
    """Seed 001's trade: WC 9410 in New Jersey, 9405 in Pennsylvania; GL 96816 in both."""
    category, created = CategoryCode.objects.get_or_create(name="Janitorial services")
    if not created:
        return category
    add_class(category, state="NJ", line=WC, code="9410", rate="412.50")
    add_class(category, state="PA", line=WC, code="9405", rate="287.00")
    add_class(category, state="NJ", line=GL, code="96816", rate="95.25")
    add_class(category, state="PA", line=GL, code="96816", rate="88.40")
    return category

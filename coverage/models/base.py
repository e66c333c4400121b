"""What every platform-owned record shares: tenant scoping and the API's address shape."""

from __future__ import annotations

from typing import Any, Self

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models import F, Func, Q

from portal.fast_load import FastLoad
from portal.models import Platform, User


class TenantQuerySet(models.QuerySet):
    """Scoping shared by every platform-owned model."""

    def for_platform(self, platform: Platform) -> Self:
        return self.filter(platform=platform)

    def visible_to(self, user: User) -> Self:
        if not user.is_authenticated:
            return self.none()
        if user.sees_all_platforms:
            return self
        return self.filter(platform_id=user.platform_id)

    def live(self) -> Self:
        """Rows not deleted through the API (deletes keep the row for the audit trail)."""
        return self.filter(deleted_at__isnull=True)


class EqualsAny(Func):
    """``lhs = ANY(array)`` (PostgreSQL)."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = models.BooleanField()


def one_of(field: str, rows: models.QuerySet[Any]) -> Q:
    """``field`` is one of ``rows`` (a one-column queryset), as a filter PostgreSQL
    serves from an index even inside an OR (a bitmap of the field's index):
    ``= ANY(ARRAY(subquery))``, where ``IN (subquery)`` makes it scan every row and
    probe a hashed subplan. Other databases get ``IN``."""
    if connection.vendor == "postgresql":
        return Q(EqualsAny(F(field), ArraySubquery(rows)))
    return Q(**{f"{field}__in": rows})


class Addressed(FastLoad):
    """A postal address in the public API's shape (line1, line2, locality, region, postalcode, country)."""

    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    address_locality = models.CharField(max_length=100, blank=True)
    # Two-letter state code; for a contractor it is the residence state (GL), for a
    # work job the work state (WC).
    address_region = models.CharField(max_length=2, blank=True)
    address_postalcode = models.CharField(max_length=20, blank=True)
    address_country = models.CharField(max_length=3, blank=True)

    class Meta:
        abstract = True

    @property
    def address(self) -> dict[str, Any]:
        return {
            "line1": self.address_line1,
            "line2": self.address_line2 or None,
            "locality": self.address_locality,
            "region": self.address_region,
            "postalcode": self.address_postalcode,
            "country": self.address_country or None,
        }

    @property
    def address_text(self) -> str:
        street = ", ".join(p for p in (self.address_line1, self.address_line2) if p)
        city = " ".join(p for p in (self.address_region, self.address_postalcode) if p)
        return ", ".join(p for p in (street, self.address_locality, city) if p)


def max_length_of(model: type[models.Model], field_name: str) -> int:
    """The declared ``max_length`` of one of ``model``'s text fields, for checks made
    before a row is built (a field without one is a programming error)."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field) or field.max_length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{field_name} has no max_length")
    return field.max_length

"""What a person sets for themselves: the time zone they read the portal in."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.models import User
from portal.zones import UNKNOWN_ZONE, is_zone


@transaction.atomic
def set_time_zone(*, user: User, time_zone: str) -> User:
    """Set ``user``'s own zone; "" reads the platform's again."""
    zone = time_zone.strip()
    if zone and not is_zone(zone):
        raise ValidationError(
            {"time_zone": UNKNOWN_ZONE.format(value=zone)}, code="invalid"
        )
    if user.time_zone != zone:
        user.time_zone = zone
        user.save(update_fields=["time_zone"])
    return user

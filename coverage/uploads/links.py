"""The hosted upload link a dispatcher sends a tech: a signed, expiring token naming the
tech and (optionally) the customer whose requirement the certificate is judged against.

Signed with the site's secret (``django.core.signing``) under its own salt, so it cannot
be forged or turned into another tech's link, and it expires after ``LINK_DAYS``. It
holds public ids only. Nothing is stored: a link cannot be revoked before it expires
except by rotating the secret, which is why it is short-lived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from coverage.models import Contractor, Entity

SALT = "coverage.uploads.links.own-certificate"
LINK_DAYS = 14


@dataclass(frozen=True)
class LinkTarget:
    contractor: Contractor
    entity: Entity | None


def make_token(*, contractor: Contractor, entity: Entity | None) -> str:
    return signing.dumps(
        {"c": contractor.public_id, "e": entity.public_id if entity else None},
        salt=SALT,
    )


def read_token(token: str) -> LinkTarget | None:
    """The live tech (and customer) a token names; None when forged, expired or gone."""
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=LINK_DAYS))
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        return None
    contractor = (
        Contractor.objects.select_related("platform")
        .filter(public_id=data["c"], deleted_at__isnull=True)
        .first()
    )
    if contractor is None:
        return None
    entity = None
    if data.get("e"):
        entity = (
            Entity.objects.for_platform(contractor.platform)
            .live()
            .filter(public_id=data["e"])
            .first()
        )
        if entity is None:
            return None
    return LinkTarget(contractor, entity)

"""The contractor side's records in the one audit history (``policies.services.audit``).

Entities, contractors and work jobs are registered here (platforms, API keys and
users are portal's, recorded through ``portal.audit``'s hook) with the
fields their entries show; their services call ``audited`` inside their own atomic
block, after validating and writing, so an entry exists exactly when the change does.
Who: ``by`` (a portal user, the API key of the request — a platform's or staff's — or
None for the system); through what: the API for a key, the portal or the admin
(``via=AuditVia.ADMIN``) for a user.

The tax id is write-only everywhere and is not shown here either; custom metadata is
the platform's own and is not audited field by field.
"""

from __future__ import annotations

from django.db import models

from coverage.models import Contractor, Entity, WorkJob
from policies.models import AuditAction, AuditEntry, AuditVia
from policies.services.audit import (
    OBJECT_TYPES,
    Actor,
    Snapshot,
    object_id_of,
    record_row,
    register,
    snapshot,
)

__all__ = [
    "Actor",
    "AuditAction",
    "AuditVia",
    "audited",
    "before",
    "history_of",
]

_ADDRESS = (
    "address_line1",
    "address_line2",
    "address_locality",
    "address_region",
    "address_postalcode",
    "address_country",
)
_LABELS = {
    "address_locality": "City",
    "address_region": "State",
    "address_postalcode": "Postal code",
    "address_country": "Country",
    "required_coverage": "Required coverage",
    "aggregate_limit": "Aggregate limit (cents)",
    "occurrence_limit": "Occurrence limit (cents)",
    "wage": "Wage (cents)",
    "wage_type": "Wage type",
    "withhold_premium": "Withhold premium",
    "years_experience": "Years of experience",
    "duration_hours": "Duration (hours)",
    "category_code": "Job category",
    "deleted_at": "Deleted",
    "time_zone": "Time zone",
    "hosted_flow_allowed_redirect_hosts": "Redirect hosts",
    "display_prefix": "Key prefix",
    "last_used_at": "Last used",
}

register(
    Entity,
    fields=(
        "name",
        *_ADDRESS,
        "required_coverage",
        "aggregate_limit",
        "occurrence_limit",
        "deleted_at",
    ),
    object_type="Entity",
    labels=_LABELS,
)
register(
    Contractor,
    fields=(
        "first_name",
        "middle_name",
        "last_name",
        "email",
        "phone",
        "company_name",
        *_ADDRESS,
        "withhold_premium",
        "deleted_at",
    ),
    object_type="Contractor",
)
register(
    WorkJob,
    fields=(
        "name",
        "description",
        "entity",
        "category_code",
        "wage",
        "wage_type",
        "duration_hours",
        "years_experience",
        "withhold_premium",
        *_ADDRESS,
        "deleted_at",
    ),
    object_type="Work job",
)


def before(row: models.Model) -> Snapshot:
    """The audited fields of ``row`` before a change (call it under the row's lock)."""
    return snapshot(row)


def audited(
    *,
    by: Actor,
    row: models.Model,
    action: str = AuditAction.CHANGED,
    before: Snapshot | None = None,
    via: str | None = None,
) -> AuditEntry | None:
    """Record a write to ``row`` (created without ``before``, changed from it)."""
    return record_row(by=by, action=action, row=row, txn=None, before=before, via=via)


def history_of(row: models.Model, *, limit: int = 100) -> list[AuditEntry]:
    """Every entry about ``row``, newest first: one query."""
    return list(
        AuditEntry.objects.filter(
            object_type=OBJECT_TYPES[type(row)], object_id=object_id_of(row)
        ).order_by("-created_at", "-pk")[:limit]
    )

"""The audit history: every write the policies services make records who made it, when,
and what changed from what.

The services call these helpers inside their own atomic block, after validating and
writing, so an entry exists exactly when the change does (a refused change rolls its
entry back with it). Callers name the actor with ``by=``: a portal ``User``, the
``ApiKey`` an API request came with, or None for the system (a contractor's opt-in).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from policies.models import (
    AuditAction,
    AuditEntry,
    AuditVia,
    CoinsuranceAgreement,
    CoinsuranceParty,
    Contact,
    Layer,
    LocationNamedInsured,
    Policy,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PolicyTransaction,
    PriorPolicy,
    Tower,
)
from portal.models import ApiKey, Platform, User

Actor = User | ApiKey | None
Snapshot = dict[str, tuple[str, str | None]]

# The fields each kind of row shows in its history, in display order.
AUDITED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    PolicyTransaction: (
        "status",
        "lines",
        "wc_state",
        "gl_state",
        "category_code",
        "effective_at",
        "expires_at",
        "auto_renew",
    ),
    PolicyLocation: (
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "country",
    ),
    Contact: ("kind", "first_name", "last_name", "company_name", "email", "phone"),
    PolicyContactRole: ("contact", "role"),
    LocationNamedInsured: ("location", "contact"),
    PolicySection: ("section_type", "coinsurance_agreement", "tower"),
    CoinsuranceAgreement: (
        "layer",
        "model",
        "our_role",
        "our_share",
        "leaders_fee",
        "policy_number_suffix",
    ),
    CoinsuranceParty: ("agreement", "producer_code", "role", "share"),
    Tower: (),
    Layer: ("tower", "attachment", "limit", "currency"),
    # Portal's records, written through portal.audit's hook (PortalRecorder).
    Platform: (
        "name",
        "time_zone",
        "hosted_flow_allowed_redirect_hosts",
        "default_insurance_requirement",
    ),
    ApiKey: ("name", "kind", "mode", "platform", "display_prefix", "revoked_at"),
    User: (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "platform",
        "is_active",
        "is_staff",
        "is_superuser",
    ),
    PriorPolicy: (
        "carrier",
        "policy_number",
        "effective_date",
        "expiration_date",
        "annual_premium",
        "num_losses",
        "total_losses",
    ),
}

# Field names as an underwriter says them (the models' verbose names are terse).
FIELD_LABELS: dict[str, str] = {
    "address_line1": "Address",
    "address_line2": "Address line 2",
    "postal_code": "Postal code",
    "wc_state": "WC state",
    "gl_state": "GL state",
    "effective_at": "Effective",
    "expires_at": "Expires",
    "auto_renew": "Auto-renew",
    "kind": "Type",
    "section_type": "Section",
    "coinsurance_agreement": "Coinsurance agreement",
    "our_role": "Our role",
    "our_share": "Our share",
    "leaders_fee": "Leader's fee",
    "policy_number_suffix": "Policy number suffix",
    "producer_code": "Producer code",
    "attachment": "Attachment point",
    "num_losses": "Number of losses",
    "annual_premium": "Annual premium",
    "total_losses": "Total losses",
}

OBJECT_TYPES: dict[type[models.Model], str] = {
    PolicyLocation: "Location",
    Contact: "Contact",
    PolicyContactRole: "Contact role",
    LocationNamedInsured: "Location named insured",
    PolicySection: "Policy section",
    CoinsuranceAgreement: "Coinsurance agreement",
    CoinsuranceParty: "Coinsurance party",
    Tower: "Tower",
    Layer: "Layer",
    PriorPolicy: "Prior policy",
    Platform: "Platform",
    ApiKey: "API key",
    User: "User",
}


def register(
    model: type[models.Model],
    *,
    fields: tuple[str, ...],
    object_type: str,
    labels: dict[str, str] | None = None,
) -> None:
    """Audit another app's model with the same history (``coverage.audit`` does, for
    the contractor side's records): the fields its entries show, its name there."""
    AUDITED_FIELDS[model] = fields
    OBJECT_TYPES[model] = object_type
    FIELD_LABELS.update(labels or {})


def _actor_fields(by: Actor, via: str | None = None) -> dict[str, Any]:
    if isinstance(by, User):
        name = by.get_full_name() or by.username
        return {
            "actor_user": by,
            "actor_label": f"{name} ({by.get_role_display().lower()})",
            "via": via or AuditVia.PORTAL,
        }
    if isinstance(by, ApiKey):
        return {
            "actor_key": by,
            "actor_label": f"API key {by.name} ({by.display_prefix}…)",
            "via": AuditVia.API,
        }
    return {"actor_label": "System", "via": AuditVia.SYSTEM}


def _text(field: models.Field, value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return f"{value:.{getattr(field, 'decimal_places', 2)}f}"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def object_id_of(row: models.Model) -> str:
    for name in ("public_id", "short_id"):
        value = getattr(row, name, None)
        if value:
            return str(value)
    return str(row.pk)


def _label(row: models.Model | None) -> str | None:
    if row is None:
        return None
    if isinstance(row, Contact):
        return f"{row.display_name} ({row.public_id})"
    if isinstance(row, CoinsuranceParty):
        return (
            f"Party {row.number} ({row.producer_code.code}) on coinsurance "
            f"agreement {row.agreement.number}"
        )
    if isinstance(row, LocationNamedInsured):
        return f"{row.contact.display_name} at location {row.location.number}"
    if isinstance(row, PolicyContactRole):
        return f"{row.contact.display_name}: {row.get_role_display()}"
    if isinstance(row, PolicySection):
        return f"{row.get_section_type_display()} ({row.section_type})"
    return str(row)


def snapshot(row: models.Model) -> Snapshot:
    """The audited fields of ``row`` as display text, keyed by field name."""
    values: Snapshot = {}
    for name in AUDITED_FIELDS.get(type(row), ()):
        field = row._meta.get_field(name)
        assert isinstance(field, models.Field)  # AUDITED_FIELDS names columns only
        label = FIELD_LABELS.get(name) or str(field.verbose_name).capitalize()
        if isinstance(field, models.ForeignKey):
            values[name] = (label, _label(getattr(row, name)))
            continue
        text = _text(field, getattr(row, name))
        # Money is shown with its currency (prior policies keep it beside the amount).
        currency = getattr(row, f"{name}_currency", None)
        if text is not None and currency:
            text = f"{text} {currency.upper()}"
        values[name] = (label, text)
    return values


def _changes(before: Snapshot, after: Snapshot) -> list[dict[str, str | None]]:
    changes = []
    for name in dict.fromkeys([*before, *after]):
        label, old = before.get(name, (after.get(name, ("", None))[0], None))
        new = after.get(name, (label, None))[1]
        if old != new:
            changes.append({"field": name, "label": label, "old": old, "new": new})
    return changes


def _home(txn: PolicyTransaction | None, policy: Policy | None) -> dict[str, Any]:
    if policy is None and txn is not None and txn.policy_id is not None:
        return {"transaction": txn, "policy_id": txn.policy_id}
    return {"transaction": txn, "policy": policy}


def record(
    *,
    by: Actor,
    action: str,
    txn: PolicyTransaction | None,
    object_type: str,
    object_id: str = "",
    object_label: str = "",
    changes: Iterable[dict[str, str | None]] = (),
    policy: Policy | None = None,
    via: str | None = None,
) -> AuditEntry:
    """Write one entry; the other helpers build their arguments from rows.

    ``via``: the face a portal user came through when it is not the portal (the
    admin); an API key is always the API, None always the system."""
    return AuditEntry.objects.create(
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:200],
        changes=list(changes),
        **_home(txn, policy),
        **_actor_fields(by, via),
    )


def record_row(
    *,
    by: Actor,
    action: str,
    row: models.Model,
    txn: PolicyTransaction | None,
    before: Snapshot | None = None,
    policy: Policy | None = None,
    gone: bool = False,
    via: str | None = None,
) -> AuditEntry | None:
    """An entry about one row: created (no ``before``), changed (from ``before``) or
    deleted (``gone``, or the DELETED action: every old value, no new ones). A
    change that changes nothing is not recorded."""
    if gone or action == AuditAction.DELETED:
        changes = _changes(before or snapshot(row), {})
    elif before is None:
        changes = _changes({}, snapshot(row))
    else:
        changes = _changes(before, snapshot(row))
        if not changes:
            return None
    return record(
        by=by,
        action=action,
        txn=txn,
        policy=policy,
        via=via,
        object_type=OBJECT_TYPES.get(
            type(row), str(row._meta.verbose_name).capitalize()
        ),
        object_id=object_id_of(row),
        object_label=str(_label(row) or ""),
        changes=changes,
    )


def delete_recorded(
    *,
    by: Actor,
    row: models.Model,
    txn: PolicyTransaction | None,
    policy: Policy | None = None,
) -> None:
    """Delete one row, recording its every old value first (in the caller's transaction)."""
    record_row(by=by, action=AuditAction.DELETED, row=row, txn=txn, policy=policy)
    row.delete()


def record_transaction(
    *,
    by: Actor,
    action: str,
    txn: PolicyTransaction,
    before: Snapshot | None = None,
) -> AuditEntry | None:
    """An entry about a transaction itself: started, terms changed, quoted, bound..."""
    after = snapshot(txn)
    changes = _changes(before or {}, after)
    if action == AuditAction.CHANGED and not changes:
        return None
    return record(
        by=by,
        action=action,
        txn=txn,
        object_type=txn.get_kind_display(),
        object_id=txn.public_id,
        object_label=txn.public_id,
        changes=changes,
    )


def link_to_policy(*, txn: PolicyTransaction, policy: Policy) -> None:
    """Point a submission's earlier entries at the policy its binding created.

    They were written before the policy existed; linking them (their content stays
    as written) lets a policy's history, and the admin's filter by policy, include
    the submission that made it.
    """
    AuditEntry.objects.filter(transaction=txn, policy__isnull=True).update(
        policy=policy
    )


class PortalRecorder:
    """Portal's audit hook (``portal.audit``) writing into this history."""

    def snapshot(self, row: models.Model) -> Snapshot:
        return snapshot(row)

    def record(
        self,
        *,
        by: Actor,
        row: models.Model,
        action: str,
        before: Snapshot | None,
        via: str | None,
    ) -> None:
        record_row(by=by, action=action, row=row, txn=None, before=before, via=via)

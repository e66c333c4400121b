"""Audit history: who changed a transaction or policy, when, and what changed from what."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from portal.models import ApiKey, User

from .policies import Policy
from .transactions import PolicyTransaction


class AuditAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    ASSOCIATED = "associated", "Associated"
    DISSOCIATED = "dissociated", "Removed association"
    QUOTED = "quoted", "Quoted"
    MADE_DRAFT = "made_draft", "Made draft"
    WITHDRAWN = "withdrawn", "Withdrawn"
    BOUND = "bound", "Bound"
    REINSTATED = "reinstated", "Reinstated"


class AuditVia(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    # Support's Django admin: a portal user, through another face.
    ADMIN = "admin", "Admin"
    SYSTEM = "system", "System"


class AuditEntry(models.Model):
    """One change to a record: who made it, when, through which face, and what
    changed from what.

    The one audit history of the product: the policies services write it for
    transactions and policies, the contractor side's services for its records
    (entities, contractors, work jobs, platforms and API keys, through
    ``coverage.audit``), inside the write's own database transaction, so every
    change has exactly one entry and a refused change has none. A record's history
    is its entries by ``object_type`` and ``object_id``. Entries are never changed
    or deleted.
    """

    created_at = models.DateTimeField(default=timezone.now)
    # Who: a portal user, or the API key the request came with; neither for the
    # system (a contractor's opt-in, renewals run by a command).
    actor_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor as shown when the change was made; outlives a renamed or removed user.
    actor_label = models.CharField(max_length=200)
    via = models.CharField(max_length=6, choices=AuditVia.choices)
    action = models.CharField(max_length=12, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    # [{"field": "share", "label": "Share", "old": "10.00", "new": "15.00"}, ...]
    changes = models.JSONField(default=list, blank=True)
    transaction = models.ForeignKey(
        PolicyTransaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    policy = models.ForeignKey(
        Policy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    # The record's hash chain, set by PostgreSQL's trigger (policies.audit_chain;
    # NULL on SQLite): its place in the chain and the hashes that link it.
    chain_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.BinaryField(null=True, editable=False)
    entry_hash = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(
                fields=["transaction", "-created_at"], name="policies_audit_txn_idx"
            ),
            models.Index(
                fields=["policy", "-created_at"], name="policies_audit_policy_idx"
            ),
            models.Index(fields=["-created_at"], name="policies_audit_when_idx"),
            # Any record's history (support's lookup by public id).
            models.Index(
                fields=["object_type", "object_id", "-created_at"],
                name="policies_audit_object_idx",
            ),
        ]
        constraints = [
            # One entry per place in a record's chain: no fork; the trigger's head probe.
            models.UniqueConstraint(
                fields=["object_type", "object_id", "chain_seq"],
                name="policies_audit_chain_uniq",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_action_display()} {self.object_type} {self.object_id}".strip()
        )

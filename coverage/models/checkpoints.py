"""Checkpoints of the hash chains: the heads ``verify_ledger`` verified, kept to be checked.

A chain proves its middle; it cannot show that its own last entries were deleted. Each
run of ``verify_ledger`` that finds everything intact records a checkpoint and the heads
that moved since the previous one; the next run checks that every recorded head is still
there. Checkpoints are chained too (``digest``), and the digest printed at each run is
what an operator keeps outside the database.
"""

from __future__ import annotations

from django.db import models

from coverage.models.premium import AppendOnlyModel, AppendOnlyQuerySet


class CheckpointQuerySet(AppendOnlyQuerySet["ChainCheckpoint"]):
    pass


class HeadQuerySet(AppendOnlyQuerySet["ChainHead"]):
    pass


class ChainCheckpoint(AppendOnlyModel):
    """One run of ``verify_ledger`` that found every chain intact."""

    created_at = models.DateTimeField(auto_now_add=True)
    ledger_entries = models.BigIntegerField()
    ledger_chains = models.BigIntegerField()
    audit_entries = models.BigIntegerField()
    audit_chains = models.BigIntegerField()
    heads_recorded = models.BigIntegerField()
    # sha256 (hex) of the previous checkpoint's digest, these counts and the heads
    # recorded here (coverage.services.chain_checkpoints.digest).
    digest = models.CharField(max_length=64)

    objects = CheckpointQuerySet.as_manager()

    def __str__(self) -> str:
        return f"checkpoint {self.pk} {self.digest[:12]}"


class ChainHead(AppendOnlyModel):
    """A chain's last entry as a checkpoint found it (recorded when it had moved)."""

    checkpoint = models.ForeignKey(
        ChainCheckpoint, on_delete=models.PROTECT, related_name="heads"
    )
    family = models.CharField(max_length=10)  # "ledger" or "audit"
    # The chain's key as text: the assignment's id; "object_type<US>object_id".
    chain = models.CharField(max_length=120)
    entry_id = models.BigIntegerField()
    seq = models.BigIntegerField()
    entry_hash = models.BinaryField()

    objects = HeadQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["family", "chain", "-checkpoint"],
                name="coverage_chainhead_latest_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.chain} #{self.seq}"

"""The append-only premium ledger and pay-period invoices."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

from coverage.models.base import TenantQuerySet
from coverage.models.dispatch import Assignment, WorkJob
from coverage.models.parties import Contractor, Entity
from portal.fast_load import FastLoad
from portal.ids import PublicIdField
from portal.models import Platform

LEDGER_APPEND_ONLY = "Ledger entries are never changed or deleted; post a new entry."

_Entry = TypeVar("_Entry", bound=models.Model)


class LedgerIsAppendOnly(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet[_Entry]):
    """Only reads and inserts: an entry, once written, is never changed or removed."""

    def update(self, **kwargs: Any) -> int:
        raise LedgerIsAppendOnly(LEDGER_APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly(LEDGER_APPEND_ONLY)


class AppendOnlyModel(FastLoad):
    """A ledger's row: inserted once, never saved again nor deleted (the premium ledger,
    the collections ledger)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise LedgerIsAppendOnly(LEDGER_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly(LEDGER_APPEND_ONLY)


class LedgerQuerySet(AppendOnlyQuerySet["LedgerEntry"]):
    pass


class LedgerEntry(AppendOnlyModel):
    """One signed movement of premium for one line of one assignment, booked to a day.

    Append-only: a changed wage or window adds an adjustment, a cancellation a
    reversal. Any total (platform, contractor, entity, day) is a SUM over entries.
    """

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        ADJUSTMENT = "adjustment", "Adjustment"
        # Premium trued up to actual pay (coverage.services.actuals).
        AUDIT = "audit", "Audit to actuals"
        REVERSAL = "reversal", "Reversal"

    # No single-column index on any foreign key: an index of Meta leads with each
    # (the ledger is the biggest table; every index costs every posting).
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        db_index=False,
    )
    # Denormalised from the assignment so every total is one indexed SUM.
    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        db_index=False,
    )
    contractor = models.ForeignKey(
        Contractor,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        db_index=False,
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="ledger_entries", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    line = models.CharField(max_length=20)
    amount = models.BigIntegerField(help_text="cents, signed")
    books_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The assignment's hash chain, set by PostgreSQL's trigger (coverage.ledger_chain;
    # NULL on SQLite): its place in the chain and the hashes that link it.
    chain_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.BinaryField(null=True, editable=False)
    entry_hash = models.BinaryField(null=True, editable=False)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "ledger entries"
        indexes = [
            # With the id: a closed day's later entries (id > through_entry) are a
            # range of this index, not a scan of the day (models.premium_days).
            models.Index(
                fields=["platform", "books_on", "id"],
                name="coverage_ledger_plat_day_idx",
            ),
            models.Index(
                fields=["contractor", "books_on"], name="coverage_ledger_cn_day_idx"
            ),
            models.Index(
                fields=["entity", "books_on"], name="coverage_ledger_en_day_idx"
            ),
            models.Index(
                fields=["assignment", "line", "books_on"],
                name="coverage_ledger_asg_idx",
            ),
        ]
        constraints = [
            # One entry per place in an assignment's chain: no fork. Also the index
            # the trigger probes for the chain's head.
            models.UniqueConstraint(
                fields=["assignment", "chain_seq"], name="coverage_ledger_chain_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(kind="charge") | Q(amount__gt=0),
                name="coverage_ledger_charge_positive",
                violation_error_message="A charge adds premium.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | Q(amount__lt=0),
                name="coverage_ledger_reversal_negative",
                violation_error_message="A reversal takes premium back.",
            ),
            models.CheckConstraint(
                condition=~Q(amount=0),
                name="coverage_ledger_amount_nonzero",
                violation_error_message="An entry moves premium.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.line} {self.books_on}"


class Invoice(FastLoad):
    """Premium due for one pay period of a contractor on a job (withheld / agency-remitted premium)."""

    public_id = PublicIdField(prefix="in")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="invoices"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="invoices"
    )
    job = models.ForeignKey(WorkJob, on_delete=models.PROTECT, related_name="invoices")
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="invoices"
    )
    gross_pay = models.BigIntegerField(help_text="cents")
    paycycle_start = models.DateTimeField()
    paycycle_end = models.DateTimeField()
    premium_due = models.BigIntegerField(help_text="cents")
    purchase_order_number = models.CharField(max_length=100, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["platform", "-id"], name="coverage_invoice_plat_idx"),
            models.Index(fields=["contractor", "-id"], name="coverage_invoice_cn_idx"),
            models.Index(fields=["job", "paid_at"], name="coverage_invoice_job_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(paycycle_end__gt=models.F("paycycle_start")),
                name="coverage_invoice_paycycle_positive",
                violation_error_message="A pay cycle ends after it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.public_id

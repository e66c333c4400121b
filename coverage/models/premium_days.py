"""The premium ledger of closed days, summed once: what a long period's report reads.

A day is closed by ``coverage.services.premium_days.close_premium_days`` (``manage.py
close_premium_days``, daily): its ledger entries up to ``through_entry`` are summed at
the report's three ways (kind, line and routed state; customer; tech) into ``PremiumDay`` rows
and the day's reconciliation is stored with them. The ledger stays the record: entries
booked to a closed day later (ids above ``through_entry``) are read from the ledger
itself, and ``manage.py close_premium_days --verify`` checks the sums against it.
"""

from __future__ import annotations

from django.db import models

from coverage.models.parties import Contractor, Entity
from portal.models import Platform


class ClosedPremiumDay(models.Model):
    """One UTC day of one platform's ledger, summed into ``PremiumDay`` rows."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="closed_premium_days"
    )
    day = models.DateField()
    # The last ledger entry summed: later entries of the day are read from the ledger.
    through_entry = models.BigIntegerField()
    total = models.BigIntegerField(help_text="cents")
    entries = models.IntegerField()
    # The day's reconciliation when it closed (selectors.reconciliation.Difference).
    differences = models.JSONField(default=list)
    closed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "day"], name="coverage_closed_day_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.day}"


class PremiumDay(models.Model):
    """A closed day's ledger entries summed one way; each way adds up to the day's total.

    Three ways, told apart by which of ``entity`` / ``contractor`` is set: by kind, line
    and routed state (neither), by customer (``entity``) and by tech (``contractor``).
    A finer grain (all of them at once) would be as many rows as the ledger itself.
    """

    closed = models.ForeignKey(
        ClosedPremiumDay, on_delete=models.CASCADE, related_name="sums"
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="premium_days"
    )
    day = models.DateField()
    kind = models.CharField(max_length=10, blank=True)
    line = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=2, blank=True)
    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, null=True, related_name="premium_days"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.CASCADE, null=True, related_name="premium_days"
    )
    amount = models.BigIntegerField(help_text="cents, signed")
    entries = models.IntegerField()

    class Meta:
        # One index per way: a month's report reads one way at a time.
        indexes = [
            models.Index(
                fields=["platform", "day"],
                condition=models.Q(entity__isnull=True, contractor__isnull=True),
                name="coverage_premday_shape_idx",
            ),
            models.Index(
                fields=["platform", "day"],
                condition=models.Q(entity__isnull=False),
                name="coverage_premday_en_idx",
            ),
            models.Index(
                fields=["platform", "day"],
                condition=models.Q(contractor__isnull=False),
                name="coverage_premday_cn_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entity__isnull=True)
                | models.Q(contractor__isnull=True),
                name="coverage_premday_one_way",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.line} {self.amount}"


class PremiumMonth(models.Model):
    """A tech's premium over a calendar month whose every day is closed, summed from
    the days' tech sums: a month's report reads one row per tech, not one per day
    worked (coverage.services.premium_days.roll_up_month)."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="premium_months"
    )
    month = models.DateField(help_text="its first day")
    contractor = models.ForeignKey(
        Contractor, on_delete=models.CASCADE, related_name="premium_months"
    )
    amount = models.BigIntegerField(help_text="cents, signed")
    entries = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["platform", "month"], name="coverage_premmonth_idx")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.contractor_id} {self.amount}"

"""Towers and layers: ranges of risk in financial limits that sections and agreements attach to."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from .contents import NumberedChild


class Tower(NumberedChild):
    """A range of risk in financial limits, split into layers; may apply to sections."""

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "number"], name="policies_tower_number"
            )
        ]

    def __str__(self) -> str:
        return f"Tower {self.number}"


class Layer(NumberedChild):
    """One band of a tower: from ``attachment`` up to ``attachment + limit``."""

    tower = models.ForeignKey(Tower, on_delete=models.CASCADE, related_name="layers")
    attachment = models.DecimalField(max_digits=16, decimal_places=2)
    limit = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, default="usd")

    class Meta:
        ordering = ["attachment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "number"], name="policies_layer_number"
            ),
            models.CheckConstraint(
                condition=Q(attachment__gte=0) & Q(limit__gt=0),
                name="policies_layer_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Layer {self.number}"

    @property
    def top(self) -> Decimal:
        return self.attachment + self.limit

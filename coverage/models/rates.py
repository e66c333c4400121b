"""The rate book: category code × jurisdiction × line → class code → dated rates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from coverage.models import coverage_line_choices
from coverage.models.parties import CategoryCode
from portal.fast_load import FastLoad

# ---------------------------------------------------------------------------
# Rate book: category code × jurisdiction × line → class code → dated rates.
# Loaded from CSV by `manage.py import_rates` (coverage.rating.book); read only by
# coverage.rating.rate().


class ClassCode(FastLoad):
    """A rating class of one line in one jurisdiction (e.g. WC 9410 in NJ, WC 5183(3) in CA, GL 92215).

    The same number means different work in different states (NCCI 5183 is plumbing,
    California's 5183(3) is HVAC), so a class is only ever identified together with its
    jurisdiction and line.
    """

    jurisdiction = models.CharField(max_length=2)
    line = models.CharField(max_length=20, choices=coverage_line_choices)
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["jurisdiction", "line", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "line", "code"],
                name="coverage_classcode_unique",
                violation_error_message="This class code already exists for that jurisdiction and line.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.line} {self.code}"


class ClassMapping(FastLoad):
    """Which class a job category is rated in, for one line in one jurisdiction.

    ``jurisdiction`` and ``line`` repeat the class code's own so that the lookup rating
    makes (category, state, line) is one unique index; ``clean`` and the importer keep
    them equal to the class code's.
    """

    # No index of its own: the unique (category_code, jurisdiction, line) index leads with it.
    category_code = models.ForeignKey(
        CategoryCode,
        on_delete=models.CASCADE,
        related_name="class_mappings",
        db_index=False,
    )
    jurisdiction = models.CharField(max_length=2)
    line = models.CharField(max_length=20, choices=coverage_line_choices)
    class_code = models.ForeignKey(
        ClassCode, on_delete=models.PROTECT, related_name="mappings"
    )

    class Meta:
        ordering = ["category_code", "jurisdiction", "line"]
        constraints = [
            # Also the index rate() reads: category_code = ? AND (jurisdiction, line) IN (…).
            models.UniqueConstraint(
                fields=["category_code", "jurisdiction", "line"],
                name="coverage_classmapping_unique",
                violation_error_message="This category already has a class for that jurisdiction and line.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_code_id} {self.jurisdiction} {self.line} → {self.class_code_id}"

    def clean(self) -> None:
        if self.class_code_id and (
            self.class_code.jurisdiction != self.jurisdiction
            or self.class_code.line != self.line
        ):
            raise ValidationError(
                {
                    "class_code": "The class code must belong to the mapping's jurisdiction and line."
                }
            )


class Rate(FastLoad):
    """A class's rate from a date on: cents of premium per $100 of pay, as the rate book states it.

    The rate in force on a day is the one with the latest ``effective_date`` on or
    before that day; a change is a new row, so earlier dispatches keep their rate.
    """

    # PROTECT: rates are history that priced dispatches; they are never deleted with a
    # class. No index of its own: the unique (class_code, effective_date) index leads with it.
    class_code = models.ForeignKey(
        ClassCode, on_delete=models.PROTECT, related_name="rates", db_index=False
    )
    effective_date = models.DateField()
    rate = models.DecimalField(
        max_digits=10, decimal_places=4, help_text="cents of premium per $100 of pay"
    )
    # Where the number came from, e.g. "SAMPLE — not filed rates" or a filing reference.
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["class_code", "-effective_date"]
        constraints = [
            # Also the index rate() reads: class_code = ? AND effective_date <= ?
            # ORDER BY effective_date DESC LIMIT 1 (a backward scan of this index).
            models.UniqueConstraint(
                fields=["class_code", "effective_date"],
                name="coverage_rate_unique_per_day",
                violation_error_message="This class already has a rate from that date.",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0),
                name="coverage_rate_not_negative",
                violation_error_message="A rate cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.class_code} from {self.effective_date}: {self.rate}"

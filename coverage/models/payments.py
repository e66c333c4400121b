"""Premium collection: who pays, cards on file, charges, refunds and the collections ledger.

Card numbers never reach these tables: a card on file is the processor's customer and
payment-method ids plus the brand and last four digits the contractor recognises.
``CollectionEntry`` is the append-only record of money actually moved (charged,
failed, refunded), kept beside the premium ledger so billed, collected and refunded
premium can be told apart and reconciled to the cent.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from coverage.models.dispatch import Assignment
from coverage.models.parties import Contractor, Entity
from coverage.models.premium import AppendOnlyModel, AppendOnlyQuerySet
from portal.fast_load import FastLoad
from portal.ids import PublicIdField
from portal.models import Platform


class BillingSettings(FastLoad):
    """A platform's premium-payment mode (the public API's org-level dashboard setting).

    ``contractors_pay_by_card``: the platform's contractors pay their own premium by
    card (Contractor Pay) unless the contractor or the job says ``withhold_premium``.
    Without it the platform remits every premium (Agency Remit) and no card is asked.
    """

    platform = models.OneToOneField(
        Platform, on_delete=models.CASCADE, related_name="billing"
    )
    contractors_pay_by_card = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "billing settings"

    def __str__(self) -> str:
        return f"billing of {self.platform_id}"


class CardOnFile(FastLoad):
    """A contractor's saved card at the processor; the newest unreplaced one is charged."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="cards"
    )
    processor = models.CharField(max_length=20)
    customer_ref = models.CharField(max_length=100)
    payment_method_ref = models.CharField(max_length=100)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField()
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "card on file"
        constraints = [
            models.UniqueConstraint(
                fields=["contractor"],
                condition=Q(replaced_at__isnull=True),
                name="coverage_card_one_current",
                violation_error_message="A contractor has one current card.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}"


class Charge(FastLoad):
    """Premium taken (or to be taken) from a card payer's card for one assignment.

    ``purpose=premium`` is the charge that covers the dispatch: at most one live one
    per assignment (the database says so). An adjustment up is a further charge.
    ``idempotency_key`` is what the processor sees: racing retries of one attempt
    share it, so the processor charges once; a retry after a card update is a new
    attempt with a new key.
    """

    class Purpose(models.TextChoices):
        PREMIUM = "premium", "Premium"
        ADJUSTMENT = "adjustment", "Adjustment"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    public_id = PublicIdField(prefix="ch")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="charges"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="charges"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="charges"
    )
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    amount = models.BigIntegerField(help_text="cents")
    # Cents per line, as the premium ledger books them once the charge succeeds.
    lines = models.JSONField(default=dict)
    due_at = models.DateTimeField()
    attempt = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField(max_length=100, unique=True)
    card = models.ForeignKey(
        CardOnFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    processor_ref = models.CharField(max_length=100, blank=True)
    failure_code = models.CharField(max_length=50, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    refunded = models.BigIntegerField(default=0, help_text="cents")
    notified_at = models.DateTimeField(null=True, blank=True)
    charged_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "due_at"], name="coverage_charge_due_idx"),
            models.Index(fields=["assignment", "-id"], name="coverage_charge_asg_idx"),
            models.Index(
                fields=["contractor", "status"], name="coverage_charge_cn_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(purpose="premium") & ~Q(status="cancelled"),
                name="coverage_charge_one_premium",
                violation_error_message="An assignment has one premium charge.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="coverage_charge_amount_positive",
                violation_error_message="A charge takes a positive amount.",
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=models.F("amount")),
                name="coverage_charge_refund_within",
                violation_error_message="A charge refunds at most what it took.",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def kept(self) -> int:
        """Cents this charge holds now: taken minus refunded (0 unless it succeeded)."""
        return self.amount - self.refunded if self.status == "succeeded" else 0


class Refund(models.Model):
    """Money given back on a succeeded charge (cancellation, adjustment down)."""

    public_id = PublicIdField(prefix="re")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField(help_text="cents")
    reason = models.CharField(max_length=50)
    idempotency_key = models.CharField(max_length=100, unique=True)
    processor_ref = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="coverage_refund_amount_positive",
                violation_error_message="A refund gives back a positive amount.",
            )
        ]

    def __str__(self) -> str:
        return self.public_id


class CollectionQuerySet(AppendOnlyQuerySet["CollectionEntry"]):
    """Only reads and inserts, like the premium ledger."""


class CollectionEntry(AppendOnlyModel):
    """One movement of card money for premium: charged (+), refunded (−) or failed (0 moved).

    A failure records the amount attempted in ``attempted`` and moves nothing, so
    SUM(amount) is always the premium collected net of refunds.
    """

    class Kind(models.TextChoices):
        CHARGED = "charged", "Charged"
        FAILED = "failed", "Charge failed"
        REFUNDED = "refunded", "Refunded"

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="+")
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="collections"
    )
    charge = models.ForeignKey(
        Charge, on_delete=models.PROTECT, related_name="collections"
    )
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.BigIntegerField(help_text="cents, signed")
    attempted = models.BigIntegerField(default=0, help_text="cents")
    books_on = models.DateField()
    created_at = models.DateTimeField()

    objects = CollectionQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "collection entries"
        indexes = [
            models.Index(
                fields=["platform", "books_on"], name="coverage_collect_day_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="charged") & Q(amount__gt=0))
                | (Q(kind="refunded") & Q(amount__lt=0))
                | (Q(kind="failed") & Q(amount=0) & Q(attempted__gt=0)),
                name="coverage_collect_sign",
                violation_error_message="Charged adds, refunded takes back, failed moves nothing.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.books_on}"


class PaymentSession(models.Model):
    """A hosted card-capture page for one contractor (``POST /api/v1/payment/sessions``).

    Single use: the page takes one card, or is cancelled, or lapses 30 minutes after
    creation (the ``expire_sessions`` sweep records it and sends the event).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    public_id = PublicIdField(prefix="hps")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="payment_sessions"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="payment_sessions"
    )
    token = models.CharField(max_length=64, unique=True)
    return_url = models.URLField(max_length=2000)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    card = models.ForeignKey(
        CardOnFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["status", "expires_at"], name="coverage_hps_expiry_idx"
            )
        ]

    def __str__(self) -> str:
        return self.public_id


class SandboxCharge(models.Model):
    """The sandbox processor's own record of a charge (what Stripe's dashboard would list).

    It stands for the processor's side, not ours: unique by idempotency key, so a
    replayed request gets the first answer, exactly as a real processor does.
    """

    ref = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    payment_method_ref = models.CharField(max_length=100)
    amount = models.BigIntegerField()
    status = models.CharField(max_length=20)
    failure_code = models.CharField(max_length=50, blank=True)
    refunded = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.ref

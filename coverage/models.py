"""The contractor side's records: customers-of-record, contractors, job categories.

Every row belongs to a platform (the tenant); queries reach it only through
``for_platform`` / ``visible_to`` so that one platform never sees another's data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from portal.ids import PublicIdField
from portal.models import Platform, User


class TenantQuerySet(models.QuerySet):
    """Scoping shared by every platform-owned model."""

    def for_platform(self, platform: Platform) -> TenantQuerySet:
        return self.filter(platform=platform)

    def visible_to(self, user: User) -> TenantQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.sees_all_platforms:
            return self
        return self.filter(platform_id=user.platform_id)

    def live(self) -> TenantQuerySet:
        """Rows not deleted through the API (deletes keep the row for the audit trail)."""
        return self.filter(deleted_at__isnull=True)


class Addressed(models.Model):
    """A postal address in the public API's shape (line1, line2, locality, region, postalcode, country)."""

    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    address_locality = models.CharField(max_length=100, blank=True)
    # Two-letter state code; for a contractor it is the residence state (GL), for a
    # work job the work state (WC).
    address_region = models.CharField(max_length=2, blank=True)
    address_postalcode = models.CharField(max_length=20, blank=True)
    address_country = models.CharField(max_length=3, blank=True)

    class Meta:
        abstract = True

    @property
    def address(self) -> dict[str, Any]:
        return {
            "line1": self.address_line1,
            "line2": self.address_line2 or None,
            "locality": self.address_locality,
            "region": self.address_region,
            "postalcode": self.address_postalcode,
            "country": self.address_country or None,
        }

    @property
    def address_text(self) -> str:
        street = ", ".join(p for p in (self.address_line1, self.address_line2) if p)
        city = " ".join(p for p in (self.address_region, self.address_postalcode) if p)
        return ", ".join(p for p in (street, self.address_locality, city) if p)


class Entity(Addressed):
    """A customer-of-record: the client a platform dispatches techs to, with the coverage it requires."""

    public_id = PublicIdField(prefix="en")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="entities"
    )
    name = models.CharField(max_length=200)
    # Coverage types (CoverageType values) the entity requires of every tech it receives.
    required_coverage = models.JSONField(default=list, blank=True)
    aggregate_limit = models.BigIntegerField(null=True, blank=True, help_text="cents")
    occurrence_limit = models.BigIntegerField(null=True, blank=True, help_text="cents")
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entities"
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_entity_platform_idx"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Contractor(Addressed):
    """A 1099 tech on one platform; the named insured on the policies bound for them."""

    public_id = PublicIdField(prefix="cn")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="contractors"
    )
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    # Write-only on the API: never serialised back.
    tax_identification = models.CharField(max_length=20, blank=True)
    custom_metadata = models.JSONField(default=dict, blank=True)
    withhold_premium = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_contractor_plat_idx"
            ),
            models.Index(
                fields=["platform", "email"], name="coverage_contractor_email_idx"
            ),
        ]
        constraints = [
            # One contractor per email within a platform (seed 000's duplicate email
            # error). Case-insensitive, and deleted contractors free their email.
            models.UniqueConstraint(
                "platform",
                Lower("email"),
                condition=Q(deleted_at__isnull=True),
                name="coverage_contractor_unique_email_per_platform",
                violation_error_message="A contractor with this email already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def legal_name(self) -> str:
        return " ".join(
            p for p in (self.first_name, self.middle_name, self.last_name) if p
        )

    @property
    def residence_state(self) -> str:
        return self.address_region


class CategoryCode(models.Model):
    """A job category (the API's ``jc_`` code), approved per platform, that the rate book maps to class codes."""

    public_id = PublicIdField(prefix="jc")
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    approved_platforms = models.ManyToManyField(
        Platform, blank=True, related_name="approved_category_codes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "category codes"

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """Something that happened to a platform's data, with a snapshot of the resource then.

    Listed by GET /api/v1/events and delivered to the platform's webhook endpoints.
    """

    public_id = PublicIdField(prefix="ev", length=22)
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(max_length=64)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_event_platform_idx"
            ),
            models.Index(
                fields=["platform", "type", "-id"], name="coverage_event_type_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


# ---------------------------------------------------------------------------
# Rate book: category code × jurisdiction × line → class code → dated rates.
# Loaded from CSV by `manage.py import_rates` (coverage.rate_book); read only by
# coverage.rating.rate().


def coverage_line_choices() -> list[tuple[str, str]]:
    # policies.models imports this module, so CoverageType is looked up when the
    # choices are needed rather than imported at the top (a circular import).
    # Migrations refer to this function by name: keep the name.
    from policies.models import CoverageType

    return CoverageType.choices


class ClassCode(models.Model):
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


class ClassMapping(models.Model):
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


class Rate(models.Model):
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


# ---------------------------------------------------------------------------
# Webhooks: where a platform wants its events, and every attempt to deliver them


class WebhookEndpoint(models.Model):
    """A URL of a platform's that receives its events, signed with this endpoint's secret."""

    # Subscribing to this (or to nothing) means every event type.
    ALL_EVENTS = "*"

    public_id = PublicIdField(prefix="whe", length=22)
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=500, blank=True)
    # Event type names, or ["*"] for all of them.
    events = models.JSONField(default=list, blank=True)
    # Kept in the clear on purpose: deliveries are signed with it (HMAC needs the
    # key itself) and the platform must be able to read it back to verify them.
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_whendpoint_plat_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.public_id} → {self.url}"

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None

    def subscribes_to(self, event_type: str) -> bool:
        return (
            not self.events
            or self.ALL_EVENTS in self.events
            or event_type in self.events
        )


class DeliveryQuerySet(models.QuerySet):
    def due(self, *, at: datetime) -> DeliveryQuerySet:
        """Deliveries whose next attempt may start at ``at`` (served by the partial index)."""
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=at)


class Delivery(models.Model):
    """One event on its way to one endpoint: attempted until it succeeds or attempts run out."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        # The endpoint was deleted before the event got through.
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(default=0)
    # When a worker may next attempt it; while an attempt runs, the end of that
    # worker's lease. Empty once the delivery is finished.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [
            # The workers' only question: which pending deliveries are due? (The
            # foreign keys' own indexes serve "deliveries of this event / endpoint".)
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="coverage_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One POST of an event to an endpoint and what came back (or why nothing did)."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    # Empty while the POST is in flight, and forever if its worker died mid-attempt.
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Why there was no usable response: refused, timed out, redirected, ...
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="coverage_delivery_attempt_once"
            )
        ]

    def __str__(self) -> str:
        outcome = self.status_code or self.error or "in flight"
        return f"attempt {self.number}: {outcome}"

"""Events and their delivery to platforms' webhook endpoints."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q

from coverage.models.base import TenantQuerySet
from portal.fast_load import FastLoad
from portal.ids import PublicIdField
from portal.models import Platform


class Event(FastLoad):
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
# Webhooks: where a platform wants its events, and every attempt to deliver them


class WebhookEndpoint(FastLoad):
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


class Delivery(FastLoad):
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

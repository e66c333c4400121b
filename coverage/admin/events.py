"""Support's view of events, webhook endpoints and deliveries: history, re-send, stop."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from coverage.models import (
    Delivery,
    DeliveryAttempt,
    Event,
    TenantQuerySet,
    WebhookEndpoint,
)
from coverage.webhooks import delivery, endpoints
from portal.admin_tools import (
    ViewOnlyAdmin,
)

_EVENT_ADMIN_FIELDS = (
    "public_id",
    "platform",
    "type",
    "created_at",
    "data",
)


@admin.register(Event)
class EventAdmin(ViewOnlyAdmin):
    list_display = ["public_id", "type", "platform", "created_at"]
    list_filter = ["type", "platform"]
    list_select_related = ["platform"]
    search_fields = ["public_id"]
    date_hierarchy = "created_at"
    fields = _EVENT_ADMIN_FIELDS
    readonly_fields = _EVENT_ADMIN_FIELDS
    actions = ["resend"]

    @admin.action(description="Re-send selected events")
    def resend(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        scheduled = 0
        for event in queryset.select_related("platform"):
            scheduled += len(delivery.schedule_deliveries(event=event))
        self.message_user(
            request,
            f"Scheduled {scheduled} delivery(ies) to the platforms' live endpoints.",
            messages.SUCCESS,
        )


_WEBHOOK_ENDPOINT_ADMIN_FIELDS = (
    "public_id",
    "platform",
    "url",
    "description",
    "events",
    "secret",
    "created_at",
    "deleted_at",
)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ViewOnlyAdmin):
    """Platforms manage endpoints through the API, which validates them; support
    looks, and stops an endpoint without losing its delivery history."""

    # The secret stays off the list; support reads it on one endpoint's page
    # when a platform cannot verify signatures.
    list_display = ["public_id", "url", "platform", "created_at", "deleted_at"]
    list_filter = ["platform", "deleted_at"]
    list_select_related = ["platform"]
    search_fields = ["public_id", "url", "description"]
    fields = _WEBHOOK_ENDPOINT_ADMIN_FIELDS
    readonly_fields = _WEBHOOK_ENDPOINT_ADMIN_FIELDS
    actions = ["stop"]

    @admin.action(description="Delete selected endpoints (stop deliveries)")
    def stop(self, request: HttpRequest, queryset: TenantQuerySet) -> None:
        live = list(queryset.live())
        for endpoint in live:
            endpoints.delete_endpoint(endpoint=endpoint)
        self.message_user(
            request, f"Deleted {len(live)} endpoint(s).", messages.SUCCESS
        )


_DELIVERY_ATTEMPT_INLINE_FIELDS = (
    "number",
    "started_at",
    "duration_ms",
    "status_code",
    "error",
    "response_excerpt",
    "succeeded",
)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = _DELIVERY_ATTEMPT_INLINE_FIELDS
    readonly_fields = _DELIVERY_ATTEMPT_INLINE_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


_DELIVERY_ADMIN_FIELDS = (
    "event",
    "endpoint",
    "status",
    "attempt_count",
    "next_attempt_at",
    "created_at",
    "completed_at",
)


@admin.register(Delivery)
class DeliveryAdmin(ViewOnlyAdmin):
    list_display = [
        "id",
        "event",
        "endpoint",
        "status",
        "attempt_count",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__public_id", "endpoint__public_id", "endpoint__url"]
    fields = _DELIVERY_ADMIN_FIELDS
    readonly_fields = _DELIVERY_ADMIN_FIELDS
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    @admin.action(description="Re-send selected deliveries to their endpoints")
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        scheduled = delivery.redeliver(
            deliveries=queryset.select_related("event", "endpoint")
        )
        self.message_user(
            request, f"Scheduled {len(scheduled)} delivery(ies).", messages.SUCCESS
        )

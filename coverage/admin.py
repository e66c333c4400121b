"""Support's view of the contractor side. Each section registers one area's models."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from coverage import certificates, webhooks
from coverage.models import (
    Certificate,
    Delivery,
    DeliveryAttempt,
    Event,
    WebhookEndpoint,
)

# ---------------------------------------------------------------------------
# Events and webhooks


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is looked at, never edited: it is what was sent."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "type", "platform", "created_at"]
    list_filter = ["type", "platform"]
    list_select_related = ["platform"]
    search_fields = ["public_id"]
    date_hierarchy = "created_at"
    fields = ["public_id", "platform", "type", "created_at", "data"]
    readonly_fields = fields
    actions = ["resend"]

    @admin.action(description="Re-send selected events")
    def resend(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        scheduled = 0
        for event in queryset.select_related("platform"):
            scheduled += len(webhooks.schedule_deliveries(event=event))
        self.message_user(
            request,
            f"Scheduled {scheduled} delivery(ies) to the platforms' live endpoints.",
            messages.SUCCESS,
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    """Platforms manage endpoints through the API, which validates them; support
    looks, and stops an endpoint without losing its delivery history."""

    # The secret stays off the list; support reads it on one endpoint's page
    # when a platform cannot verify signatures.
    list_display = ["public_id", "url", "platform", "created_at", "deleted_at"]
    list_filter = ["platform", "deleted_at"]
    list_select_related = ["platform"]
    search_fields = ["public_id", "url", "description"]
    fields = [
        "public_id",
        "platform",
        "url",
        "description",
        "events",
        "secret",
        "created_at",
        "deleted_at",
    ]
    readonly_fields = fields
    actions = ["stop"]

    @admin.action(description="Delete selected endpoints (stop deliveries)")
    def stop(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        endpoints = list(queryset.live())
        for endpoint in endpoints:
            webhooks.delete_endpoint(endpoint=endpoint)
        self.message_user(
            request, f"Deleted {len(endpoints)} endpoint(s).", messages.SUCCESS
        )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = [
        "number",
        "started_at",
        "duration_ms",
        "status_code",
        "error",
        "response_excerpt",
        "succeeded",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
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
    fields = [
        "event",
        "endpoint",
        "status",
        "attempt_count",
        "next_attempt_at",
        "created_at",
        "completed_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    @admin.action(description="Re-send selected deliveries to their endpoints")
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        scheduled = webhooks.redeliver(
            deliveries=queryset.select_related("event", "endpoint")
        )
        self.message_user(
            request, f"Scheduled {len(scheduled)} delivery(ies).", messages.SUCCESS
        )


# ---------------------------------------------------------------------------
# Certificates


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    """Certificates change only with their dispatch or policy; support finds them and
    re-renders a PDF (from the certificate as issued) when a file went missing."""

    list_display = [
        "number",
        "line",
        "status",
        "insured_name",
        "holder_name",
        "effective_at",
        "end_at",
        "pdf_ready",
        "platform",
        "issued_at",
    ]
    list_filter = ["status", "line", "render_pending", "platform"]
    list_select_related = ["platform"]
    search_fields = [
        "=number",
        "insured_name",
        "holder_name",
        "=assignment__public_id",
        "=policy__number",
    ]
    date_hierarchy = "issued_at"
    fields = [
        "number",
        "verification_link",
        "platform",
        "assignment",
        "policy",
        "line",
        "status",
        "insured_name",
        "holder_name",
        "effective_at",
        "end_at",
        "policy_expires_at",
        "issued_at",
        "revoked_at",
        "revocation_reason",
        "superseded_by",
        "pdf",
        "render_pending",
        "rendered_at",
        "document",
    ]
    readonly_fields = fields
    actions = ["rerender"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Certificate]:
        # The list never shows the document snapshot: leave the large column behind.
        return super().get_queryset(request).defer("document")

    @admin.display(boolean=True, description="PDF")
    def pdf_ready(self, certificate: Certificate) -> bool:
        return certificate.is_rendered and not certificate.render_pending

    @admin.display(description="Verification page")
    def verification_link(self, certificate: Certificate) -> str:
        url = reverse("coverage:certificate_verify", args=[certificate.number])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.action(description="Re-render selected certificates")
    def rerender(self, request: HttpRequest, queryset: QuerySet[Certificate]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        for certificate_id in ids:
            certificates.enqueue_render(certificate_id=certificate_id, force=True)
        self.message_user(
            request,
            f"Queued {len(ids)} certificate(s) for rendering; their PDFs are replaced "
            "in a few seconds.",
            messages.SUCCESS,
        )

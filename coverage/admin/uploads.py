"""Support's view of bring-your-own certificates (uploads and their findings), and the
check of a platform's default insurance requirement when support edits it here."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from coverage.models import ReviewResult, UploadedCertificate
from portal.admin_tools import ViewOnlyAdmin, ViewOnlyInline


class ReviewResultInline(ViewOnlyInline):
    model = ReviewResult
    fields = ["rule_name", "result", "denies", "message", "manually_approved"]
    readonly_fields = ("rule_name", "result", "denies", "message", "manually_approved")


@admin.register(UploadedCertificate)
class UploadedCertificateAdmin(ViewOnlyAdmin):
    """Uploads change only through their review; support looks them up."""

    list_display = [
        "public_id",
        "contractor",
        "entity",
        "status",
        "requirement_source",
        "review_seconds",
        "platform",
        "created_at",
    ]
    list_filter = ["status", "requirement_source", "platform"]
    list_select_related = ["platform", "contractor", "entity"]
    search_fields = ["=public_id", "=review_id", "=contractor__public_id", "filename"]
    inlines = [ReviewResultInline]
    # The stored file opens through the API's download (support's session), never
    # through the storage's own URL.
    exclude = ["file"]
    readonly_fields = ["stored_file"]

    @admin.display(description="File")
    def stored_file(self, certificate: UploadedCertificate) -> str:
        url = reverse("api_v1:uploaded_certificate_pdf", args=[certificate.public_id])
        return format_html('<a href="{}">{}</a>', url, certificate.file.name)


@admin.register(ReviewResult)
class ReviewResultAdmin(ViewOnlyAdmin):
    list_display = ["public_id", "certificate", "rule_name", "result", "message"]
    list_filter = ["result", "rule_name"]
    list_select_related = ["certificate"]
    search_fields = ["=public_id", "=certificate__public_id"]

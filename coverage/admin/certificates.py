"""Support's view of certificates: issued documents, their PDFs and standing."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from coverage import certificates
from coverage.models import (
    Certificate,
)
from portal.admin_tools import (
    ViewOnlyAdmin,
)

_CERTIFICATE_ADMIN_FIELDS = (
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
    "pdf_file",
    "render_pending",
    "rendered_at",
    "document",
)


@admin.register(Certificate)
class CertificateAdmin(ViewOnlyAdmin):
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
    fields = _CERTIFICATE_ADMIN_FIELDS
    readonly_fields = _CERTIFICATE_ADMIN_FIELDS
    actions = ["rerender"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Certificate]:
        # The list never shows the document snapshot: leave the large column behind.
        return super().get_queryset(request).defer("document")

    @admin.display(boolean=True, description="PDF")
    def pdf_ready(self, certificate: Certificate) -> bool:
        return certificate.is_rendered and not certificate.render_pending

    @admin.display(description="PDF file")
    def pdf_file(self, certificate: Certificate) -> str:
        # Through the portal's download, never the storage's own URL (a bucket's is
        # private; the local media folder is not served at all).
        if not certificate.is_rendered:
            return "—"
        url = reverse("coverage:certificate_download", args=[certificate.number])
        return format_html('<a href="{}">{}</a>', url, certificate.pdf.name)

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

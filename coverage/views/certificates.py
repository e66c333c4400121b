"""Certificate pages: the public verification page and PDF (the number is the key),
and the portal's download for signed-in users of the certificate's platform."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coverage import certificates
from coverage.api.certificates import pdf_response
from coverage.models import Certificate
from policies.lines import CoverageType
from portal.http import PortalRequest

CERTIFICATE_NOT_FOUND = (
    "No certificate has this number. Check it against the certificate, or ask the "
    "contractor for the certificate's verification link."
)
CERTIFICATE_BEING_PREPARED = (
    "This certificate's PDF is being prepared. This page reloads by itself in a few "
    "seconds."
)
# What the verification page says of each standing; the reason of a revocation follows.
STANDING_HEADLINES: dict[str, str] = {
    certificates.IN_FORCE: "Genuine and in force",
    certificates.SCHEDULED: "Genuine; its coverage begins with the dispatch window",
    certificates.EXPIRED: "Genuine, but expired",
    certificates.REVOKED: "Revoked: no longer valid",
    certificates.SUPERSEDED: "Replaced: no longer valid",
}
# Search engines should never list a certificate (X-Robots-Tag works for PDFs too).
NO_INDEX = "noindex, nofollow, noarchive"

# What the public page reads: nothing about the platform, its dispatch or its policy.
_PUBLIC_FIELDS = (
    "number",
    "line",
    "status",
    "effective_at",
    "end_at",
    "policy_expires_at",
    "insured_name",
    "holder_name",
    "issued_at",
    "revoked_at",
    "revocation_reason",
    "pdf",
)


# What the verification page adds: where the job site is, for the zone its times read in.
_SITE_FIELDS = (
    "assignment__job__address_region",
    "assignment__job__address_postalcode",
    "assignment__job__time_zone",
)


def _by_number(
    queryset: Any, number: str, *, extra: tuple[str, ...] = ()
) -> Certificate | None:
    # One indexed lookup whether or not the number exists, so an unknown number is
    # answered like a known one.
    normalized = certificates.normalize_number(number)
    if normalized is None:
        return None
    return queryset.only(*_PUBLIC_FIELDS, *extra).filter(number=normalized).first()


R = TypeVar("R", bound=HttpResponse | FileResponse)


def _no_index(response: R) -> R:
    response["X-Robots-Tag"] = NO_INDEX
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    return _no_index(
        render(
            request,
            "coverage/certificate_verify.html",
            {"certificate": None, "not_found": CERTIFICATE_NOT_FOUND},
            status=404,
        )
    )


def _pdf_or_pending(
    request: HttpRequest, certificate: Certificate | None
) -> HttpResponse | FileResponse:
    if certificate is None:
        return _not_found(request)
    if not certificate.is_rendered:
        # Never rendered on request: the worker is on it.
        return _no_index(
            render(
                request,
                "coverage/certificate_pending.html",
                {"certificate": certificate, "message": CERTIFICATE_BEING_PREPARED},
                status=202,
            )
        )
    return _no_index(pdf_response(certificate, as_attachment=False))


@never_cache
@require_GET
def certificate_verify(request: HttpRequest, number: str) -> HttpResponse:
    """Public: is this certificate genuine, and is it in force now?"""
    certificate = _by_number(
        Certificate.objects.select_related("assignment__job"),
        number,
        extra=_SITE_FIELDS,
    )
    if certificate is None:
        return _not_found(request)
    standing = certificates.standing(certificate, at=timezone.now())
    context = {
        "certificate": certificate,
        # The reader may be anywhere; the certificate reads in its job site's zone, as
        # its PDF does.
        "zone": certificate.assignment.job.zone,
        "standing": standing,
        "headline": STANDING_HEADLINES[standing],
        "valid": standing in (certificates.IN_FORCE, certificates.SCHEDULED),
        "line_label": CoverageType(certificate.line).label,
        "is_gl": certificate.line == CoverageType.GENERAL,
        "revocation": certificates.revocation_text(certificate),
    }
    return _no_index(render(request, "coverage/certificate_verify.html", context))


@never_cache
@require_GET
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse | FileResponse:
    """Public: the PDF behind a verification link (whoever holds the number holds it)."""
    return _pdf_or_pending(request, _by_number(Certificate.objects.all(), number))


@login_required
@never_cache
@require_GET
def certificate_download(
    request: PortalRequest, number: str
) -> HttpResponse | FileResponse:
    """The portal's download: only for users who may see the certificate's platform."""
    visible = Certificate.objects.visible_to(request.user)
    return _pdf_or_pending(request, _by_number(visible, number))

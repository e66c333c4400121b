"""/api/v1/certificates/{number}/pdf: a certificate's PDF, for the platform whose dispatch it covers.

Not an endpoint of the public API: it is where the ``certificates`` URLs of its
policies and assignments point. It opens with the platform's key and with a signed-in
portal user who may see the platform; anyone else is told it does not exist.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja.security import SessionAuth

from coverage.api.site import api
from coverage.certificates import normalize_number, pdf_filename
from coverage.models import Certificate
from portal.api import TEN99, ApiError, KeyAuth, platform_of
from portal.models import ApiKey

NO_SUCH_CERTIFICATE = "No such certificate: {number}"
CERTIFICATE_NOT_READY = (
    "The certificate's PDF is being prepared; try again in a few seconds."
)
RETRY_AFTER_SECONDS = 2


def certificate_for(request: HttpRequest, number: str) -> Certificate:
    """The caller's certificate with this number, or the API's 404."""
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, ApiKey):
        # A key that passed KeyAuth("platform") is a platform's key.
        visible = Certificate.objects.for_platform(platform_of(request))
    else:
        visible = Certificate.objects.visible_to(request.user)  # type: ignore[arg-type]
    normalized = normalize_number(number)
    found = (
        visible.only("number", "line", "pdf").filter(number=normalized).first()
        if normalized
        else None
    )
    if found is None:
        raise ApiError(
            NO_SUCH_CERTIFICATE.format(number=number),
            status=404,
            code="invalid_certificate_id",
        )
    return found


def pdf_response(certificate: Certificate, *, as_attachment: bool) -> FileResponse:
    """Streams the stored PDF (never rendered here) with its type and file name."""
    response = FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=as_attachment,
        filename=pdf_filename(certificate),
    )
    # The file changes when the certificate is revoked (VOID banner): always revalidate.
    response["Cache-Control"] = "private, no-cache"
    return response


@api.get(
    "/certificates/{number}/pdf",
    auth=[KeyAuth("platform"), SessionAuth()],
    url_name="certificate_pdf",
    tags=["certificates"],
    summary="Download a certificate of insurance (PDF)",
)
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse | FileResponse:
    """The PDF of a certificate of one of the platform's dispatches (409 while it is rendered)."""
    certificate = certificate_for(request, number)
    if not certificate.is_rendered:
        response = TEN99.response(
            ApiError(CERTIFICATE_NOT_READY, status=409, code="certificate_not_ready"),
            request,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return pdf_response(certificate, as_attachment=True)

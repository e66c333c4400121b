"""The tech's hosted upload page, opened from the signed link a dispatcher sends
(``coverage.uploads.links``): no login, phone-friendly, and the same intake service and
streaming 15 MB cap as the API and the dispatcher's upload."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from coverage.uploads.intake import (
    TOO_BIG,
    CappedUploadHandler,
    Upload,
    capped_upload,
    check_file,
    too_long,
    upload_certificate,
)
from coverage.uploads.links import LinkTarget, read_token
from coverage.views.own_certificates import UploadForm
from portal.forms import add_service_error

LINK_INVALID = (
    "This upload link has expired or is not valid. Ask your dispatcher for a new one."
)
RECEIVED = (
    "Thank you: your certificate was received. It is reviewed in a few seconds; your "
    "dispatcher sees the result."
)
FILE_CODES = {
    "missing_certificate": "certificate",
    "invalid_file_type": "certificate",
    "invalid_mime_type": "certificate",
    "invalid_file_size": "certificate",
}


def _page(
    request: HttpRequest,
    target: LinkTarget | None,
    *,
    form: UploadForm | None = None,
    received: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "coverage/hosted_upload.html",
        {
            "target": target,
            "form": form,
            "received": received,
            "received_message": RECEIVED,
            "invalid_message": LINK_INVALID,
        },
        status=status,
    )


# CSRF is checked in _receive, once the capped upload handlers are in place (the
# middleware would read the whole multipart body with the default handlers first).
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def hosted_upload(request: HttpRequest, token: str) -> HttpResponse:
    target = read_token(token)
    if target is None:
        return _page(request, None, status=404)
    if request.method == "GET":
        return _shown(request, target)
    form = UploadForm(contractor=target.contractor)
    if too_long(int(request.META.get("CONTENT_LENGTH") or 0)):
        form.add_error("certificate", TOO_BIG)
        return _page(request, target, form=form, status=422)
    capped = capped_upload(request)
    return _receive(request, target=target, capped=capped)


@csrf_protect
def _shown(request: HttpRequest, target: LinkTarget) -> HttpResponse:
    # Through csrf_protect so the page sets the CSRF cookie its form posts back.
    return _page(request, target, form=UploadForm(contractor=target.contractor))


@csrf_protect
def _receive(
    request: HttpRequest, *, target: LinkTarget, capped: CappedUploadHandler
) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, contractor=target.contractor)
    # The link names the customer: the tech does not pick what they are judged by.
    form.fields.pop("entity")
    if form.is_valid():
        upload = form.cleaned_data["certificate"]
        try:
            data = check_file(upload, exceeded=capped.exceeded)
            upload_certificate(
                contractor=target.contractor,
                entity=target.entity,
                upload=Upload(filename=upload.name, data=data),
                now=timezone.now(),
            )
        except ValidationError as exc:
            add_service_error(form, exc, codes=FILE_CODES)
        else:
            return _page(request, target, received=True)
    return _page(request, target, form=form, status=422)

"""/api/v1/files/certificates: a tech's own certificate of insurance, uploaded for review.

``POST`` takes ``multipart/form-data`` as the public API does: ``certificate`` (the PDF)
and ``contractor`` (a ``cn_`` id), plus our optional ``entity`` (an ``en_`` id whose
requirements the review applies instead of the platform's default). The answer is 201
with ``status: "pending"``; the review runs in the background and announces its outcome
as a ``certificate.*`` event. ``GET`` lists (newest first) and retrieves, with
``expand[]=review_results`` / ``review_results.full``. ``…/{id}/pdf`` (our addition)
streams the stored file to the platform's key or a signed-in user who may see it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from ninja import Status
from ninja.security import SessionAuth

from coverage.api.inputs import get_or_404
from coverage.api.site import api
from coverage.models import Contractor, Entity, UploadedCertificate
from coverage.uploads.intake import (
    MISSING_CONTRACTOR,
    TOO_BIG,
    CappedUploadHandler,
    Upload,
    capped_upload,
    check_file,
    too_long,
    upload_certificate,
)
from coverage.uploads.serializers import EXPANDABLE, uploaded_certificate_json
from portal.api import ApiError, KeyAuth, cursor_page, platform_of
from portal.models import ApiKey

BAD_MULTIPART = "Send the certificate as multipart/form-data."
UNKNOWN_EXPAND = "expand[] takes review_results or review_results.full, not {value}."

TAGS = ["certificates"]


def _expand(request: HttpRequest) -> set[str]:
    wanted = set(request.GET.getlist("expand[]")) | set(request.GET.getlist("expand"))
    for value in wanted:
        if value not in EXPANDABLE:
            raise ApiError(
                {"expand[]": UNKNOWN_EXPAND.format(value=value)}, code="invalid_input"
            )
    return wanted


def _visible(request: HttpRequest) -> QuerySet[UploadedCertificate]:
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, ApiKey):
        found = UploadedCertificate.objects.for_platform(platform_of(request))
    else:
        found = UploadedCertificate.objects.visible_to(request.user)  # type: ignore[arg-type]
    return found.select_related("contractor", "entity")


def _read_multipart(request: HttpRequest) -> tuple[Any, CappedUploadHandler]:
    capped = capped_upload(request)
    try:
        files = request.FILES
    except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent):
        raise ApiError(BAD_MULTIPART, code="invalid_input") from None
    except RequestDataTooBig:
        raise ApiError(TOO_BIG, code="invalid_file_size") from None
    return files, capped


@api.post(
    "/files/certificates",
    response={201: dict},
    tags=TAGS,
    summary="Upload a contractor's own certificate of insurance for review",
)
def create_uploaded_certificate(request: HttpRequest) -> Status:
    if too_long(int(request.META.get("CONTENT_LENGTH") or 0)):
        raise ApiError(TOO_BIG, code="invalid_file_size")
    files, capped = _read_multipart(request)
    if capped.exceeded:
        # The parser stopped at the cap: fields after the file were never read.
        raise ApiError(TOO_BIG, code="invalid_file_size")
    upload = files.get("certificate")
    if upload is None:
        check_file(None)
    contractor_id = request.POST.get("contractor", "").strip()
    if not contractor_id:
        raise ValidationError(MISSING_CONTRACTOR, code="missing_contractor_id")
    data = check_file(upload)
    platform = platform_of(request)
    contractor = get_or_404(
        Contractor.objects.for_platform(platform).live().select_related("platform"),
        contractor_id,
        what="contractor",
        code="invalid_contractor_id",
    )
    entity = None
    if entity_id := request.POST.get("entity", "").strip():
        entity = get_or_404(
            Entity.objects.for_platform(platform).live(),
            entity_id,
            what="entity",
            code="invalid_entity_id",
        )
    certificate = upload_certificate(
        contractor=contractor,
        entity=entity,
        upload=Upload(filename=upload.name, data=data),
        now=timezone.now(),
    )
    return Status(201, uploaded_certificate_json(certificate))


@api.get("/files/certificates", response=list[dict], tags=TAGS)
def list_uploaded_certificates(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
    contractor: str | None = None,
) -> list[dict[str, Any]]:
    expand = _expand(request)
    found = _visible(request)
    if contractor:
        found = found.filter(contractor__public_id=contractor)
    if expand:
        found = found.prefetch_related("review_results")
    page = cursor_page(
        found, limit=limit, starting_after=starting_after, ending_before=ending_before
    )
    return [uploaded_certificate_json(c, expand=expand) for c in page]


@api.get("/files/certificates/{certificate_id}", response=dict, tags=TAGS)
def retrieve_uploaded_certificate(
    request: HttpRequest, certificate_id: str
) -> dict[str, Any]:
    expand = _expand(request)
    certificate = get_or_404(
        _visible(request),
        certificate_id,
        what="certificate",
        code="invalid_certificate_id",
    )
    return uploaded_certificate_json(certificate, expand=expand)


@api.get(
    "/files/certificates/{certificate_id}/pdf",
    auth=[KeyAuth("platform"), SessionAuth()],
    url_name="uploaded_certificate_pdf",
    tags=TAGS,
    summary="Download an uploaded certificate (PDF)",
)
def uploaded_certificate_pdf(request: HttpRequest, certificate_id: str) -> FileResponse:
    certificate = get_or_404(
        _visible(request),
        certificate_id,
        what="certificate",
        code="invalid_certificate_id",
    )
    response = FileResponse(
        certificate.file.open("rb"),
        content_type="application/pdf",
        filename=f"{certificate.public_id}.pdf",
    )
    response["Cache-Control"] = "private, no-cache"
    # Someone else's PDF, opened in the portal, must not run anything of ours.
    response["Content-Security-Policy"] = "sandbox"
    return response

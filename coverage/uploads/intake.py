"""Taking an outside certificate in: the PDF checks, the size cap, storage, the review queued.

The public API's rules, in the order it reports them: a file (``missing_certificate``),
a contractor (``missing_contractor_id``), the ``.pdf`` extension (``invalid_file_type``),
the part's ``application/pdf`` type (``invalid_mime_type``), at most 15 MB
(``invalid_file_size``), and a body that starts with ``%PDF`` (``invalid_file_type``).
The size is enforced while the body streams in (``CappedUploadHandler``): a larger file
is never read into memory or onto disk beyond the cap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.db import transaction

from coverage.models import Contractor, Entity, UploadedCertificate
from coverage.uploads import review
from coverage.uploads.requirements import requirement_for

MAX_BYTES = 15 * 1024 * 1024
# Room for the multipart boundaries and the other fields of a request whose file is
# exactly at the cap; a Content-Length beyond it is refused before reading a byte.
MULTIPART_SLACK_BYTES = 64 * 1024
SIGNATURE = b"%PDF"
PDF_MIME = "application/pdf"

MISSING_CERTIFICATE = "Attach the certificate as a PDF file in the 'certificate' field."
MISSING_CONTRACTOR = "Name the contractor (a cn_ id) in the 'contractor' field."
NOT_PDF_NAME = "The certificate must be a PDF file (a name ending in .pdf)."
NOT_PDF_MIME = "The certificate must be sent with the MIME type application/pdf."
TOO_BIG = "The certificate is larger than 15 MB."
NOT_PDF_CONTENT = "The file is not a PDF: it does not start with %PDF."


class CappedUploadHandler(FileUploadHandler):
    """Counts a file's bytes as they stream and stops the upload past ``MAX_BYTES``.

    It goes first among the request's handlers and passes every chunk on, so the
    storing handlers never see more than the cap.
    """

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0
        self.exceeded = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def capped_upload(request: Any) -> CappedUploadHandler:
    """Stream the request's files through the cap; returns it, to ask ``exceeded`` after.

    The cap goes first: it sees every chunk before a storing handler does.
    """
    capped = CappedUploadHandler(request)
    request.upload_handlers = [
        capped,
        MemoryFileUploadHandler(request),
        TemporaryFileUploadHandler(request),
    ]
    return capped


def too_long(content_length: int | None) -> bool:
    """A request whose declared length cannot hold a file within the cap: refused unread."""
    return (content_length or 0) > MAX_BYTES + MULTIPART_SLACK_BYTES


def _error(message: str, code: str, status: int = 400) -> ValidationError:
    return ValidationError(message, code=code if status == 400 else f"{status}:{code}")


def check_file(upload: UploadedFile | None, *, exceeded: bool = False) -> bytes:
    """The file's bytes once it passes the public API's checks (ValidationError otherwise)."""
    if exceeded:
        raise _error(TOO_BIG, "invalid_file_size")
    if upload is None:
        raise _error(MISSING_CERTIFICATE, "missing_certificate")
    if not (upload.name or "").lower().endswith(".pdf"):
        raise _error(NOT_PDF_NAME, "invalid_file_type")
    if (upload.content_type or "").split(";")[0].strip().lower() != PDF_MIME:
        raise _error(NOT_PDF_MIME, "invalid_mime_type")
    if upload.size is None or upload.size > MAX_BYTES:
        raise _error(TOO_BIG, "invalid_file_size")
    upload.seek(0)
    data = upload.read()
    if not data.startswith(SIGNATURE):
        raise _error(NOT_PDF_CONTENT, "invalid_file_type")
    return data


@dataclass(frozen=True)
class Upload:
    """A file that passed ``check_file``: its name as sent and its bytes."""

    filename: str
    data: bytes


@transaction.atomic
def upload_certificate(
    *,
    contractor: Contractor,
    entity: Entity | None,
    upload: Upload,
    now: datetime,
) -> UploadedCertificate:
    """Store a tech's own certificate and queue its review (status ``pending``).

    Refused with ``no_insurance_requirement_found`` when nothing applies to judge it by.
    """
    applied = requirement_for(platform=contractor.platform, entity=entity)
    certificate = UploadedCertificate(
        platform_id=contractor.platform_id,
        contractor=contractor,
        entity=entity,
        filename=upload.filename[:255],
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        requirement=applied.requirement.as_json(),
        requirement_source=applied.source,
        requirement_owner=applied.owner,
    )
    # Through Django's storage API (a private bucket in production), under a random name.
    certificate.file.save("certificate.pdf", ContentFile(upload.data), save=False)
    try:
        certificate.save()
    except Exception:
        certificate.file.storage.delete(certificate.file.name)
        raise
    review.enqueue_review(certificate_id=certificate.pk)
    return certificate

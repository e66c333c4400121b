"""An uploaded certificate as /api/v1/files/certificates shows it (and its events carry it).

``review_results`` is null until the review ends; then its ``ca_`` id, or with
``expand[]=review_results`` the review with its summary, and with
``expand[]=review_results.full`` also the parsed certificate and every rule's result.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.urls import reverse

from coverage.api.wire import unix
from coverage.models import ReviewResult, UploadedCertificate

EXPANDABLE = ("review_results", "review_results.full")
PASSED = (ReviewResult.Result.PASS,)
FAILED = (ReviewResult.Result.FAIL, ReviewResult.Result.REVIEW)


def pdf_url(certificate: UploadedCertificate) -> str:
    path = reverse(
        "api_v1:uploaded_certificate_pdf",
        kwargs={"certificate_id": certificate.public_id},
    )
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}"


def review_json(
    certificate: UploadedCertificate, results: list[ReviewResult], *, full: bool
) -> dict[str, Any]:
    review: dict[str, Any] = {
        "id": certificate.review_id,
        "status": certificate.status,
        "created": unix(certificate.reviewed_at),
        "summary": {
            "total_rules": len(results),
            "passed": sum(r.result in PASSED for r in results),
            "failed": sum(r.result in FAILED for r in results),
            "warnings": sum(r.result == ReviewResult.Result.WARN for r in results),
        },
    }
    if full:
        review["updated"] = unix(certificate.updated_at)
        review["parsed_certificate_json"] = certificate.parsed
        review["audit_results"] = [
            {
                "id": r.public_id,
                "rule_name": r.rule_name,
                "rule_path": r.rule_path,
                "result": r.result,
                "message": r.message,
                "manually_approved": r.manually_approved,
                "created": unix(r.created_at),
            }
            for r in results
        ]
    return review


def uploaded_certificate_json(
    certificate: UploadedCertificate, *, expand: Collection[str] = ()
) -> dict[str, Any]:
    """Reads contractor and entity public ids, and review_results when expanded
    (prefetch ``review_results`` on lists)."""
    reviewed = certificate.reviewed_at is not None and certificate.status not in (
        UploadedCertificate.Status.PENDING,
        UploadedCertificate.Status.PROCESSING,
    )
    review: Any = None
    if reviewed:
        review = certificate.review_id
        if "review_results" in expand or "review_results.full" in expand:
            review = review_json(
                certificate,
                list(certificate.review_results.all()),
                full="review_results.full" in expand,
            )
    return {
        "id": certificate.public_id,
        "object": "certificate",
        "contractor": certificate.contractor.public_id,
        "entity": certificate.entity.public_id if certificate.entity else None,
        "status": certificate.status,
        "created": unix(certificate.created_at),
        "updated": unix(certificate.updated_at),
        "filename": certificate.filename,
        "pdf_url": pdf_url(certificate),
        "requirement_source": certificate.requirement_source,
        "review_results": review,
    }

"""Outside certificates: a tech's own certificate of insurance, uploaded for review.

An ``UploadedCertificate`` (``ci_``) is one PDF a platform handed us for one contractor,
judged against the requirement that applied when it arrived (the named entity's, or the
platform's default), copied onto the row so a later edit of either does not rewrite what
was judged. Each finding of its review is a ``ReviewResult`` (``car_``).
"""

from __future__ import annotations

import secrets

from django.db import models

from coverage.models.base import TenantQuerySet
from coverage.models.parties import Contractor, Entity
from portal.fast_load import FastLoad
from portal.ids import PublicIdField
from portal.models import Platform


def uploaded_certificate_path(upload: UploadedCertificate, filename: str) -> str:
    # Never the caller's file name: the stored name is random, and downloads go
    # through a view that checks the caller may see the certificate.
    return f"uploaded-certificates/{secrets.token_hex(16)}.pdf"


class UploadedCertificate(FastLoad):
    """A contractor's own certificate of insurance (bring-your-own COI) and its review."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        APPROVED = "approved", "Approved"
        FLAGGED = "flagged", "Flagged"
        DENIED = "denied", "Denied"
        ERROR = "error", "Error"

    class RequirementSource(models.TextChoices):
        ENTITY = "entity", "Customer-of-record"
        PLATFORM = "platform", "Platform default"

    public_id = PublicIdField(prefix="ci")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="uploaded_certificates"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="uploaded_certificates"
    )
    entity = models.ForeignKey(
        Entity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uploaded_certificates",
    )
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=uploaded_certificate_path, max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING
    )
    # The requirement judged against, as it stood at upload (coverage.uploads.requirements).
    requirement = models.JSONField()
    requirement_source = models.CharField(
        max_length=10, choices=RequirementSource.choices
    )
    requirement_owner = models.CharField(max_length=200)
    # The review: ``ca_`` id, the parsed certificate, when it finished.
    review_id = PublicIdField(prefix="ca")
    parsed = models.JSONField(null=True, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_seconds = models.FloatField(null=True, blank=True)
    # An underwriter's decision on a flagged certificate: who, when and why.
    decided_by = models.ForeignKey(
        "portal.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["platform", "-id"], name="coverage_upl_plat_idx"),
            models.Index(fields=["contractor", "-id"], name="coverage_upl_cn_idx"),
            # The sweep that reviews uploads whose task was lost.
            models.Index(
                fields=["id"],
                condition=models.Q(status__in=("pending", "processing")),
                name="coverage_upl_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id


class ReviewResult(models.Model):
    """One rule of a certificate's review and what it found, in words a dispatcher can act on."""

    class Result(models.TextChoices):
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"
        # Could not be decided from the document: a person must look.
        REVIEW = "review", "Needs review"
        # Worth knowing, decides nothing.
        WARN = "warn", "Warning"

    public_id = PublicIdField(prefix="car")
    certificate = models.ForeignKey(
        UploadedCertificate, on_delete=models.CASCADE, related_name="review_results"
    )
    rule_name = models.CharField(max_length=60)
    rule_path = models.CharField(max_length=200)
    result = models.CharField(max_length=8, choices=Result.choices)
    # A failure either denies the certificate or only flags it for a person.
    denies = models.BooleanField(default=False)
    message = models.CharField(max_length=500)
    manually_approved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.rule_name}: {self.result}"

"""Certificates of insurance: one per line of a covered dispatch."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from coverage.models import (
    certificate_upload_to,
    coverage_line_choices,
    new_certificate_number,
)
from coverage.models.base import TenantQuerySet
from coverage.models.dispatch import Assignment
from portal.fast_load import FastLoad
from portal.models import Platform

# ---------------------------------------------------------------------------
# Certificates of insurance: one per line of a covered dispatch (coverage.certificates)


class Certificate(FastLoad):
    """A certificate of insurance for one line (GL or WC) of one covered dispatch.

    ``document`` is the certificate as issued (a COI is a snapshot at issue: later
    edits of the contractor or entity do not rewrite it); the PDF is rendered from it
    by a background task and kept in Django's storage. ``render_pending`` is True
    while the stored PDF (if any) does not yet show the certificate's status:
    from issue until the first rendering, and again after a revocation, whose PDF
    is re-rendered with a VOID banner.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        REVOKED = "revoked", "Revoked"
        # The dispatch changed (window, job, policy term...): a new certificate
        # replaces this one.
        SUPERSEDED = "superseded", "Superseded"

    number = models.CharField(
        max_length=32, unique=True, default=new_certificate_number, editable=False
    )
    # Platform and policy lead indexes of Meta: no single-column index of their own.
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="certificates", db_index=False
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="certificates"
    )
    policy = models.ForeignKey(
        "policies.Policy",
        on_delete=models.PROTECT,
        related_name="certificates",
        db_index=False,
    )
    line = models.CharField(max_length=20, choices=coverage_line_choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    # The dispatch window certified (the GL additional-insured window), and the
    # policy's expiration when issued: the certificate is in force in between.
    effective_at = models.DateTimeField()
    end_at = models.DateTimeField()
    policy_expires_at = models.DateTimeField()
    # Copies of the document's parties, for the verification page and support's search.
    insured_name = models.CharField(max_length=200)
    holder_name = models.CharField(max_length=200)
    document = models.JSONField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=40, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.FileField(upload_to=certificate_upload_to, max_length=200, blank=True)
    render_pending = models.BooleanField(default=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["platform", "-id"], name="coverage_cert_plat_idx"),
            models.Index(
                fields=["policy", "line", "-id"], name="coverage_cert_pol_idx"
            ),
            # The sweep that renders certificates whose task was lost.
            models.Index(
                fields=["id"],
                condition=Q(render_pending=True),
                name="coverage_cert_pending_idx",
            ),
        ]
        constraints = [
            # At most one certificate in force per line of a dispatch.
            models.UniqueConstraint(
                fields=["assignment", "line"],
                condition=Q(status="issued"),
                name="coverage_cert_one_issued_per_line",
            ),
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("effective_at")),
                name="coverage_cert_window_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_rendered(self) -> bool:
        return bool(self.pdf)

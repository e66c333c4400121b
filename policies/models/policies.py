"""The Policy: the one model both sides of the product read, its statuses and queryset.

A policy is created and changed only by binding a PolicyTransaction (submission,
policy change, renewal, cancellation); nothing writes a Policy directly.
The insured account and its category code live on the contractor side and are
named here by string foreign keys only (see ``policies.models.accounts``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q

from portal.fast_load import FastLoad
from portal.ids import PublicIdField
from portal.models import Platform, User

from .products import Product

# (integer cents). They equal the certificate's defaults
# (coverage.certificate_document.GL_*_CENTS, pinned by a test): a certificate prints
# its limits no lower than those, so a policy may not carry less (see the constraints).
GL_OCCURRENCE_LIMIT_DEFAULT = 1_000_000_00
GL_AGGREGATE_LIMIT_DEFAULT = 2_000_000_00


class PolicyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class PolicyQuerySet(models.QuerySet["Policy"]):
    def for_platform(self, platform: Platform) -> PolicyQuerySet:
        return self.filter(platform=platform)

    def visible_to(self, user: User) -> PolicyQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.sees_all_platforms:
            return self
        if user.platform_id is None:
            return self.none()
        return self.filter(platform_id=user.platform_id)

    def in_force(self, at: datetime) -> PolicyQuerySet:
        return self.filter(
            status=PolicyStatus.ACTIVE, effective_at__lte=at, expires_at__gt=at
        )


class Policy(FastLoad):
    """A contractor's policy on one platform: lines, the states they were rated in, and the term."""

    public_id = PublicIdField(prefix="pl")
    number = models.CharField(max_length=32, unique=True)
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="policies"
    )
    contractor = models.ForeignKey(
        "coverage.Contractor", on_delete=models.PROTECT, related_name="policies"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="policies"
    )
    # CoverageType values this policy carries.
    lines = models.JSONField(default=list)
    # The work state the WC line was rated for, and the residence state for GL
    # (seed 000: a dispatch elsewhere needs a new application).
    wc_state = models.CharField(max_length=2, blank=True)
    gl_state = models.CharField(max_length=2, blank=True)
    category_code = models.ForeignKey(
        "coverage.CategoryCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
    )
    effective_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.ACTIVE
    )
    auto_renew = models.BooleanField(default=True)
    term_number = models.PositiveIntegerField(default=1)
    # GL limits: what an entity's coverage_limit is checked against (eligibility)
    # and what the GL certificate prints.
    gl_occurrence_limit = models.BigIntegerField(
        default=GL_OCCURRENCE_LIMIT_DEFAULT, help_text="cents, each occurrence"
    )
    gl_aggregate_limit = models.BigIntegerField(
        default=GL_AGGREGATE_LIMIT_DEFAULT, help_text="cents, general aggregate"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The bound transaction whose contents (locations, contacts, sections,
    # agreements, prior policies) are this policy's; binding moves it.
    contents_transaction = models.ForeignKey(
        "PolicyTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "policies"
        indexes = [
            # Eligibility: a contractor's policies on a platform, newest first.
            models.Index(
                fields=["contractor", "platform", "status", "-effective_at"],
                name="policies_policy_elig_idx",
            ),
            # Renewals and expiry sweeps.
            models.Index(
                fields=["status", "expires_at"], name="policies_policy_expiry_idx"
            ),
            models.Index(
                fields=["platform", "-id"], name="policies_policy_platform_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("effective_at")),
                name="policies_policy_term_positive",
                violation_error_message="A policy expires after it takes effect.",
            ),
            # The product writes GL at no less than the certificate's default limits,
            # and an aggregate is never below the per-occurrence limit.
            models.CheckConstraint(
                condition=Q(gl_occurrence_limit__gte=GL_OCCURRENCE_LIMIT_DEFAULT)
                & Q(gl_aggregate_limit__gte=GL_AGGREGATE_LIMIT_DEFAULT)
                & Q(gl_aggregate_limit__gte=models.F("gl_occurrence_limit")),
                name="policies_policy_gl_limits_floor",
                violation_error_message=(
                    "General liability limits are at least $1,000,000 each occurrence "
                    "and $2,000,000 aggregate, and the aggregate is at least the "
                    "occurrence limit."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def covers_line(self, line: str) -> bool:
        return line in self.lines

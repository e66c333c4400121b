"""Policy administration: the one Policy model both sides of the product read.

A policy is created and changed only by binding a PolicyTransaction (submission,
policy change, renewal, cancellation); nothing writes a Policy directly.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q

from coverage.models import CategoryCode, Contractor
from portal.ids import PublicIdField
from portal.models import Platform, User


class CoverageType(models.TextChoices):
    """Lines of coverage, spelled as the contractor API spells them."""

    GENERAL = "general", "General liability"
    WORKERS_COMP = "workers-comp", "Workers' compensation"
    PROFESSIONAL = "professional", "Professional liability"
    MEDIA = "media", "Media liability"
    CYBER = "cyber", "Cyber liability"


class Product(models.Model):
    """A line-of-business configuration: what a policy of this product may carry."""

    class NamedInsureds(models.TextChoices):
        NONE = "none", "Location named insureds are not allowed"
        ONE = "one", "One per location"
        MANY = "many", "Many per location"

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    # CoverageType values this product can write.
    lines = models.JSONField(default=list)
    location_named_insureds = models.CharField(
        max_length=4, choices=NamedInsureds.choices, default=NamedInsureds.NONE
    )
    supports_coinsurance = models.BooleanField(default=False)
    supports_layers = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
        return self.filter(platform_id=user.platform_id)

    def in_force(self, at: datetime) -> PolicyQuerySet:
        return self.filter(
            status=PolicyStatus.ACTIVE, effective_at__lte=at, expires_at__gt=at
        )


class Policy(models.Model):
    """A contractor's policy on one platform: lines, the states they were rated in, and the term."""

    public_id = PublicIdField(prefix="pl")
    number = models.CharField(max_length=32, unique=True)
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="policies"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="policies"
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
        CategoryCode,
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
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

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
            )
        ]

    def __str__(self) -> str:
        return self.number

    def covers_line(self, line: str) -> bool:
        return line in self.lines


class TransactionKind(models.TextChoices):
    SUBMISSION = "submission", "Submission"
    POLICY_CHANGE = "policy_change", "Policy change"
    RENEWAL = "renewal", "Renewal"
    CANCELLATION = "cancellation", "Cancellation"
    REINSTATEMENT = "reinstatement", "Reinstatement"


class TransactionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    QUOTED = "quoted", "Quoted"
    BOUND = "bound", "Bound"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PolicyTransaction(models.Model):
    """One change to a policy (the Cloud API's "job"), holding the policy as it would make it.

    Its fields are edited while it is a draft; binding copies them onto the Policy
    (creating it, for a submission).
    """

    public_id = PublicIdField(prefix="pc", separator=":", length=16)
    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    status = models.CharField(
        max_length=10,
        choices=TransactionStatus.choices,
        default=TransactionStatus.DRAFT,
    )
    policy = models.ForeignKey(
        Policy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="+")
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lines = models.JSONField(default=list)
    wc_state = models.CharField(max_length=2, blank=True)
    gl_state = models.CharField(max_length=2, blank=True)
    category_code = models.ForeignKey(
        CategoryCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effective_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    auto_renew = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    quoted_at = models.DateTimeField(null=True, blank=True)
    bound_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["policy", "-created_at"], name="policies_txn_policy_idx"
            ),
            models.Index(
                fields=["status", "-created_at"], name="policies_txn_status_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"

    @property
    def is_draft(self) -> bool:
        return self.status == TransactionStatus.DRAFT

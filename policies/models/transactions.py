"""Policy transactions: one change to a policy (the Cloud API's "job"), its kinds and statuses.

Contents (locations, contact roles, location named insureds, sections, towers and
layers, coinsurance agreements and parties, prior policies) belong to a
transaction: each transaction holds the policy *as it would make it*, like a
Guidewire policy-period branch. Binding points the policy at the bound
transaction's contents (``Policy.contents_transaction``); a policy change or
renewal starts from a copy of them.
"""

from __future__ import annotations

from django.db import models

from portal.ids import PublicIdField
from portal.models import Platform, User

from .policies import Policy
from .products import Product


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
        "coverage.Contractor", on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lines = models.JSONField(default=list)
    wc_state = models.CharField(max_length=2, blank=True)
    gl_state = models.CharField(max_length=2, blank=True)
    category_code = models.ForeignKey(
        "coverage.CategoryCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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
    # The last short id handed to a child (location "1", agreement "2", ...). Taken
    # under the transaction's row lock, and copied with the contents.
    last_child_number = models.PositiveIntegerField(default=0)

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

    @property
    def is_open(self) -> bool:
        return self.status in (TransactionStatus.DRAFT, TransactionStatus.QUOTED)

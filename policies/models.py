"""Policy administration: the one Policy model both sides of the product read.

A policy is created and changed only by binding a PolicyTransaction (submission,
policy change, renewal, cancellation); nothing writes a Policy directly.

Contents (locations, contact roles, location named insureds, sections, towers and
layers, coinsurance agreements and parties, prior policies) belong to a
transaction: each transaction holds the policy *as it would make it*, like a
Guidewire policy-period branch. Binding points the policy at the bound
transaction's contents (``Policy.contents_transaction``); a policy change or
renewal starts from a copy of them. Child resources keep short ids ("1", "101")
numbered per transaction, and copies keep their numbers, so location 101 of a job
is location 101 of the policy it binds.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from coverage.models import CategoryCode, Contractor
from portal.ids import PublicIdField, new_public_id
from portal.models import ApiKey, Platform, User


class SectionType(models.TextChoices):
    """Policy section types (the Cloud API's ``sectionType`` typelist)."""

    WC = "WC", "Workers' compensation"
    GL = "GL", "General liability"
    PP = "PP", "Property"
    BI = "BI", "Business interruption"
    MO = "MO", "Motor"
    LI = "LI", "Liability"


class Product(models.Model):
    """A line-of-business configuration: what a policy of this product may carry.

    A contractor product writes ``lines`` (CoverageType values, what the contractor
    API names); a commercial product is made of policy ``section_types`` instead.
    """

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
    # SectionType values a transaction of this product may add.
    section_types = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# General liability limits a contractor policy carries unless underwritten higher
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


# ---------------------------------------------------------------------------
# Contents of a transaction (and, once bound, of its policy)


class NumberedChild(models.Model):
    """A row owned by one transaction, known to the API by a short per-transaction id."""

    transaction = models.ForeignKey(
        PolicyTransaction, on_delete=models.CASCADE, related_name="+"
    )
    number = models.PositiveIntegerField()

    class Meta:
        abstract = True

    @property
    def short_id(self) -> str:
        return str(self.number)


class PolicyLocation(NumberedChild):
    """An address on the policy; its state is the jurisdiction it is written in."""

    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="US")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "number"], name="policies_location_number"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.number}: {self.address_line1}, {self.city}, {self.state}"


class Contact(models.Model):
    """A person or company on the insured's account (the contractor), shared by its policies.

    The contractor is the account; its own contact (``is_account_holder``) is the
    primary named insured of every policy written for it.
    """

    class Kind(models.TextChoices):
        PERSON = "Person", "Person"
        COMPANY = "Company", "Company"

    public_id = PublicIdField(prefix="pc", separator=":", length=12)
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="policy_contacts"
    )
    kind = models.CharField(max_length=7, choices=Kind.choices, default=Kind.PERSON)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_account_holder = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contractor"],
                condition=Q(is_account_holder=True),
                name="policies_contact_one_account_holder",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.COMPANY:
            return self.company_name
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class ContactRole(models.TextChoices):
    PRIMARY_NAMED_INSURED = "primaryNamedInsured", "Primary named insured"
    SECONDARY_NAMED_INSURED = "secondaryNamedInsured", "Secondary named insured"
    ADDITIONAL_NAMED_INSURED = "additionalNamedInsured", "Additional named insured"
    ADDITIONAL_INSURED = "additionalInsured", "Additional insured"
    # What a contact added with no other role is (Guidewire's APDPolicyInvolvedParty).
    INVOLVED_PARTY = "policyInvolvedParty", "Policy involved party"


class PolicyContactRole(models.Model):
    """One role a contact plays on one transaction: a contact is on a job iff it has a role there."""

    transaction = models.ForeignKey(
        PolicyTransaction, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(max_length=24, choices=ContactRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "contact", "role"],
                name="policies_contactrole_unique",
            ),
            models.UniqueConstraint(
                fields=["transaction"],
                condition=Q(role="primaryNamedInsured"),
                name="policies_contactrole_one_primary",
            ),
            models.UniqueConstraint(
                fields=["transaction"],
                condition=Q(role="secondaryNamedInsured"),
                name="policies_contactrole_one_secondary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.role}"


class LocationNamedInsured(NumberedChild):
    """An additional named insured contact associated with one policy location (seed 002)."""

    location = models.ForeignKey(
        PolicyLocation, on_delete=models.CASCADE, related_name="named_insureds"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "number"], name="policies_lni_number"
            ),
            models.UniqueConstraint(
                fields=["location", "contact"], name="policies_lni_once_per_location"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} at {self.location_id}"


class Tower(NumberedChild):
    """A range of risk in financial limits, split into layers; may apply to sections."""

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "number"], name="policies_tower_number"
            )
        ]

    def __str__(self) -> str:
        return f"Tower {self.number}"


class Layer(NumberedChild):
    """One band of a tower: from ``attachment`` up to ``attachment + limit``."""

    tower = models.ForeignKey(Tower, on_delete=models.CASCADE, related_name="layers")
    attachment = models.DecimalField(max_digits=16, decimal_places=2)
    limit = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, default="usd")

    class Meta:
        ordering = ["attachment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "number"], name="policies_layer_number"
            ),
            models.CheckConstraint(
                condition=Q(attachment__gte=0) & Q(limit__gt=0),
                name="policies_layer_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Layer {self.number}"

    @property
    def top(self) -> Decimal:
        return self.attachment + self.limit


class CoinsuranceModel(models.TextChoices):
    """The CoinsuranceModel typelist: who pays followers and who pays claims."""

    ADMINISTER = "administer", "Administer"
    ADMINISTER_NO_CLAIM = "administerNoClaim", "Administer, no claim"
    BROKER_CLAIM = "brokerClaim", "Broker, claim"
    BROKER_NO_CLAIM = "brokerNoClaim", "Broker, no claim"


class CoinsuranceRole(models.TextChoices):
    LEAD = "lead", "Lead"
    FOLLOW = "follow", "Follow"


class CoinsuranceLevel(models.TextChoices):
    POLICY = "policy", "Policy"
    SECTION = "section", "Section"
    LAYER = "layer", "Layer"


SHARE = {"max_digits": 5, "decimal_places": 2}


class CoinsuranceAgreement(NumberedChild):
    """Who shares the risk with us, and how much (seed 003).

    Its level follows from what it is attached to: a layer (layer-level), sections
    (section-level, or layer-level when one of them belongs to a tower), or nothing
    (policy-level: it covers every coverage no other agreement lists).
    """

    layer = models.OneToOneField(
        Layer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="coinsurance_agreement",
    )
    model = models.CharField(max_length=20, choices=CoinsuranceModel.choices)
    our_role = models.CharField(max_length=6, choices=CoinsuranceRole.choices)
    our_share = models.DecimalField(**SHARE)
    leaders_fee = models.DecimalField(null=True, blank=True, **SHARE)
    policy_number_suffix = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "number"], name="policies_agreement_number"
            ),
            models.CheckConstraint(
                condition=Q(our_share__gte=0) & Q(our_share__lte=100),
                name="policies_agreement_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Coinsurance agreement {self.number}"


class PolicySection(models.Model):
    """A group of coverages (by section type) that coinsurance and towers attach to.

    Its API id is its type code ("PP"): a transaction has each section type once.
    """

    transaction = models.ForeignKey(
        PolicyTransaction, on_delete=models.CASCADE, related_name="+"
    )
    section_type = models.CharField(max_length=4, choices=SectionType.choices)
    coinsurance_agreement = models.ForeignKey(
        CoinsuranceAgreement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sections",
    )
    tower = models.ForeignKey(
        Tower,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sections",
    )

    class Meta:
        ordering = ["section_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "section_type"],
                name="policies_section_once_per_txn",
            )
        ]

    def __str__(self) -> str:
        return self.section_type

    @property
    def short_id(self) -> str:
        return self.section_type


class Organization(models.Model):
    """A coinsurer (or broker) organization."""

    public_id = PublicIdField(prefix="org", separator=":")
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProducerCode(models.Model):
    """A producer code through which an organization takes part in coinsurance."""

    public_id = PublicIdField(prefix="pc", separator=":")
    code = models.CharField(max_length=40, unique=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="producer_codes"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class CoinsuranceParty(NumberedChild):
    """A coinsurer on an agreement, by producer code, with its role and share."""

    agreement = models.ForeignKey(
        CoinsuranceAgreement, on_delete=models.CASCADE, related_name="parties"
    )
    producer_code = models.ForeignKey(
        ProducerCode, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=6, choices=CoinsuranceRole.choices)
    share = models.DecimalField(**SHARE)

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "coinsurance parties"
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "number"], name="policies_party_number"
            ),
            models.UniqueConstraint(
                fields=["agreement", "producer_code"],
                name="policies_party_once_per_agreement",
            ),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=100),
                name="policies_party_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.producer_code_id} {self.share}%"


def new_prior_policy_id() -> str:
    return new_public_id("pc", 16, ":")


class PriorPolicy(models.Model):
    """A policy the insured held before (seed 004): risk-analysis information.

    Its ``pc:`` id is kept when the contents are copied, so one prior policy has one
    id on the job and on the policy; it is unique within a transaction only.
    """

    transaction = models.ForeignKey(
        PolicyTransaction, on_delete=models.CASCADE, related_name="+"
    )
    # Not a PublicIdField: that one is unique across the table (and its
    # deconstruct() cannot say otherwise), while copies share their id.
    public_id = models.CharField(
        max_length=19, default=new_prior_policy_id, editable=False, db_index=True
    )
    carrier = models.CharField(max_length=200, blank=True)
    policy_number = models.CharField(max_length=64, blank=True)
    effective_date = models.DateField()
    expiration_date = models.DateField(null=True, blank=True)
    annual_premium = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    annual_premium_currency = models.CharField(max_length=3, blank=True)
    num_losses = models.PositiveIntegerField(null=True, blank=True)
    total_losses = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    total_losses_currency = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "pk"]
        verbose_name_plural = "prior policies"
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "public_id"],
                name="policies_priorpolicy_id_per_txn",
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.policy_number}".strip() or self.public_id


# ---------------------------------------------------------------------------
# Audit history


class AuditAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    ASSOCIATED = "associated", "Associated"
    DISSOCIATED = "dissociated", "Removed association"
    QUOTED = "quoted", "Quoted"
    MADE_DRAFT = "made_draft", "Made draft"
    WITHDRAWN = "withdrawn", "Withdrawn"
    BOUND = "bound", "Bound"
    REINSTATED = "reinstated", "Reinstated"


class AuditVia(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    SYSTEM = "system", "System"


class AuditEntry(models.Model):
    """One change to a transaction or policy: who made it, when, and what changed from what.

    Written by the policies services inside the write's own database transaction, so
    every change made through the API or the underwriter workspace has exactly one
    entry and a refused change has none. Entries are never changed or deleted.
    """

    created_at = models.DateTimeField(default=timezone.now)
    # Who: a portal user, or the API key the request came with; neither for the
    # system (a contractor's opt-in, renewals run by a command).
    actor_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor as shown when the change was made; outlives a renamed or removed user.
    actor_label = models.CharField(max_length=200)
    via = models.CharField(max_length=6, choices=AuditVia.choices)
    action = models.CharField(max_length=12, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    # [{"field": "share", "label": "Share", "old": "10.00", "new": "15.00"}, ...]
    changes = models.JSONField(default=list, blank=True)
    transaction = models.ForeignKey(
        PolicyTransaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    policy = models.ForeignKey(
        Policy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(
                fields=["transaction", "-created_at"], name="policies_audit_txn_idx"
            ),
            models.Index(
                fields=["policy", "-created_at"], name="policies_audit_policy_idx"
            ),
            models.Index(fields=["-created_at"], name="policies_audit_when_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_action_display()} {self.object_type} {self.object_id}".strip()
        )

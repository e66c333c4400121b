"""Contents of a transaction (and, once bound, of its policy): locations, contacts and roles,
location named insureds, sections and prior policies.

Child resources keep short ids ("1", "101") numbered per transaction, and copies
keep their numbers, so location 101 of a transaction is location 101 of the policy
it binds. Towers and layers are in ``towers``, coinsurance in ``coinsurance``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from portal.ids import PublicIdField, new_public_id

from .products import SectionType
from .transactions import PolicyTransaction


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
        "coverage.Contractor", on_delete=models.PROTECT, related_name="policy_contacts"
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


class PolicySection(models.Model):
    """A group of coverages (by section type) that coinsurance and towers attach to.

    Its API id is its type code ("PP"): a transaction has each section type once.
    """

    transaction = models.ForeignKey(
        PolicyTransaction, on_delete=models.CASCADE, related_name="+"
    )
    section_type = models.CharField(max_length=4, choices=SectionType.choices)
    coinsurance_agreement = models.ForeignKey(
        "CoinsuranceAgreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sections",
    )
    tower = models.ForeignKey(
        "Tower",
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


def new_prior_policy_id() -> str:
    return new_public_id("pc", 16, ":")


class PriorPolicy(models.Model):
    """A policy the insured held before (seed 004): risk-analysis information.

    Its ``pc:`` id is kept when the contents are copied, so one prior policy has one
    id on the transaction and on the policy; it is unique within a transaction only.
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

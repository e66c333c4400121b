"""Coinsurance: agreements, their parties, the organizations and producer codes, and the typelists."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from portal.ids import PublicIdField

from .contents import NumberedChild
from .towers import Layer


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
    # Shares are percentages: up to 100.00, to two decimal places.
    our_share = models.DecimalField(max_digits=5, decimal_places=2)
    leaders_fee = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
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
    share = models.DecimalField(max_digits=5, decimal_places=2)  # a percentage

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

"""Products: what a policy of each line-of-business configuration may carry, and section types."""

from __future__ import annotations

from django.db import models

from portal.fast_load import FastLoad


class SectionType(models.TextChoices):
    """Policy section types (the Cloud API's ``sectionType`` typelist)."""

    WC = "WC", "Workers' compensation"
    GL = "GL", "General liability"
    PP = "PP", "Property"
    BI = "BI", "Business interruption"
    MO = "MO", "Motor"
    LI = "LI", "Liability"


class Product(FastLoad):
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

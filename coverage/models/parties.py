"""Customers-of-record, contractors and job categories."""

from __future__ import annotations

from typing import Self

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from coverage.models.base import Addressed, TenantQuerySet
from portal.encryption import EncryptedTextField, masked
from portal.fast_load import FastLoad
from portal.ids import PublicIdField
from portal.models import Platform


class EntityQuerySet(TenantQuerySet):
    def search(self, q: str) -> Self:
        """Customers whose name holds every word of ``q``, or the one with that id."""
        found = self
        for term in q.split():
            found = found.filter(Q(name__icontains=term) | Q(public_id=term))
        return found


class Entity(Addressed):
    """A customer-of-record: the client a platform dispatches techs to, with the coverage it requires."""

    public_id = PublicIdField(prefix="en")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="entities"
    )
    name = models.CharField(max_length=200)
    # Coverage types (CoverageType values) the entity requires of every tech it receives.
    required_coverage = models.JSONField(default=list, blank=True)
    aggregate_limit = models.BigIntegerField(null=True, blank=True, help_text="cents")
    occurrence_limit = models.BigIntegerField(null=True, blank=True, help_text="cents")
    # Contract requirements (coverage.services.contract): every amount in cents.
    # Per line (CoverageType value) the minimum of each limit a certificate shows, e.g.
    # {"workers-comp": {"el_each_accident": 100000000}}; GL occurrence and aggregate
    # stay in occurrence_limit / aggregate_limit (the API's coverage_limit).
    minimum_limits = models.JSONField(default=dict, blank=True)
    # Parties insured beyond the entity itself: [{"name": ..., "address": {...}}].
    additional_insureds = models.JSONField(default=list, blank=True)
    waiver_of_subrogation = models.BooleanField(default=False)
    primary_non_contributory = models.BooleanField(default=False)
    # {"name": ..., "address": {...}} when certificates go to someone else than the
    # entity (e.g. the property manager); None: the entity holds them.
    certificate_holder = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entities"
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_entity_platform_idx"
            )
        ]

    def __str__(self) -> str:
        return self.name


def contractor_named(term: str, *, via: str = "") -> Q:
    """The contractor search, as a filter: first name, last name, company name or email
    contains ``term``, or it is the contractor's public id.

    ``via`` is the path from the queried model to the contractor (``"contractor__"`` on
    assignments), so every list that finds techs or insureds by name asks the same
    question; policy administration reaches it as ``Contractor.named`` through its
    relation (it imports nothing from coverage).
    """
    return (
        Q(**{f"{via}first_name__icontains": term})
        | Q(**{f"{via}last_name__icontains": term})
        | Q(**{f"{via}company_name__icontains": term})
        | Q(**{f"{via}email__icontains": term})
        | Q(**{f"{via}public_id": term})
    )


class ContractorQuerySet(TenantQuerySet):
    def techs(self) -> Self:
        """Contractors who are techs: not the commercial accounts underwriters insure.

        An underwriter's account (e.g. a property insured) is a Contractor row too, the
        insured of a transaction for another product; it is never dispatched, so the
        Techs list and the ticket's picker leave it out.
        """
        # Imported here: coverage's models load while the app registry is still being
        # filled, before policies' models exist to import.
        from policies.models import PolicyTransaction
        from policies.products import CONTRACTOR_PRODUCT

        other_product = PolicyTransaction.objects.filter(
            contractor=models.OuterRef("pk")
        ).exclude(product__code=CONTRACTOR_PRODUCT)
        return self.exclude(models.Exists(other_product))

    def search(self, q: str) -> Self:
        """Techs matching every word of ``q``: by name or email, or by their public id."""
        found = self
        for term in q.split():
            found = found.filter(contractor_named(term))
        return found


class Contractor(Addressed):
    """A 1099 tech on one platform; the named insured on the policies bound for them."""

    public_id = PublicIdField(prefix="cn")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="contractors"
    )
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    # Write-only on the API: never serialised back. Encrypted at rest; shown only
    # masked (tax_identification_masked).
    tax_identification = EncryptedTextField(blank=True)
    custom_metadata = models.JSONField(default=dict, blank=True)
    withhold_premium = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ContractorQuerySet.as_manager()

    @staticmethod
    def named(term: str, *, via: str = "") -> Q:
        """``contractor_named`` for code that reaches this model through a relation."""
        return contractor_named(term, via=via)

    class Meta:
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_contractor_plat_idx"
            ),
            models.Index(
                fields=["platform", "email"], name="coverage_contractor_email_idx"
            ),
        ]
        constraints = [
            # One contractor per email within a platform (seed 000's duplicate email
            # error). Case-insensitive, and deleted contractors free their email.
            models.UniqueConstraint(
                "platform",
                Lower("email"),
                condition=Q(deleted_at__isnull=True),
                name="coverage_contractor_unique_email_per_platform",
                violation_error_message="A contractor with this email already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def tax_identification_masked(self) -> str:
        """The tax id as every screen shows it: the last four only."""
        return masked(self.tax_identification)

    @property
    def legal_name(self) -> str:
        return " ".join(
            p for p in (self.first_name, self.middle_name, self.last_name) if p
        )

    @property
    def residence_state(self) -> str:
        return self.address_region


class CategoryCode(FastLoad):
    """A job category (the API's ``jc_`` code), approved per platform, that the rate book maps to class codes."""

    public_id = PublicIdField(prefix="jc")
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    approved_platforms = models.ManyToManyField(
        Platform, blank=True, related_name="approved_category_codes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "category codes"

    def __str__(self) -> str:
        return self.name

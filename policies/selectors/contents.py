"""Reads of a transaction's contents for the workspace pages: locations, contacts and
their roles, sections, towers and prior policies (coinsurance agreements are in
``selectors.coinsurance``, the audit history in ``selectors.audit``).

Each loader is a fixed number of queries whatever the number of rows (prefetches,
not per-row lookups), so a page's cost does not grow with a policy's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from policies.models import (
    Contact,
    ContactRole,
    Layer,
    LocationNamedInsured,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PriorPolicy,
    Tower,
)


@dataclass
class ContactOnTransaction:
    contact: Contact
    roles: list[str] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [ContactRole(r).label for r in self.roles]

    @property
    def is_primary_or_secondary(self) -> bool:
        return bool(
            {ContactRole.PRIMARY_NAMED_INSURED, ContactRole.SECONDARY_NAMED_INSURED}
            & set(self.roles)
        )


def locations_of(txn_id: int | None) -> list[PolicyLocation]:
    """Locations with their named insureds (and those contacts): two queries."""
    return list(
        PolicyLocation.objects.filter(transaction_id=txn_id)
        .prefetch_related(
            Prefetch(
                "named_insureds",
                queryset=LocationNamedInsured.objects.select_related("contact"),
            )
        )
        .order_by("number")
    )


def contacts_of(txn_id: int | None) -> list[ContactOnTransaction]:
    """The contacts on a job with their roles there: one query."""
    by_contact: dict[int, ContactOnTransaction] = {}
    for role in (
        PolicyContactRole.objects.filter(transaction_id=txn_id)
        .select_related("contact")
        .order_by("contact__created_at", "contact_id", "role")
    ):
        entry = by_contact.setdefault(
            role.contact_id, ContactOnTransaction(role.contact)
        )
        entry.roles.append(role.role)
    # The primary named insured first, as Guidewire lists them.
    return sorted(
        by_contact.values(),
        key=lambda c: ContactRole.PRIMARY_NAMED_INSURED not in c.roles,
    )


def sections_of(txn_id: int | None) -> list[PolicySection]:
    return list(
        PolicySection.objects.filter(transaction_id=txn_id).select_related(
            "coinsurance_agreement", "tower"
        )
    )


def towers_of(txn_id: int | None) -> list[Tower]:
    """Towers with their sections and layers (each with its agreement): three queries."""
    return list(
        Tower.objects.filter(transaction_id=txn_id)
        .prefetch_related(
            Prefetch(
                "layers",
                queryset=Layer.objects.select_related("coinsurance_agreement"),
            ),
            Prefetch(
                "sections", queryset=PolicySection.objects.order_by("section_type")
            ),
        )
        .order_by("number")
    )


@dataclass
class PriorSummary:
    count: int
    losses: int
    # Total losses and annual premiums per currency, largest first.
    total_losses: list[tuple[str, Decimal]]
    annual_premiums: list[tuple[str, Decimal]]


def prior_policies_of(txn_id: int | None) -> list[PriorPolicy]:
    return list(
        PriorPolicy.objects.filter(transaction_id=txn_id).order_by(
            "-effective_date", "pk"
        )
    )


def summarize(priors: list[PriorPolicy]) -> PriorSummary:
    """Loss counts and money summed per currency (never across currencies)."""
    losses: dict[str, Decimal] = defaultdict(Decimal)
    premiums: dict[str, Decimal] = defaultdict(Decimal)
    for prior in priors:
        if prior.total_losses is not None:
            losses[prior.total_losses_currency or "usd"] += prior.total_losses
        if prior.annual_premium is not None:
            premiums[prior.annual_premium_currency or "usd"] += prior.annual_premium
    return PriorSummary(
        count=len(priors),
        losses=sum(p.num_losses or 0 for p in priors),
        total_losses=sorted(losses.items()),
        annual_premiums=sorted(premiums.items()),
    )

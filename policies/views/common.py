"""What several workspace pages show: a transaction's contents and the audit history.

Each loader is a fixed number of queries whatever the number of rows (prefetches,
not per-row lookups), so a page's cost does not grow with a policy's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from policies.models import (
    AuditEntry,
    CoinsuranceAgreement,
    CoinsuranceParty,
    Contact,
    ContactRole,
    Layer,
    LocationNamedInsured,
    Policy,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PolicyTransaction,
    PriorPolicy,
    Tower,
)
from policies.services import agreement_level, share_total

HISTORY_LIMIT = 100


@dataclass
class ContactOnJob:
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


def contacts_of(txn_id: int | None) -> list[ContactOnJob]:
    """The contacts on a job with their roles there: one query."""
    by_contact: dict[int, ContactOnJob] = {}
    for role in (
        PolicyContactRole.objects.filter(transaction_id=txn_id)
        .select_related("contact")
        .order_by("contact__created_at", "contact_id", "role")
    ):
        entry = by_contact.setdefault(role.contact_id, ContactOnJob(role.contact))
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


@dataclass
class AgreementView:
    """An agreement as the coinsurance page shows it."""

    agreement: CoinsuranceAgreement
    parties: list[CoinsuranceParty]
    sections: list[PolicySection]
    level: str

    @property
    def party_total(self) -> Decimal:
        return sum((p.share for p in self.parties), Decimal(0))

    @property
    def total(self) -> Decimal:
        return share_total(self.agreement.our_share, (p.share for p in self.parties))


def agreements_of(txn_id: int | None) -> list[AgreementView]:
    """Every agreement (policy-, section- and layer-level) with parties and sections:
    three queries."""
    agreements = (
        CoinsuranceAgreement.objects.filter(transaction_id=txn_id)
        .select_related("layer__tower")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=CoinsuranceParty.objects.select_related(
                    "producer_code__organization"
                ).order_by("number"),
            ),
            Prefetch(
                "sections",
                queryset=PolicySection.objects.order_by("section_type"),
            ),
        )
        .order_by("number")
    )
    views = []
    for agreement in agreements:
        sections = list(agreement.sections.all())
        views.append(
            AgreementView(
                agreement=agreement,
                parties=list(agreement.parties.all()),
                sections=sections,
                level=agreement_level(agreement, sections),
            )
        )
    return views


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


def _entries() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("transaction").order_by(
        "-created_at", "-pk"
    )


def history_of_policy(policy: Policy) -> list[AuditEntry]:
    """Every entry filed under the policy: its own, every transaction on it, and its
    submission's (filed under it when it was bound): one query."""
    return list(_entries().filter(policy=policy)[:HISTORY_LIMIT])


def history_of_transaction(txn: PolicyTransaction) -> list[AuditEntry]:
    return list(_entries().filter(transaction=txn)[:HISTORY_LIMIT])

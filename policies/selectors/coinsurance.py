"""Reads of coinsurance for the workspace pages: every agreement with its parties,
sections and level, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q

from policies.models import (
    CoinsuranceAgreement,
    CoinsuranceParty,
    PolicySection,
    ProducerCode,
)
from policies.services.coinsurance import agreement_level, share_total

# How many producer codes a party form's list offers at once.
PRODUCER_CODE_LIMIT = 50


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


def producer_codes(q: str = "") -> list[ProducerCode]:
    """Producer codes (with their organization) whose code, organization name or id
    matches ``q`` (all of them for no ``q``), at most PRODUCER_CODE_LIMIT: one query."""
    codes = ProducerCode.objects.select_related("organization")
    if q:
        codes = codes.filter(
            Q(code__icontains=q) | Q(organization__name__icontains=q) | Q(public_id=q)
        )
    return list(codes[:PRODUCER_CODE_LIMIT])

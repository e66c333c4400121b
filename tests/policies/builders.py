"""Ready-made transactions for the underwriter workspace and audit tests, built
through the services (so their rules hold) with plain arguments."""

from __future__ import annotations

from decimal import Decimal

from coverage.models import Contractor
from policies import services
from policies.models import (
    Contact,
    ContactRole,
    Organization,
    Policy,
    PolicyTransaction,
    ProducerCode,
    Product,
)
from portal.models import Platform
from tests.policies.conftest import make_property_product
from tests.policies.helpers import make_contractor, term


def property_product() -> Product:
    product = Product.objects.filter(code="commercial-property").first()
    return product or make_property_product()


def producer_codes() -> list[ProducerCode]:
    enigma, _ = Organization.objects.get_or_create(name="Enigma Fire & Casualty")
    harbor, _ = Organization.objects.get_or_create(name="Harbor Re")
    return [
        ProducerCode.objects.get_or_create(
            code=code, defaults={"organization": organization}
        )[0]
        for code, organization in (
            ("QA1PRODUCERCODE01", enigma),
            ("QA1PRODUCERCODE02", harbor),
            ("QA1PRODUCERCODE03", harbor),
        )
    ]


def insured(platform: Platform, email: str = "") -> Contractor:
    email = email or f"risk{Contractor.objects.count() + 1}@bayside.example"
    contractor = make_contractor(platform, email=email)
    contractor.company_name = "Bayside Facilities LLC"
    contractor.save(update_fields=["company_name"])
    return contractor


def draft_submission(
    platform: Platform,
    *,
    contractor: Contractor | None = None,
    product: Product | None = None,
    sections: tuple[str, ...] = ("PP", "BI", "MO"),
) -> PolicyTransaction:
    """A draft commercial-property submission with two locations and two contacts
    (an additional insured and an involved party) besides the primary named insured."""
    start, end = term(days=365)
    txn = services.start_submission(
        platform=platform,
        contractor=contractor or insured(platform),
        product=product or property_product(),
        lines=[],
        section_types=sections,
        effective_at=start,
        expires_at=end,
    )
    services.add_location(
        txn=txn,
        address_line1="1 Harbor Way",
        city="Newark",
        state="NJ",
        postal_code="07102",
    )
    services.add_location(
        txn=txn,
        address_line1="20 Dock St",
        city="Camden",
        state="NJ",
        postal_code="08101",
    )
    services.add_contact(
        txn=txn,
        kind=Contact.Kind.PERSON,
        first_name="Mike",
        last_name="Sherman",
        email="mike@bayside.example",
        roles=[ContactRole.ADDITIONAL_INSURED],
    )
    services.add_contact(
        txn=txn,
        kind=Contact.Kind.COMPANY,
        company_name="Dockside Holdings",
    )
    return txn


def bound_policy(platform: Platform, **kwargs: object) -> Policy:
    txn = draft_submission(platform, **kwargs)  # type: ignore[arg-type]
    services.quote_transaction(txn=txn)
    return services.bind_transaction(txn=txn)


def agreement_with_parties(
    txn: PolicyTransaction, *, our_share: str = "50", shares: tuple[str, ...] = ("20",)
):
    agreement = services.create_coinsurance_agreement(
        txn=txn,
        model="administer",
        our_role="lead",
        our_share=Decimal(our_share),
        section_types=["MO"],
    )
    for code, share in zip(producer_codes(), shares, strict=False):
        services.add_coinsurance_party(
            agreement=agreement, producer_code=code, role="follow", share=Decimal(share)
        )
    return agreement

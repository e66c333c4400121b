"""Demo data for policy administration: the products policies are written under, the
coinsurers underwriters can add to coinsurance agreements, and something for the
demo underwriter to work on — a bound commercial-property policy (locations,
contacts, a named insured, a coinsurance agreement with a party, a prior policy)
and a draft submission waiting for its coinsurance and prior policies.

Idempotent: a second run finds everything in place and writes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from policies import services
from policies.models import (
    Contact,
    ContactRole,
    Organization,
    Policy,
    PolicyLocation,
    PolicyTransaction,
    ProducerCode,
    Product,
    SectionType,
)
from policies.models.accounts import Account, account_model
from policies.products import ensure_contractor_product, ensure_property_product
from policies.services import Money
from portal.demo import DemoContext
from portal.models import Platform

# (public id, code, organization). Fixed ids so that seed 003's example request
# ({"producerCode": {"id": "pc:2"}}) works as written against the demo.
DEMO_PRODUCER_CODES = [
    ("pc:1", "QA1PRODUCERCODE00", "Northwind Mutual"),
    ("pc:2", "QA1PRODUCERCODE01", "Enigma Fire & Casualty"),
    ("pc:3", "QA1PRODUCERCODE02", "Harbor Re"),
]


def seed(context: DemoContext) -> None:
    context.objects["contractor_product"] = ensure_contractor_product()
    context.objects["property_product"] = ensure_property_product()
    for public_id, code, organization_name in DEMO_PRODUCER_CODES:
        organization, _ = Organization.objects.get_or_create(name=organization_name)
        ProducerCode.objects.get_or_create(
            code=code,
            defaults={"public_id": public_id, "organization": organization},
        )
    platform = context.objects["platform"]
    assert isinstance(platform, Platform)
    _seed_workspace(platform, context.objects["property_product"], context)  # type: ignore[arg-type]


# (first, last, company, email): the commercial accounts the underwriter works on.
BOUND_ACCOUNT = (
    "Rosa",
    "Marquez",
    "Bayside Facilities LLC",
    "risk@bayside.demo.example",
)
DRAFT_ACCOUNT = (
    "Ken",
    "Ito",
    "Northgate Storage Co",
    "insurance@northgate.demo.example",
)


def _account(platform: Platform, person: tuple[str, str, str, str]) -> Account:
    first, last, company, email = person
    contractor, _ = account_model().objects.get_or_create(
        platform=platform,
        email=email,
        defaults={
            "first_name": first,
            "last_name": last,
            "company_name": company,
            "address_region": "NJ",
        },
    )
    return contractor


def _submission(
    platform: Platform, contractor: Account, product: Product
) -> PolicyTransaction:
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    txn = services.start_submission(
        platform=platform,
        contractor=contractor,
        product=product,
        lines=[],
        section_types=[SectionType.PP, SectionType.BI, SectionType.MO],
        effective_at=start,
        expires_at=start + timedelta(days=365),
    )
    for line1, city, postal in (
        ("1 Harbor Way", "Newark", "07102"),
        ("20 Dock St", "Camden", "08101"),
    ):
        services.add_location(
            txn=txn, address_line1=line1, city=city, state="NJ", postal_code=postal
        )
    services.add_contact(
        txn=txn,
        first_name="Mike",
        last_name="Sherman",
        email=f"mike.sherman@{contractor.email.split('@')[1]}",
        roles=[ContactRole.ADDITIONAL_INSURED],
    )
    services.add_contact(
        txn=txn, kind=Contact.Kind.COMPANY, company_name="Dockside Holdings"
    )
    return txn


def _seed_workspace(platform: Platform, product: Product, context: DemoContext) -> None:
    bound_account = _account(platform, BOUND_ACCOUNT)
    if not PolicyTransaction.objects.filter(contractor_id=bound_account.pk).exists():
        txn = _submission(platform, bound_account, product)
        policy = _finish_bound(txn)
        context.out.write(
            f"Demo underwriting: bound policy {policy.number} for {BOUND_ACCOUNT[2]}\n"
        )
    draft_account = _account(platform, DRAFT_ACCOUNT)
    if not PolicyTransaction.objects.filter(contractor_id=draft_account.pk).exists():
        draft = _submission(platform, draft_account, product)
        context.out.write(
            f"Demo underwriting: draft submission {draft.public_id} for "
            f"{DRAFT_ACCOUNT[2]}\n"
        )


def _finish_bound(txn: PolicyTransaction) -> Policy:
    """A named insured at the first location, seed 003's agreement with one party,
    seed 004's prior policy; then quote and bind."""
    location = PolicyLocation.objects.filter(transaction=txn).order_by("number").first()
    assert location is not None  # _submission added two locations
    mike = Contact.objects.get(
        contractor_id=txn.contractor_id, last_name="Sherman", first_name="Mike"
    )
    services.associate_location_named_insured(txn=txn, location=location, contact=mike)
    agreement = services.create_coinsurance_agreement(
        txn=txn,
        model="administer",
        our_role="lead",
        our_share=Decimal("50"),
        leaders_fee=Decimal("5.5"),
        policy_number_suffix="MotorA",
        section_types=[SectionType.MO],
    )
    services.add_coinsurance_party(
        agreement=agreement,
        producer_code=ProducerCode.objects.get(code="QA1PRODUCERCODE01"),
        role="follow",
        share=Decimal("20"),
    )
    services.add_prior_policy(
        owner=txn,
        carrier="CommuteCoverage",
        policy_number="CO-43221-3",
        effective_date=date(2021, 9, 4),
        expiration_date=date(2022, 9, 4),
        annual_premium=Money(Decimal("5092.00")),
        num_losses=1,
        total_losses=Money(Decimal("5721.13")),
    )
    services.quote_transaction(txn=txn)
    return services.bind_transaction(txn=txn)

"""Binding and copying contents: what the API's job/policy forms rest on."""

from __future__ import annotations

import importlib
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection

from policies import services
from policies.models import (
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
    ProducerCode,
    Product,
    Tower,
)
from policies.services.coinsurance import covering_agreements
from portal.models import Platform
from tests.policies.conftest import make_property_product
from tests.policies.helpers import contractor_product, make_contractor, term

pytestmark = pytest.mark.django_db


def property_submission(
    platform: Platform, product: Product | None = None
) -> PolicyTransaction:
    start, end = term()
    return services.start_submission(
        platform=platform,
        contractor=make_contractor(platform),
        product=product or make_property_product(),
        lines=[],
        section_types=["PP", "MO"],
        effective_at=start,
        expires_at=end,
    )


def fill(txn: PolicyTransaction, code: ProducerCode) -> None:
    location = services.add_location(
        txn=txn,
        address_line1="1 Main St",
        city="Trenton",
        state="NJ",
        postal_code="08601",
    )
    contact = services.add_contact(txn=txn, last_name="Sherman")
    services.associate_location_named_insured(
        txn=txn, location=location, contact=contact
    )
    agreement = services.create_coinsurance_agreement(
        txn=txn,
        model="administer",
        our_role="lead",
        our_share=Decimal(50),
        section_types=["MO"],
    )
    services.add_coinsurance_party(
        agreement=agreement, producer_code=code, role="follow", share=Decimal(5)
    )
    tower = services.create_tower(txn=txn, section_types=["PP"])
    layer = services.create_layer(
        tower=tower,
        attachment=services.Money(Decimal(0)),
        limit=services.Money(Decimal(100)),
        coinsurance=services.AgreementTerms("brokerClaim", "follow", Decimal(20)),
    )
    services.add_coinsurance_party(
        agreement=layer.coinsurance_agreement,
        producer_code=code,
        role="lead",
        share=Decimal(80),
    )
    services.add_prior_policy(
        owner=txn, effective_date=date(2020, 1, 1), carrier="Old Co"
    )


def bind(txn: PolicyTransaction) -> Policy:
    services.quote_transaction(txn=txn)
    return services.bind_transaction(txn=txn)


def snapshot(txn: PolicyTransaction) -> dict[str, object]:
    """The contents of a transaction, by their public shape (ids and links)."""
    t = txn.pk
    return {
        "locations": sorted(
            PolicyLocation.objects.filter(transaction_id=t).values_list(
                "number", "address_line1"
            )
        ),
        "roles": sorted(
            PolicyContactRole.objects.filter(transaction_id=t).values_list(
                "contact_id", "role"
            )
        ),
        "lnis": sorted(
            LocationNamedInsured.objects.filter(transaction_id=t).values_list(
                "number", "location__number", "contact_id"
            )
        ),
        "sections": sorted(
            PolicySection.objects.filter(transaction_id=t).values_list(
                "section_type", "coinsurance_agreement__number", "tower__number"
            )
        ),
        "agreements": sorted(
            CoinsuranceAgreement.objects.filter(transaction_id=t).values_list(
                "number", "layer__number", "our_share"
            )
        ),
        "parties": sorted(
            CoinsuranceParty.objects.filter(transaction_id=t).values_list(
                "number", "agreement__number", "share"
            )
        ),
        "towers": sorted(
            Tower.objects.filter(transaction_id=t).values_list("number", flat=True)
        ),
        "layers": sorted(
            Layer.objects.filter(transaction_id=t).values_list(
                "number", "tower__number", "limit"
            )
        ),
        "priors": sorted(
            PriorPolicy.objects.filter(transaction_id=t).values_list(
                "public_id", "carrier"
            )
        ),
    }


@pytest.fixture
def code(db: None) -> ProducerCode:
    from policies.models import Organization

    return ProducerCode.objects.create(
        code="QA1PRODUCERCODE01",
        organization=Organization.objects.create(name="Enigma Fire & Casualty"),
    )


def test_binding_makes_the_transactions_contents_the_policys(
    platform: Platform, code: ProducerCode
) -> None:
    txn = property_submission(platform)
    fill(txn, code)
    policy = bind(txn)
    assert policy.contents_transaction_id == txn.pk


def test_a_change_starts_from_a_faithful_copy(
    platform: Platform, code: ProducerCode
) -> None:
    txn = property_submission(platform)
    fill(txn, code)
    policy = bind(txn)
    change = services.start_policy_change(policy=policy)
    assert snapshot(change) == snapshot(txn)
    assert (
        change.last_child_number
        == PolicyTransaction.objects.get(pk=txn.pk).last_child_number
    )
    # Editing the copy leaves the policy's contents alone until the change binds.
    services.add_location(
        txn=change,
        address_line1="2 Side St",
        city="Newark",
        state="NJ",
        postal_code="07102",
    )
    assert PolicyLocation.objects.filter(transaction=txn).count() == 1
    bind(change)
    policy.refresh_from_db()
    assert policy.contents_transaction_id == change.pk
    numbers = list(
        PolicyLocation.objects.filter(transaction=change).values_list(
            "number", flat=True
        )
    )
    assert sorted(numbers) == [1, max(numbers)] and max(numbers) > txn.last_child_number


def test_renewal_and_cancellation_carry_the_contents(
    platform: Platform, code: ProducerCode
) -> None:
    txn = property_submission(platform)
    fill(txn, code)
    policy = bind(txn)
    renewal = services.start_renewal(policy=policy)
    assert snapshot(renewal) == snapshot(txn)
    cancelled = services.cancel_policy(policy=policy)
    assert snapshot(cancelled.contents_transaction) == snapshot(txn)
    reinstated = services.reinstate_policy(policy=cancelled)
    # A reinstatement carries no contents of its own: the policy keeps its own.
    assert reinstated.contents_transaction_id == cancelled.contents_transaction_id


def test_the_contractor_opt_in_path_names_the_contractor(platform: Platform) -> None:
    start, end = term()
    contractor = make_contractor(platform)
    policy = services.bind_submission(
        platform=platform,
        contractor=contractor,
        product=contractor_product(),
        lines=["workers-comp"],
        wc_state="NJ",
        effective_at=start,
        expires_at=end,
    )
    role = PolicyContactRole.objects.get(transaction=policy.contents_transaction)
    assert role.role == ContactRole.PRIMARY_NAMED_INSURED
    assert role.contact.is_account_holder and role.contact.contractor == contractor
    # A second policy for the same contractor reuses the account holder.
    services.bind_submission(
        platform=platform,
        contractor=contractor,
        product=contractor_product(),
        lines=["workers-comp"],
        wc_state="NJ",
        effective_at=start,
        expires_at=end,
    )
    assert Contact.objects.filter(contractor=contractor).count() == 1


def test_a_failed_rule_rolls_the_whole_write_back(
    platform: Platform, code: ProducerCode
) -> None:
    txn = property_submission(platform)
    services.create_coinsurance_agreement(
        txn=txn, model="administer", our_role="lead", our_share=Decimal(50)
    )
    agreement = services.create_coinsurance_agreement(
        txn=txn,
        model="administer",
        our_role="lead",
        our_share=Decimal(50),
        section_types=["MO"],
    )
    with pytest.raises(ValidationError, match="Removing section MO"):
        services.remove_agreement_section(agreement=agreement, section_type="MO")
    assert (
        PolicySection.objects.get(
            transaction=txn, section_type="MO"
        ).coinsurance_agreement_id
        == agreement.pk
    )


def test_covering_agreements(platform: Platform, code: ProducerCode) -> None:
    txn = property_submission(platform)
    services.add_section(txn=txn, section_type="BI")
    listed = services.create_coinsurance_agreement(
        txn=txn,
        model="administer",
        our_role="lead",
        our_share=Decimal(50),
        section_types=["MO"],
    )
    everything_else = services.create_coinsurance_agreement(
        txn=txn, model="administer", our_role="follow", our_share=Decimal(10)
    )
    tower = services.create_tower(txn=txn, section_types=["PP"])
    layer = services.create_layer(
        tower=tower,
        attachment=services.Money(Decimal(0)),
        limit=services.Money(Decimal(100)),
        coinsurance=services.AgreementTerms("administer", "lead", Decimal(30)),
    )

    def covering(code: str) -> list[int]:
        section = PolicySection.objects.get(transaction=txn, section_type=code)
        return [a.pk for a in covering_agreements(section=section)]

    assert covering("MO") == [listed.pk]
    assert covering("PP") == [layer.coinsurance_agreement.pk]
    assert covering("BI") == [everything_else.pk]


def test_the_migration_points_existing_policies_at_their_contents(
    platform: Platform,
) -> None:
    start, end = term()
    policy = services.bind_submission(
        platform=platform,
        contractor=make_contractor(platform),
        product=contractor_product(),
        lines=["workers-comp"],
        wc_state="NJ",
        effective_at=start,
        expires_at=end,
    )
    bound = policy.contents_transaction_id
    Policy.objects.update(contents_transaction=None)
    migration = importlib.import_module("policies.migrations.0003_contents")
    migration.point_policies_at_their_contents(apps, None)
    policy.refresh_from_db()
    assert policy.contents_transaction_id == bound


@pytest.mark.django_db(transaction=True)
def test_a_prior_policy_edit_racing_a_change_reaches_it(
    platform: Platform, requires_postgres: None
) -> None:
    """Starting a change copies prior policies under the policy's lock, which edits on the
    policy take too: whichever goes first, the change ends up with the new prior policy."""
    start, end = term()
    policy = services.bind_submission(
        platform=platform,
        contractor=make_contractor(platform),
        product=contractor_product(),
        lines=["workers-comp"],
        wc_state="NJ",
        effective_at=start,
        expires_at=end,
    )
    barrier = threading.Barrier(2)
    changes: list[PolicyTransaction] = []

    def edit() -> None:
        try:
            barrier.wait()
            services.add_prior_policy(
                owner=Policy.objects.get(pk=policy.pk), effective_date=date(2020, 1, 1)
            )
        finally:
            connection.close()

    def change() -> None:
        try:
            barrier.wait()
            changes.append(
                services.start_policy_change(policy=Policy.objects.get(pk=policy.pk))
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=change)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (started,) = changes
    assert PriorPolicy.objects.filter(transaction=started).count() == 1
    assert (
        PriorPolicy.objects.filter(
            transaction_id=policy.contents_transaction_id
        ).count()
        == 1
    )

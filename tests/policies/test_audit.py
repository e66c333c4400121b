"""The audit history: every write through the services records who, when and what
changed from what, whether it came through the API, the portal or the system."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from coverage.models import Contractor
from policies import services
from policies.models import (
    AuditAction,
    AuditEntry,
    AuditVia,
    CoinsuranceParty,
    PolicyTransaction,
    ProducerCode,
)
from policies.services.coinsurance import SECTIONLESS_ON_REMOVE
from portal.models import ApiKey, Platform, User
from tests.policies.builders import (
    agreement_with_parties,
    bound_policy,
    draft_submission,
    producer_codes,
)
from tests.policies.conftest import Api, submission_attributes

pytestmark = pytest.mark.django_db


def entries(txn: PolicyTransaction) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(transaction=txn).order_by("pk"))


class TestThroughTheApi:
    def test_the_staff_key_is_the_actor(
        self, api: Api, contractor: Contractor, property_product, staff_key: str
    ) -> None:
        response = api.post(
            "/job/v1/submissions", submission_attributes(contractor, property_product)
        )
        job_id = response.json()["data"]["attributes"]["id"]
        # (The key's own issue is in the history too: keys are audited.)
        (entry,) = AuditEntry.objects.exclude(object_type="API key")
        key = ApiKey.objects.get()
        assert entry.via == AuditVia.API
        assert entry.actor_key == key
        assert entry.actor_user is None
        assert entry.actor_label == f"API key underwriting ({key.display_prefix}…)"
        assert entry.action == AuditAction.CREATED
        assert (entry.object_type, entry.object_id) == ("Submission", job_id)
        assert entry.transaction.public_id == job_id
        assert {"field": "status", "label": "Status", "old": None, "new": "Draft"} in (
            entry.changes
        )

    def test_a_party_change_records_old_and_new_share(
        self, api: Api, job: str, producer_codes: list[ProducerCode]
    ) -> None:
        agreement = api.post(
            f"{job}/coinsurance-agreements",
            {
                "model": {"code": "administer"},
                "ourRole": {"code": "lead"},
                "ourShare": "50",
            },
        ).json()["data"]["links"]["self"]["href"]
        party = api.post(
            f"{agreement}/parties",
            {
                "coinsuranceRole": {"code": "follow"},
                "coinsuranceShare": "10",
                "producerCode": {"id": producer_codes[0].public_id},
            },
        ).json()["data"]["links"]["self"]["href"]
        assert api.patch(party, {"coinsuranceShare": "15"}).status_code == 200
        entry = AuditEntry.objects.latest("pk")
        assert entry.action == AuditAction.CHANGED
        assert entry.object_type == "Coinsurance party"
        assert entry.object_label == (
            "Party 2 (QA1PRODUCERCODE01) on coinsurance agreement 1"
        )
        assert entry.changes == [
            {"field": "share", "label": "Share", "old": "10.00", "new": "15.00"}
        ]
        assert entry.via == AuditVia.API

    def test_a_refused_write_records_nothing(
        self, api: Api, job: str, producer_codes: list[ProducerCode]
    ) -> None:
        agreement = api.post(
            f"{job}/coinsurance-agreements",
            {
                "model": {"code": "administer"},
                "ourRole": {"code": "lead"},
                "ourShare": "90",
            },
        ).json()["data"]["links"]["self"]["href"]
        before = AuditEntry.objects.count()
        refused = api.post(
            f"{agreement}/parties",
            {
                "coinsuranceRole": {"code": "follow"},
                "coinsuranceShare": "11",
                "producerCode": {"id": producer_codes[0].public_id},
            },
        )
        assert refused.status_code == 400
        assert AuditEntry.objects.count() == before

    def test_job_actions_and_prior_policies_on_the_policy(
        self, api: Api, job: str
    ) -> None:
        api.post(f"{job}/quote")
        bound = api.post(f"{job}/bind-and-issue").json()["data"]["attributes"]
        policy_url = bound["policy"]["uri"]
        api.post(f"{policy_url}/prior-policies", {"effectiveDate": "2021-10-13"})
        actions = list(
            AuditEntry.objects.exclude(object_type="API key")
            .order_by("pk")
            .values_list("action", "object_type")
        )
        assert actions == [
            (AuditAction.CREATED, "Submission"),
            (AuditAction.QUOTED, "Submission"),
            (AuditAction.BOUND, "Submission"),
            (AuditAction.CREATED, "Prior policy"),
        ]
        bind_entry = AuditEntry.objects.get(action=AuditAction.BOUND)
        assert bind_entry.changes == [
            {"field": "status", "label": "Status", "old": "Quoted", "new": "Bound"}
        ]
        assert bind_entry.policy.public_id == bound["policy"]["id"]
        prior_entry = AuditEntry.objects.get(object_type="Prior policy")
        assert prior_entry.policy.public_id == bound["policy"]["id"]


class TestThroughTheServices:
    def test_a_portal_user_is_named_with_the_role(
        self, platform: Platform, underwriter: User
    ) -> None:
        underwriter.first_name, underwriter.last_name = "Uma", "Underwood"
        underwriter.save()
        txn = draft_submission(platform)
        location = services.add_location(
            txn=txn,
            address_line1="5 Pier Rd",
            city="Hoboken",
            state="NJ",
            postal_code="07030",
            by=underwriter,
        )
        entry = AuditEntry.objects.latest("pk")
        assert entry.via == AuditVia.PORTAL
        assert entry.actor_user == underwriter
        assert entry.actor_label == "Uma Underwood (underwriter)"
        assert (entry.object_type, entry.object_id) == (
            "Location",
            str(location.number),
        )
        assert entry.changes[:3] == [
            {
                "field": "address_line1",
                "label": "Address",
                "old": None,
                "new": "5 Pier Rd",
            },
            {"field": "city", "label": "City", "old": None, "new": "Hoboken"},
            {"field": "state", "label": "State", "old": None, "new": "NJ"},
        ]

    def test_without_an_actor_it_is_the_system(self, platform: Platform) -> None:
        txn = draft_submission(platform)
        entry = entries(txn)[0]
        assert (entry.via, entry.actor_label) == (AuditVia.SYSTEM, "System")
        assert entry.actor_user is None and entry.actor_key is None

    def test_every_content_write_is_recorded(
        self, platform: Platform, underwriter: User
    ) -> None:
        txn = draft_submission(platform)
        start = AuditEntry.objects.count()
        agreement = services.create_coinsurance_agreement(
            txn=txn,
            model="administer",
            our_role="lead",
            our_share=Decimal("50"),
            section_types=["MO"],
            by=underwriter,
        )
        code = producer_codes()[0]
        party = services.add_coinsurance_party(
            agreement=agreement,
            producer_code=code,
            role="follow",
            share=Decimal("10"),
            by=underwriter,
        )
        services.update_coinsurance_agreement(
            agreement=agreement, policy_number_suffix="MotorA", by=underwriter
        )
        services.add_agreement_section(
            agreement=agreement, section_type="PP", by=underwriter
        )
        services.delete_coinsurance_party(party=party, by=underwriter)
        location = services.add_location(
            txn=txn,
            address_line1="9 Elm",
            city="Trenton",
            state="NJ",
            postal_code="08601",
        )
        contact = services.add_contact(txn=txn, last_name="Ng", by=underwriter)
        named = services.associate_location_named_insured(
            txn=txn, location=location, contact=contact, by=underwriter
        )
        services.delete_location_named_insured(named_insured=named, by=underwriter)
        prior = services.add_prior_policy(
            owner=txn, effective_date=date(2020, 1, 1), by=underwriter
        )
        services.update_prior_policy(
            owner=txn, prior_policy=prior, num_losses=2, by=underwriter
        )
        services.delete_prior_policy(owner=txn, prior_policy=prior, by=underwriter)
        recorded = list(
            AuditEntry.objects.filter(pk__gt=0)
            .order_by("pk")
            .values_list("action", "object_type")
        )[start:]
        assert recorded == [
            (AuditAction.CREATED, "Coinsurance agreement"),
            (AuditAction.ASSOCIATED, "Policy section"),
            (AuditAction.CREATED, "Coinsurance party"),
            (AuditAction.CHANGED, "Coinsurance agreement"),
            (AuditAction.ASSOCIATED, "Policy section"),
            (AuditAction.DELETED, "Coinsurance party"),
            (AuditAction.CREATED, "Location"),
            (AuditAction.CREATED, "Contact"),
            (AuditAction.CREATED, "Contact role"),
            (AuditAction.ASSOCIATED, "Location named insured"),
            (AuditAction.DISSOCIATED, "Location named insured"),
            (AuditAction.CREATED, "Prior policy"),
            (AuditAction.CHANGED, "Prior policy"),
            (AuditAction.DELETED, "Prior policy"),
        ]
        deleted_party = AuditEntry.objects.get(
            action=AuditAction.DELETED, object_type="Coinsurance party"
        )
        assert {"field": "share", "label": "Share", "old": "10.00", "new": None} in (
            deleted_party.changes
        )
        suffix = AuditEntry.objects.get(
            action=AuditAction.CHANGED, object_type="Coinsurance agreement"
        )
        assert suffix.changes == [
            {
                "field": "policy_number_suffix",
                "label": "Policy number suffix",
                "old": None,
                "new": "MotorA",
            }
        ]
        losses = AuditEntry.objects.get(
            action=AuditAction.CHANGED, object_type="Prior policy"
        )
        assert losses.changes == [
            {
                "field": "num_losses",
                "label": "Number of losses",
                "old": None,
                "new": "2",
            }
        ]
        assert not CoinsuranceParty.objects.exists()

    def test_a_change_that_changes_nothing_is_not_recorded(
        self, platform: Platform
    ) -> None:
        txn = draft_submission(platform)
        agreement = agreement_with_parties(txn)
        before = AuditEntry.objects.count()
        services.update_coinsurance_agreement(
            agreement=agreement, our_share=Decimal("50")
        )
        assert AuditEntry.objects.count() == before

    def test_a_refused_section_removal_rolls_its_entry_back(
        self, platform: Platform
    ) -> None:
        txn = draft_submission(platform)
        services.create_coinsurance_agreement(
            txn=txn, model="administer", our_role="lead", our_share=Decimal("50")
        )
        sectioned = services.create_coinsurance_agreement(
            txn=txn,
            model="administer",
            our_role="lead",
            our_share=Decimal("50"),
            section_types=["MO"],
        )
        before = AuditEntry.objects.count()
        with pytest.raises(ValidationError) as refused:
            services.remove_agreement_section(agreement=sectioned, section_type="MO")
        assert refused.value.messages == [SECTIONLESS_ON_REMOVE.format(code="MO")]
        assert AuditEntry.objects.count() == before

    def test_a_policy_history_includes_its_submission_and_changes(
        self, platform: Platform, underwriter: User
    ) -> None:
        policy = bound_policy(platform)
        change = services.start_policy_change(policy=policy, by=underwriter)
        services.add_prior_policy(
            owner=policy, effective_date=date(2019, 5, 1), by=underwriter
        )
        history = AuditEntry.objects.filter(
            Q(policy=policy) | Q(transaction__policy=policy)
        )
        kinds = set(history.values_list("object_type", flat=True))
        assert {"Submission", "Policy change", "Prior policy", "Location"} <= kinds
        started = history.get(transaction=change, action=AuditAction.CREATED)
        assert started.actor_user == underwriter


def test_binding_a_submission_files_its_history_under_the_new_policy(
    platform: Platform,
) -> None:
    txn = draft_submission(platform)
    assert not AuditEntry.objects.filter(transaction=txn, policy__isnull=False).exists()
    services.quote_transaction(txn=txn)
    policy = services.bind_transaction(txn=txn)
    entries = AuditEntry.objects.filter(transaction=txn)
    assert entries.count() > 3
    assert set(entries.values_list("policy", flat=True)) == {policy.pk}

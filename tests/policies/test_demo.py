"""seed_demo's underwriting data: a bound commercial-property policy and a draft
submission for the demo underwriter, written once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from policies.demo import BOUND_ACCOUNT, DRAFT_ACCOUNT
from policies.models import (
    AuditEntry,
    CoinsuranceAgreement,
    CoinsuranceParty,
    LocationNamedInsured,
    PolicyLocation,
    PolicyTransaction,
    PriorPolicy,
    TransactionStatus,
)

pytestmark = pytest.mark.django_db


def test_the_underwriter_has_a_bound_policy_and_a_draft_to_work_on() -> None:
    call_command("seed_demo", stdout=StringIO())
    bound = PolicyTransaction.objects.get(contractor__email=BOUND_ACCOUNT[3])
    assert bound.status == TransactionStatus.BOUND
    assert bound.policy.contents_transaction == bound
    assert LocationNamedInsured.objects.filter(transaction=bound).count() == 1
    agreement = CoinsuranceAgreement.objects.get(transaction=bound)
    assert agreement.policy_number_suffix == "MotorA"
    assert CoinsuranceParty.objects.filter(agreement=agreement).count() == 1
    assert PriorPolicy.objects.get(transaction=bound).policy_number == "CO-43221-3"

    draft = PolicyTransaction.objects.get(contractor__email=DRAFT_ACCOUNT[3])
    assert draft.status == TransactionStatus.DRAFT
    assert PolicyLocation.objects.filter(transaction=draft).count() == 2
    assert not CoinsuranceAgreement.objects.filter(transaction=draft).exists()


def test_a_second_run_writes_nothing() -> None:
    call_command("seed_demo", stdout=StringIO())
    before = (PolicyTransaction.objects.count(), AuditEntry.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (PolicyTransaction.objects.count(), AuditEntry.objects.count()) == before

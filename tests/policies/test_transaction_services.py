"""The transaction lifecycle: draft → quoted → bound, make-draft, withdraw; binding creates the policy."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from policies import services
from policies.lines import CoverageType
from policies.models import Policy, PolicyStatus, PolicyTransaction, TransactionStatus
from policies.services.policy_changes import POLICY_NOT_CANCELLED
from policies.services.transactions import (
    CONTRACTOR_NOT_ON_PLATFORM,
    GL_NEEDS_STATE,
    NO_LINES,
    TERM_BACKWARDS,
    WC_NEEDS_STATE,
)
from portal.models import Platform
from tests.policies.helpers import (
    contractor_product,
    make_category,
    make_contractor,
    term,
)

pytestmark = pytest.mark.django_db

WC, GL = CoverageType.WORKERS_COMP.value, CoverageType.GENERAL.value


def submission(platform: Platform, **overrides) -> PolicyTransaction:
    start, end = term()
    fields = {
        "platform": platform,
        "contractor": make_contractor(platform),
        "product": contractor_product(),
        "lines": [WC, GL],
        "wc_state": "NJ",
        "gl_state": "NJ",
        "category_code": make_category(),
        "effective_at": start,
        "expires_at": end,
    }
    return services.start_submission(**{**fields, **overrides})


def test_bind_submission_creates_an_active_policy(platform: Platform) -> None:
    start, end = term()
    contractor = make_contractor(platform)
    policy = services.bind_submission(
        platform=platform,
        contractor=contractor,
        product=contractor_product(),
        lines=[WC, GL],
        wc_state="NJ",
        gl_state="PA",
        category_code=make_category(),
        effective_at=start,
        expires_at=end,
    )
    assert policy.status == PolicyStatus.ACTIVE
    assert policy.public_id.startswith("pl_")
    assert policy.number.startswith("DCP-")
    assert (policy.wc_state, policy.gl_state) == ("NJ", "PA")
    txn = policy.transactions.get()
    assert txn.status == TransactionStatus.BOUND and txn.kind == "submission"
    assert txn.public_id.startswith("pc:")


def test_lifecycle_rules(platform: Platform) -> None:
    txn = submission(platform)
    with pytest.raises(ValidationError, match="Cannot take action 'bind-and-issue'"):
        services.bind_transaction(txn=txn)
    services.quote_transaction(txn=txn)
    services.make_draft(txn=txn)
    services.quote_transaction(txn=txn)
    services.bind_transaction(txn=txn)
    with pytest.raises(ValidationError, match="status is 'Bound'"):
        services.withdraw_transaction(txn=txn)
    assert Policy.objects.count() == 1


def test_withdrawn_transaction_cannot_be_quoted(platform: Platform) -> None:
    txn = submission(platform)
    services.withdraw_transaction(txn=txn)
    with pytest.raises(ValidationError, match="Cannot take action 'quote'"):
        services.quote_transaction(txn=txn)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lines": []}, NO_LINES),
        ({"lines": ["cyber"]}, "does not write Cyber liability"),
        ({"lines": ["flood"]}, "Unknown line of coverage: flood."),
        ({"wc_state": ""}, WC_NEEDS_STATE),
        ({"gl_state": ""}, GL_NEEDS_STATE),
        ({"wc_state": "ZZ"}, "ZZ is not a US state code."),
    ],
)
def test_terms_are_validated(platform: Platform, overrides: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        submission(platform, **overrides)
    assert not PolicyTransaction.objects.exists()


def test_term_must_run_forwards(platform: Platform) -> None:
    start, end = term()
    with pytest.raises(ValidationError, match=TERM_BACKWARDS):
        submission(platform, effective_at=end, expires_at=start)


def test_contractor_must_belong_to_the_platform(
    platform: Platform, other_platform: Platform
) -> None:
    with pytest.raises(ValidationError, match=CONTRACTOR_NOT_ON_PLATFORM):
        submission(platform, contractor=make_contractor(other_platform))


@pytest.mark.django_db(transaction=True)
def test_two_racing_binds_bind_once(
    platform: Platform, requires_postgres: None
) -> None:
    txn = submission(platform)
    services.quote_transaction(txn=txn)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def bind() -> None:
        try:
            barrier.wait()
            services.bind_transaction(txn=PolicyTransaction.objects.get(pk=txn.pk))
            outcomes.append("bound")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=bind) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["bound", "refused"]
    assert Policy.objects.count() == 1


def bound_policy(platform: Platform) -> Policy:
    txn = submission(platform)
    services.quote_transaction(txn=txn)
    return services.bind_transaction(txn=txn)


def test_cancel_and_reinstate(platform: Platform) -> None:
    policy = services.cancel_policy(policy=bound_policy(platform))
    assert policy.status == PolicyStatus.CANCELLED and policy.cancelled_at is not None
    with pytest.raises(
        ValidationError, match="Only an active policy can be cancelled."
    ):
        services.cancel_policy(policy=policy)
    policy = services.reinstate_policy(policy=policy)
    assert policy.status == PolicyStatus.ACTIVE and policy.cancelled_at is None
    kinds = list(policy.transactions.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["submission", "cancellation", "reinstatement"]
    with pytest.raises(ValidationError, match=POLICY_NOT_CANCELLED):
        services.reinstate_policy(policy=policy)


def test_policy_change_applies_on_bind(platform: Platform) -> None:
    policy = bound_policy(platform)
    change = services.start_policy_change(policy=policy)
    change.lines = [WC]
    change.save()
    services.quote_transaction(txn=change)
    assert services.bind_transaction(txn=change).lines == [WC]


def test_renewal_extends_the_term_without_a_gap(platform: Platform) -> None:
    policy = bound_policy(platform)
    start, old_end = policy.effective_at, policy.expires_at
    length = old_end - start
    renewal = services.start_renewal(policy=policy)
    assert (renewal.effective_at, renewal.expires_at) == (old_end, old_end + length)
    services.quote_transaction(txn=renewal)
    renewed = services.bind_transaction(txn=renewal)
    # Cover is continuous: the start stays, the end moves to the new term's end.
    assert renewed.effective_at == start
    assert renewed.expires_at == old_end + length
    assert renewed.term_number == 2
    in_current_term = start + length / 2
    in_next_term = old_end + length / 2
    for moment in (in_current_term, in_next_term):
        assert Policy.objects.in_force(moment).filter(pk=renewed.pk).exists()


def test_every_renewal_adds_one_term_of_the_original_length(platform: Platform) -> None:
    policy = bound_policy(platform)
    length = policy.expires_at - policy.effective_at
    for term_number in (2, 3):
        renewal = services.start_renewal(policy=policy)
        # The current term began where the last renewal began, not at the policy's start.
        assert renewal.expires_at - renewal.effective_at == length
        services.quote_transaction(txn=renewal)
        policy = services.bind_transaction(txn=renewal)
        assert policy.term_number == term_number
    assert policy.expires_at - policy.effective_at == 3 * length

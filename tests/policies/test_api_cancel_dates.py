"""The Cloud API's cancel and the workspace's share one rule: a cancellation date at or
after the term's end is refused, in the API's error format, and nothing is written."""

from __future__ import annotations

from policies.models import Policy, PolicyStatus, PolicyTransaction, TransactionKind
from policies.services.policy_changes import CANCEL_OUTSIDE_TERM
from tests.policies.conftest import Api
from tests.policies.test_api_jobs import bound_policy


def test_a_cancellation_after_the_term_is_refused(api: Api, job: str) -> None:
    policy_url = bound_policy(api, job)
    policy = Policy.objects.get()
    refused = api.post(f"{policy_url}/cancel", {"jobEffectiveDate": "2032-01-01"})
    assert refused.status_code == 400, refused.content
    body = refused.json()
    assert body["userMessage"] == CANCEL_OUTSIDE_TERM.format(end=policy.expires_at)
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.ACTIVE
    assert not PolicyTransaction.objects.filter(
        kind=TransactionKind.CANCELLATION
    ).exists()
    # The last day of the term is accepted.
    done = api.post(f"{policy_url}/cancel", {"jobEffectiveDate": "2031-12-31"})
    assert done.status_code == 200, done.content

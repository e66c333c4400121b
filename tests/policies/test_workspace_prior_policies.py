"""Prior policies in the workspace (seed 004): added, edited and deleted on an open job
or on a bound policy, read-only where the seed says so, validated inline, summed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape

import pytest
from django.test import Client

from policies import services
from policies.models import AuditEntry, Policy, PolicyTransaction, PriorPolicy
from policies.services.drafts import checksum
from policies.services.prior_policies import (
    PRIOR_EFFECTIVE_REQUIRED,
    PRIOR_NEGATIVE_LOSSES,
    PRIOR_TERM_BACKWARDS,
    PRIOR_TOO_MANY_LOSSES,
    PRIOR_TRANSACTION_BOUND,
    PRIOR_TRANSACTION_CLOSED,
)
from portal.models import Platform, User
from tests.policies.builders import bound_policy, draft_submission
from tests.policies.conftest import htmx

pytestmark = pytest.mark.django_db

SEED = {
    "carrier": "Interstate Insurance",
    "policy_number": "bnl-123312-2",
    "effective_date": "2021-10-13",
    "annual_premium": "617.00",
    "annual_premium_currency": "usd",
    "total_losses_currency": "usd",
}


def job_url(txn: PolicyTransaction, suffix: str = "") -> str:
    return f"/underwriting/transactions/{txn.public_id}/prior-policies/{suffix}"


def policy_url(policy: Policy, suffix: str = "") -> str:
    return f"/underwriting/policies/{policy.public_id}/prior-policies/{suffix}"


def text(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def edit_data(prior: PriorPolicy, **changes: str) -> dict[str, str]:
    data = {
        "carrier": prior.carrier,
        "policy_number": prior.policy_number,
        "effective_date": prior.effective_date.isoformat(),
        "expiration_date": prior.expiration_date.isoformat()
        if prior.expiration_date
        else "",
        "annual_premium": str(prior.annual_premium or ""),
        "annual_premium_currency": prior.annual_premium_currency or "usd",
        "num_losses": "" if prior.num_losses is None else str(prior.num_losses),
        "total_losses": str(prior.total_losses or ""),
        "total_losses_currency": prior.total_losses_currency or "usd",
        "checksum": checksum(prior),
    }
    return data | changes


class TestOnADraftSubmission:
    def test_add_edit_delete_and_the_summary(
        self, uw: Client, platform: Platform, underwriter: User
    ) -> None:
        txn = draft_submission(platform)
        body = text(uw.post(job_url(txn, "add"), SEED, headers=htmx()))
        assert body.lstrip().startswith('<div id="priors"')
        prior = PriorPolicy.objects.get(transaction=txn)
        assert prior.policy_number == "BNL-123312-2"
        assert prior.annual_premium == Decimal("617.00")
        assert 'data-testid="prior-count">1<' in body

        # The edit form comes in place of the row, filled in.
        body = text(uw.get(job_url(txn, f"{prior.public_id}/edit"), headers=htmx()))
        assert 'data-testid="prior-edit-form"' in body
        assert 'value="Interstate Insurance"' in body
        body = text(
            uw.post(
                job_url(txn, f"{prior.public_id}/edit"),
                edit_data(prior, num_losses="2", total_losses="5721.13"),
                headers=htmx(),
            )
        )
        prior.refresh_from_db()
        assert (prior.num_losses, prior.total_losses) == (2, Decimal("5721.13"))
        assert 'data-testid="prior-losses">2<' in body
        assert "$5,721.13" in body

        uw.post(
            job_url(txn, "add"),
            {
                **SEED,
                "effective_date": "2020-10-13",
                "num_losses": "1",
                "total_losses": "100.00",
                "total_losses_currency": "usd",
            },
        )
        body = text(uw.get(job_url(txn)))
        assert 'data-testid="prior-losses">3<' in body
        assert "$5,821.13" in body

        body = text(uw.post(job_url(txn, f"{prior.public_id}/delete"), headers=htmx()))
        assert PriorPolicy.objects.filter(transaction=txn).count() == 1
        assert 'data-testid="prior-count">1<' in body
        actions = list(
            AuditEntry.objects.filter(
                object_type="Prior policy", actor_user=underwriter
            )
            .order_by("pk")
            .values_list("action", flat=True)
        )
        assert actions == ["created", "changed", "created", "deleted"]

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"effective_date": ""}, PRIOR_EFFECTIVE_REQUIRED),
            ({"expiration_date": "2021-10-13"}, PRIOR_TERM_BACKWARDS),
            ({"num_losses": "-1"}, PRIOR_NEGATIVE_LOSSES),
            ({"num_losses": str(2**31)}, PRIOR_TOO_MANY_LOSSES),
            ({"annual_premium": "-1"}, "The annual premium cannot be negative."),
            (
                {"annual_premium": "1.001"},
                "The annual premium has at most two decimal places.",
            ),
            ({"total_losses": "1e13"}, "The total losses is too large."),
            ({"carrier": "C" * 201}, "The carrier is at most 200 characters."),
            ({"effective_date": "13/10/2021"}, "Enter a valid date."),
        ],
    )
    def test_money_and_dates_are_validated_inline(
        self, uw: Client, platform: Platform, changes: dict, message: str
    ) -> None:
        txn = draft_submission(platform)
        body = text(
            uw.post(job_url(txn, "add"), SEED | changes, headers=htmx()), status=422
        )
        assert escape(message) in body
        assert not PriorPolicy.objects.exists()

    def test_a_quoted_job_is_still_editable(
        self, uw: Client, platform: Platform
    ) -> None:
        txn = draft_submission(platform)
        services.quote_transaction(txn=txn)
        text(uw.post(job_url(txn, "add"), SEED, headers=htmx()))
        assert PriorPolicy.objects.filter(transaction=txn).exists()


class TestOnABoundPolicy:
    def test_the_bound_job_is_read_only_and_points_at_the_policy(
        self, uw: Client, platform: Platform
    ) -> None:
        policy = bound_policy(platform)
        txn = policy.contents_transaction
        services.add_prior_policy(owner=policy, effective_date=date(2021, 1, 1))
        page = text(uw.get(job_url(txn)))
        message = escape(PRIOR_TRANSACTION_BOUND.format(policy=policy.public_id))
        assert message in page
        assert f'href="{policy_url(policy)}"' in page
        assert "Add a prior policy" not in page
        assert message in text(
            uw.post(job_url(txn, "add"), SEED, headers=htmx()), status=422
        )
        assert PriorPolicy.objects.count() == 1

    def test_add_and_edit_on_the_policy_carry_to_its_open_change(
        self, uw: Client, platform: Platform
    ) -> None:
        policy = bound_policy(platform)
        text(uw.post(policy_url(policy, "add"), SEED, headers=htmx()))
        prior = PriorPolicy.objects.get(transaction=policy.contents_transaction)
        change = services.start_policy_change(policy=policy)
        copied = PriorPolicy.objects.get(transaction=change)
        # The change edits its own copy's carrier; the policy then edits the losses.
        services.update_prior_policy(
            owner=change, prior_policy=copied, carrier="Changed Co"
        )
        text(
            uw.post(
                policy_url(policy, f"{prior.public_id}/edit"),
                edit_data(prior, num_losses="4"),
                headers=htmx(),
            )
        )
        copied.refresh_from_db()
        prior.refresh_from_db()
        assert prior.num_losses == 4
        # Only what the underwriter changed went to the open change.
        assert (copied.num_losses, copied.carrier) == (4, "Changed Co")
        page = text(uw.get(f"/underwriting/policies/{policy.public_id}/"))
        assert 'data-testid="prior-count">1<' in page

        text(uw.post(policy_url(policy, f"{prior.public_id}/delete"), headers=htmx()))
        assert not PriorPolicy.objects.filter(public_id=prior.public_id).exists()

    def test_a_withdrawn_job_is_closed(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        services.withdraw_transaction(txn=txn)
        page = text(uw.get(job_url(txn)))
        assert escape(PRIOR_TRANSACTION_CLOSED.format(status="withdrawn")) in page

    def test_an_unknown_prior_policy_is_404(
        self, uw: Client, platform: Platform
    ) -> None:
        txn = draft_submission(platform)
        assert uw.get(job_url(txn, "pc:nope/edit")).status_code == 404
        assert uw.post(job_url(txn, "pc:nope/delete")).status_code == 404

"""The policy and transaction lists: search, filters, paging, HTMX partials, and a
constant number of queries whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coverage.models import Contractor
from policies import services
from policies.lines import CoverageType
from policies.models import Policy, PolicyTransaction
from portal.models import Platform
from tests.policies.builders import bound_policy, draft_submission
from tests.policies.conftest import htmx
from tests.policies.helpers import contractor_product, make_contractor

pytestmark = pytest.mark.django_db


def contractor_policy(
    platform: Platform, email: str, *, state: str = "NJ", days: int = 200
) -> Policy:
    start = timezone.now() - timedelta(days=1)
    return services.bind_submission(
        platform=platform,
        contractor=make_contractor(platform, email=email, state=state),
        product=contractor_product(),
        lines=[CoverageType.WORKERS_COMP, CoverageType.GENERAL],
        wc_state=state,
        gl_state=state,
        effective_at=start,
        expires_at=start + timedelta(days=days),
    )


def listed(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


class TestPolicyList:
    def test_search_and_filters(
        self, uw: Client, platform: Platform, other_platform: Platform
    ) -> None:
        nj = contractor_policy(platform, "nj@example.com", state="NJ", days=20)
        pa = contractor_policy(other_platform, "pa@example.com", state="PA")
        prop = bound_policy(platform)  # commercial property: locations in NJ
        cancelled = contractor_policy(platform, "gone@example.com", state="NY")
        services.cancel_policy(policy=cancelled)

        def numbers(query: str) -> set[str]:
            page = listed(uw.get(f"/underwriting/policies/?{query}"))
            return {p.number for p in (nj, pa, prop, cancelled) if p.number in page}

        assert numbers("") == {nj.number, pa.number, prop.number, cancelled.number}
        assert numbers(f"q={nj.number}") == {nj.number}
        assert numbers("q=pa@example") == {pa.number}
        assert numbers("q=Bayside") == {prop.number}
        assert numbers(f"q={pa.public_id}") == {pa.number}
        assert numbers(f"platform={other_platform.public_id}") == {pa.number}
        assert numbers("status=cancelled") == {cancelled.number}
        assert numbers("line=workers-comp") == {nj.number, pa.number, cancelled.number}
        assert numbers("product=commercial-property") == {prop.number}
        # A state matches the rated states and the locations' states.
        assert numbers("state=NJ") == {nj.number, prop.number}
        assert numbers("state=PA") == {pa.number}
        assert numbers("expiring=30") == {nj.number}
        assert numbers("status=active&state=NY") == set()

    def test_an_invalid_filter_is_ignored_not_a_500(self, uw: Client, platform) -> None:
        policy = contractor_policy(platform, "a@example.com")
        page = listed(uw.get("/underwriting/policies/?status=bogus&expiring=7"))
        assert policy.number in page

    def test_htmx_gets_only_the_results(self, uw: Client, platform: Platform) -> None:
        policy = contractor_policy(platform, "a@example.com")
        page = listed(uw.get("/underwriting/policies/?q=a@example", headers=htmx()))
        assert page.lstrip().startswith('<section class="card" id="results"')
        assert policy.number in page
        assert "<html" not in page

    def test_paging_keeps_the_filters(self, uw: Client, platform: Platform) -> None:
        for i in range(27):
            contractor_policy(platform, f"t{i}@example.com")
        page = listed(uw.get("/underwriting/policies/?line=general"))
        assert "Page 1 of 2" in page
        assert 'href="?line=general&amp;page=2"' in page
        assert "Page 2 of 2" in listed(
            uw.get("/underwriting/policies/?line=general&page=2")
        )

    def test_constant_queries_whatever_the_rows(
        self, uw: Client, platform: Platform, django_assert_num_queries
    ) -> None:
        bound_policy(platform)
        for i in range(30):
            contractor_policy(platform, f"q{i}@example.com")
        # session, user, the authenticator that verified the session (django-otp),
        # count, the page of policies (with platform, insured and product joined),
        # the product filter's choices (platforms are searched by their picker)
        with django_assert_num_queries(6):
            listed(uw.get("/underwriting/policies/"))
        # Filtering adds no query: the state filter is an EXISTS in the same SELECT.
        with django_assert_num_queries(6):
            listed(uw.get("/underwriting/policies/?state=NJ&line=general&q=example"))


class TestTransactionList:
    def test_search_and_filters(
        self, uw: Client, platform: Platform, other_platform: Platform
    ) -> None:
        draft = draft_submission(platform)
        policy = contractor_policy(other_platform, "pa@example.com", state="PA")
        change = services.start_policy_change(policy=policy)
        submission = PolicyTransaction.objects.get(policy=policy, kind="submission")

        def jobs(query: str) -> set[str]:
            page = listed(uw.get(f"/underwriting/transactions/?{query}"))
            return {
                t.public_id for t in (draft, change, submission) if t.public_id in page
            }

        assert jobs("") == {draft.public_id, change.public_id, submission.public_id}
        assert jobs("status=draft") == {draft.public_id, change.public_id}
        assert jobs("kind=policy_change") == {change.public_id}
        assert jobs(f"q={policy.number}") == {change.public_id, submission.public_id}
        assert jobs(f"q={draft.public_id}") == {draft.public_id}
        assert jobs(f"platform={platform.public_id}") == {draft.public_id}
        assert jobs("state=NJ") == {draft.public_id}
        assert jobs("line=general") == {change.public_id, submission.public_id}
        assert jobs("product=commercial-property") == {draft.public_id}
        assert jobs("status=bound") == {submission.public_id}

    def test_constant_queries_whatever_the_rows(
        self, uw: Client, platform: Platform, django_assert_num_queries
    ) -> None:
        draft_submission(platform)
        for i in range(30):
            contractor_policy(platform, f"q{i}@example.com")
        assert PolicyTransaction.objects.count() == 31
        # session, user, the session's authenticator (django-otp), count, the page
        # of transactions (with platform, insured, product and policy joined), the
        # product filter's choices (platforms are searched by their picker)
        with django_assert_num_queries(6):
            listed(uw.get("/underwriting/transactions/"))
        with django_assert_num_queries(6):
            listed(uw.get("/underwriting/transactions/?state=NJ&status=bound&q=q1"))

    def test_insured_links_and_policy_links(
        self, uw: Client, platform: Platform
    ) -> None:
        policy = contractor_policy(platform, "a@example.com")
        page = listed(uw.get("/underwriting/transactions/"))
        assert f'href="/underwriting/policies/{policy.public_id}/"' in page
        txn = PolicyTransaction.objects.get(policy=policy)
        assert f'href="/underwriting/transactions/{txn.public_id}/"' in page
        assert Contractor.objects.get(email="a@example.com").legal_name in page

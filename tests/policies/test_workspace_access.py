"""Who may use the underwriter workspace: underwriters (and superusers). Dispatchers
and support get 403 on every page and every action; anonymous users go to login."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from policies.access import NOT_AN_UNDERWRITER
from policies.models import AuditEntry, Policy, PolicyTransaction
from portal.models import Platform, User
from tests.conftest import sign_in
from tests.policies.builders import bound_policy, draft_submission

pytestmark = pytest.mark.django_db

Urls = Callable[[PolicyTransaction, Policy], list[str]]


def pages(txn: PolicyTransaction, policy: Policy) -> list[str]:
    j, p = txn.public_id, policy.public_id
    return [
        "/underwriting/policies/",
        "/underwriting/transactions/",
        "/underwriting/transactions/new",
        f"/underwriting/policies/{p}/",
        f"/underwriting/policies/{p}/prior-policies/",
        f"/underwriting/transactions/{j}/",
        f"/underwriting/transactions/{j}/coinsurance/",
        f"/underwriting/transactions/{j}/coinsurance/meter?our_share=10",
        f"/underwriting/transactions/{j}/prior-policies/",
        "/underwriting/producer-codes?q=a",
    ]


def actions(txn: PolicyTransaction, policy: Policy) -> list[str]:
    j, p = txn.public_id, policy.public_id
    return [
        f"/underwriting/policies/{p}/change",
        f"/underwriting/policies/{p}/renew",
        f"/underwriting/policies/{p}/prior-policies/add",
        f"/underwriting/transactions/{j}/quote",
        f"/underwriting/transactions/{j}/bind",
        f"/underwriting/transactions/{j}/withdraw",
        f"/underwriting/transactions/{j}/make-draft",
        f"/underwriting/transactions/{j}/terms",
        f"/underwriting/transactions/{j}/locations/add",
        f"/underwriting/transactions/{j}/locations/1/named-insureds/add",
        f"/underwriting/transactions/{j}/contacts/add",
        f"/underwriting/transactions/{j}/sections/add",
        f"/underwriting/transactions/{j}/sections/PP/delete",
        f"/underwriting/transactions/{j}/coinsurance/add",
        f"/underwriting/transactions/{j}/towers/add",
        f"/underwriting/transactions/{j}/prior-policies/add",
    ]


@pytest.fixture
def objects(platform: Platform) -> tuple[PolicyTransaction, Policy]:
    return draft_submission(platform), bound_policy(
        platform, contractor=None, sections=("PP",)
    )


def test_underwriters_open_every_page(
    uw: Client, objects: tuple[PolicyTransaction, Policy]
) -> None:
    for url in pages(*objects):
        assert uw.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["dispatcher", "support"])
def test_other_roles_are_refused_every_page_and_action(
    role: str,
    request: pytest.FixtureRequest,
    client_as,
    objects: tuple[PolicyTransaction, Policy],
) -> None:
    user: User = request.getfixturevalue(role)
    client = client_as(user)
    entries = AuditEntry.objects.count()
    for url in pages(*objects):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Your role cannot open this page." in response.content.decode()
    for url in actions(*objects):
        assert client.post(url, {"section_type": "LI"}).status_code == 403, url
    # Nothing was written on their behalf.
    assert AuditEntry.objects.count() == entries
    txn = objects[0]
    txn.refresh_from_db()
    assert txn.is_draft


def test_anonymous_users_are_sent_to_sign_in(
    objects: tuple[PolicyTransaction, Policy],
) -> None:
    client = Client()
    for url in pages(*objects) + actions(*objects):
        method = client.get if url in pages(*objects) else client.post
        response = method(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_a_superuser_may_come_in(
    db: None, client_as, objects: tuple[PolicyTransaction, Policy]
) -> None:
    admin = User.objects.create_superuser(
        "root", "root@example.com", "pw-root-123", role="support"
    )
    assert client_as(admin).get("/underwriting/policies/").status_code == 200


def test_unknown_ids_are_404(uw: Client, db: None) -> None:
    for url in (
        "/underwriting/policies/pl_nope/",
        "/underwriting/transactions/pc:nope/",
        "/underwriting/transactions/pc:nope/coinsurance/",
        "/underwriting/policies/pl_nope/prior-policies/",
    ):
        assert uw.get(url).status_code == 404, url


def test_actions_are_posts_only(
    uw: Client, objects: tuple[PolicyTransaction, Policy]
) -> None:
    txn = objects[0]
    assert (
        uw.get(f"/underwriting/transactions/{txn.public_id}/quote").status_code == 405
    )
    txn.refresh_from_db()
    assert txn.is_draft


def test_the_refusal_is_the_documented_one() -> None:
    assert NOT_AN_UNDERWRITER == "The underwriter workspace is for underwriters."


def test_navigation_offers_the_workspace_to_underwriters_only(
    uw: Client, dispatcher: User, support: User, client_as
) -> None:
    page = uw.get("/").content.decode()
    assert 'href="/underwriting/policies/"' in page
    assert 'href="/underwriting/transactions/"' in page
    for user in (dispatcher, support):
        page = client_as(user).get("/").content.decode()
        assert "/underwriting/" not in page


def test_odd_input_is_a_404_or_ignored_never_a_500(
    uw: Client, objects: tuple[PolicyTransaction, Policy]
) -> None:
    txn, policy = objects
    for url in (
        "/underwriting/transactions/pc:%00/",
        f"/underwriting/policies/{policy.public_id}/prior-policies/pc:%00x/edit",
        f"/underwriting/transactions/{txn.public_id}/sections/P%00/delete",
    ):
        response = uw.get(url) if "edit" in url or url.endswith("/") else uw.post(url)
        assert response.status_code == 404, url
    assert uw.get("/underwriting/producer-codes?q=a%00b").status_code == 200
    assert uw.get("/underwriting/policies/?q=a%00b&page=zz").status_code == 200
    meter = f"/underwriting/transactions/{txn.public_id}/coinsurance/meter"
    for share in ("1e999999", "1e-999999", "NaN", "Infinity", "%00"):
        response = uw.get(f"{meter}?our_share={share}")
        assert response.status_code == 200, share
        assert len(response.content) < 5000, share


def test_htmx_posts_need_the_csrf_token(
    underwriter: User, objects: tuple[PolicyTransaction, Policy]
) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client, underwriter)
    txn = objects[0]
    page = client.get(f"/underwriting/transactions/{txn.public_id}/")
    # base.html hands htmx the token for every request it makes.
    token = str(page.context["csrf_token"])
    assert f'hx-headers=\'{{"x-csrftoken": "{token}"}}\'' in page.content.decode()
    quote = f"/underwriting/transactions/{txn.public_id}/quote"
    assert client.post(quote, headers={"HX-Request": "true"}).status_code == 403
    txn.refresh_from_db()
    assert txn.is_draft
    response = client.post(quote, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    txn.refresh_from_db()
    assert txn.status == "quoted"

"""The support admin: every model of the portal, coverage and policies apps is
registered and opens for support (list, search, detail); dispatchers and underwriters
cannot enter; history and the premium ledger are read-only; keys never show."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coverage.models import Assignment, DeliveryAttempt, LedgerEntry
from policies.models import AuditEntry, Policy, PolicyTransaction
from portal.api_keys import issue_api_key
from portal.models import ApiKey, User

pytestmark = pytest.mark.django_db

APPS = ("portal", "coverage", "policies")
# Shown inside their parent's page rather than on their own.
INLINE_ONLY = {DeliveryAttempt}


@pytest.fixture
def demo(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())


@pytest.fixture
def as_support(support: User, client_as) -> Client:
    return client_as(support)


def registered_models() -> list[type]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in APPS and model not in INLINE_ONLY
    ]


def test_every_model_is_registered() -> None:
    missing = [m.__name__ for m in registered_models() if m not in admin.site._registry]
    assert missing == []


def test_support_opens_every_list_search_and_record(
    demo: None, as_support: Client
) -> None:
    for model in registered_models():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = as_support.get(changelist)
        assert response.status_code == 200, changelist
        if admin.site._registry[model].search_fields:
            assert as_support.get(f"{changelist}?q=demo").status_code == 200, changelist
        first = model._default_manager.first()
        if first is not None:
            change = reverse(
                f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]
            )
            assert as_support.get(change).status_code == 200, change


@pytest.mark.parametrize("role", ["dispatcher", "underwriter"])
def test_only_support_enters(
    role: str, request: pytest.FixtureRequest, client_as, demo: None
) -> None:
    client = client_as(request.getfixturevalue(role))
    for path in ("/admin/", "/admin/policies/policy/", "/admin/coverage/ledgerentry/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/")


def test_a_policy_is_traceable_to_its_changes_and_dispatches(
    demo: None, as_support: Client
) -> None:
    policy = Policy.objects.filter(contractor__email="terry.tech@demo.example").get()
    page = as_support.get(
        f"/admin/policies/policy/{policy.pk}/change/"
    ).content.decode()
    assert f"/admin/coverage/assignment/?policy__id__exact={policy.pk}" in page
    assert f"/admin/policies/auditentry/?policy__id__exact={policy.pk}" in page
    assert f"/underwriting/policies/{policy.public_id}/" in page
    # The audit history is on the page itself.
    assert "audit history" in page.lower()
    submission = PolicyTransaction.objects.get(policy=policy, kind="submission")
    assert submission.public_id in page

    assignment = Assignment.objects.filter(policy=policy).first()
    page = as_support.get(
        f"/admin/coverage/assignment/{assignment.pk}/change/"
    ).content.decode()
    assert f"/admin/policies/policy/{policy.pk}/change/" in page
    assert f"/admin/coverage/contractor/{assignment.contractor_id}/change/" in page
    # Its premium lines are listed on it.
    entries = LedgerEntry.objects.filter(assignment=assignment)
    assert entries.count() == 2
    for entry in entries:
        assert f"${entry.amount / 100:,.2f}" in page
        assert f"/admin/coverage/ledgerentry/{entry.pk}/change/" in page

    found = as_support.get(
        f"/admin/coverage/assignment/?q={assignment.public_id}"
    ).content.decode()
    assert assignment.public_id in found
    found = as_support.get(
        f"/admin/policies/policy/?q={policy.number}"
    ).content.decode()
    assert policy.number in found
    found = as_support.get("/admin/policies/contact/?q=mike.sherman").content.decode()
    assert "Mike Sherman" in found


def test_history_and_ledger_are_read_only(demo: None, as_support: Client) -> None:
    entry = LedgerEntry.objects.first()
    page = as_support.get(f"/admin/coverage/ledgerentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        as_support.post(
            f"/admin/coverage/ledgerentry/{entry.pk}/change/", {"amount": 1}
        ).status_code
        == 403
    )
    assert as_support.get("/admin/coverage/ledgerentry/add/").status_code == 403
    assert (
        as_support.post(f"/admin/coverage/ledgerentry/{entry.pk}/delete/").status_code
        == 403
    )
    audit = AuditEntry.objects.first()
    assert (
        as_support.post(
            f"/admin/policies/auditentry/{audit.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=audit.pk).exists()
    changelist = as_support.get("/admin/policies/auditentry/").content.decode()
    assert "System" in changelist


def test_audit_entries_of_the_workspace_show_who_and_what(
    demo: None, as_support: Client, underwriter: User, client_as
) -> None:
    txn = PolicyTransaction.objects.filter(status="draft").first()
    client_as(underwriter).post(
        f"/underwriting/transactions/{txn.public_id}/prior-policies/add",
        {
            "effective_date": "2021-10-13",
            "carrier": "Interstate Insurance",
            "annual_premium_currency": "usd",
            "total_losses_currency": "usd",
        },
    )
    page = as_support.get(
        f"/admin/policies/policytransaction/{txn.pk}/change/"
    ).content.decode()
    assert "uma (underwriter)" in page
    assert "Carrier: — → Interstate Insurance" in page


def test_api_keys_never_show_their_digest_and_can_be_revoked(
    db: None, as_support: Client
) -> None:
    key, raw = issue_api_key(kind=ApiKey.Kind.STAFF, name="underwriting")
    page = as_support.get(f"/admin/portal/apikey/{key.pk}/change/").content.decode()
    assert key.digest not in page and raw not in page
    as_support.post(
        "/admin/portal/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.is_revoked


def test_session_tokens_stay_off_support_pages(demo: None, as_support: Client) -> None:
    from coverage.models import ApplicationSession, Contractor, Quote

    quote = Quote.objects.first()
    from datetime import timedelta

    from django.utils import timezone

    session = ApplicationSession.objects.create(
        platform=quote.platform,
        quote=quote,
        url="https://example.com/apply/secret-token",
        expires_at=timezone.now() + timedelta(days=1),
    )
    page = as_support.get(
        f"/admin/coverage/applicationsession/{session.pk}/change/"
    ).content.decode()
    assert session.token not in page
    assert "secret-token" not in page
    contractor = Contractor.objects.first()
    contractor.tax_identification = "123-45-6789"
    contractor.save()
    page = as_support.get(
        f"/admin/coverage/contractor/{contractor.pk}/change/"
    ).content.decode()
    assert "123-45-6789" not in page

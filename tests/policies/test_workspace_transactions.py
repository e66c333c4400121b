"""A transaction's page: the job actions with the state rules as disabled buttons that
say why, new submissions, locations, contacts, location named insureds (seed 002)
and sections — every refusal inline in the services' words."""

from __future__ import annotations

from decimal import Decimal
from html import escape

import pytest
from django.test import Client

from policies import services
from policies.models import (
    AuditEntry,
    AuditVia,
    Contact,
    ContactRole,
    LocationNamedInsured,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PolicyTransaction,
    Product,
    TransactionStatus,
)
from policies.services.contents import (
    INVALID_EMAIL,
    LNI_DUPLICATE,
    LNI_MUST_EXIST,
    LNI_NOT_ALLOWED,
    LNI_NOT_DRAFT,
    LNI_NOT_NAMED_INSURED,
    LNI_ONE_PER_LOCATION,
    PERSON_NEEDS_NAME,
    SECTION_ALREADY_ON_TRANSACTION,
    SECTION_IN_USE,
    SECTION_NOT_IN_PRODUCT,
)
from policies.services.drafts import REQUIRED, TRANSACTION_NOT_DRAFT
from policies.services.transactions import (
    ACTION_NOT_ALLOWED,
    LINE_NOT_IN_PRODUCT,
    NO_SECTIONS,
    POLICY_NOT_ACTIVE,
    TERM_BACKWARDS,
)
from policies.views import transactions as views
from portal.models import Platform, User
from tests.policies.builders import (
    bound_policy,
    draft_submission,
    property_product,
)
from tests.policies.conftest import htmx, make_property_product
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db


def url(txn: PolicyTransaction, suffix: str = "") -> str:
    return f"/underwriting/transactions/{txn.public_id}/{suffix}"


def text(response) -> str:
    return response.content.decode()


def refusal(action: str, status: str, allowed: str) -> str:
    return escape(
        ACTION_NOT_ALLOWED.format(action=action, status=status, allowed=allowed)
    )


class TestActions:
    def test_a_draft_can_be_quoted_and_says_why_it_cannot_be_bound(
        self, uw: Client, platform: Platform
    ) -> None:
        page = text(uw.get(url(draft_submission(platform))))
        assert refusal("bind-and-issue", "Draft", "Quoted") in page
        assert refusal("make-draft", "Draft", "Quoted") in page
        assert refusal("quote", "Draft", "Draft") not in page

    def test_quote_bind_and_the_history(
        self, uw: Client, platform: Platform, underwriter: User
    ) -> None:
        txn = draft_submission(platform)
        response = uw.post(url(txn, "quote"), headers=htmx())
        assert response.status_code == 200
        assert response["HX-Redirect"] == url(txn)
        txn.refresh_from_db()
        assert txn.status == TransactionStatus.QUOTED
        page = text(uw.get(url(txn)))
        assert refusal("quote", "Quoted", "Draft") in page
        assert escape(views.QUOTED.format(job=txn.public_id)) in page

        response = uw.post(url(txn, "bind"))
        assert response.status_code == 302
        txn.refresh_from_db()
        assert txn.status == TransactionStatus.BOUND
        page = text(uw.get(url(txn)))
        assert (
            escape(views.BOUND.format(job=txn.public_id, policy=txn.policy.number))
            in page
        )
        entry = AuditEntry.objects.filter(transaction=txn).first()
        assert entry.action == "bound"
        assert entry.actor_user == underwriter
        assert entry.via == AuditVia.PORTAL
        # The history on the page names who did it and what changed.
        assert "Bound</strong> submission" in page
        assert "<del>Quoted</del>" in page and "<ins>Bound</ins>" in page

    def test_make_draft_and_withdraw(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        services.quote_transaction(txn=txn)
        uw.post(url(txn, "make-draft"))
        txn.refresh_from_db()
        assert txn.status == TransactionStatus.DRAFT
        uw.post(url(txn, "withdraw"))
        txn.refresh_from_db()
        assert txn.status == TransactionStatus.WITHDRAWN
        page = text(uw.get(url(txn)))
        for action, allowed in (
            ("quote", "Draft"),
            ("bind-and-issue", "Quoted"),
            ("withdraw", "Draft, Quoted"),
        ):
            assert refusal(action, "Withdrawn", allowed) in page

    def test_a_refused_action_is_shown_inline(
        self, uw: Client, platform: Platform
    ) -> None:
        txn = draft_submission(platform)
        # Bound meanwhile (another tab, the API): the stale button is refused.
        services.quote_transaction(txn=txn)
        services.bind_transaction(txn=txn)
        response = uw.post(url(txn, "withdraw"), headers=htmx())
        assert response.status_code == 422
        body = text(response)
        assert body.lstrip().startswith(
            '<section class="card actions-card" id="actions"'
        )
        assert refusal("withdraw", "Bound", "Draft, Quoted") in body
        assert 'data-testid="action-error"' in body
        # Without HTMX: the whole page, as a 422.
        response = uw.post(url(txn, "withdraw"))
        assert response.status_code == 422
        assert refusal("withdraw", "Bound", "Draft, Quoted") in text(response)

    def test_quoting_a_sectionless_property_job_is_refused_in_the_services_words(
        self, uw: Client, platform: Platform
    ) -> None:
        txn = draft_submission(platform, sections=())
        response = uw.post(url(txn, "quote"), headers=htmx())
        product = txn.product.name
        assert escape(NO_SECTIONS.format(product=product)) in text(response)
        txn.refresh_from_db()
        assert txn.is_draft


class TestSubmissions:
    def test_start_a_property_submission(
        self, uw: Client, platform: Platform, underwriter: User
    ) -> None:
        contractor = make_contractor(platform, email="new@example.com")
        product = property_product()
        response = uw.post(
            "/underwriting/transactions/new",
            {
                "contractor": contractor.public_id,
                "product": product.code,
                "effective_date": "2031-01-01",
                "expiration_date": "2032-01-01",
                "section_types": ["PP", "MO"],
            },
        )
        txn = PolicyTransaction.objects.get(contractor=contractor)
        assert response.status_code == 302
        assert response["Location"] == url(txn)
        assert txn.created_by == underwriter
        assert set(
            PolicySection.objects.filter(transaction=txn).values_list(
                "section_type", flat=True
            )
        ) == {"PP", "MO"}

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"contractor": "cn_nobody"}, views.UNKNOWN_INSURED.format(id="cn_nobody")),
            ({"expiration_date": "2030-01-01"}, TERM_BACKWARDS),
            (
                {"section_types": ["WC"]},
                SECTION_NOT_IN_PRODUCT.format(
                    product="Commercial property (commercial-property)",
                    name="Workers' compensation",
                    code="WC",
                ),
            ),
        ],
    )
    def test_refusals(
        self, uw: Client, platform: Platform, changes: dict, message: str
    ) -> None:
        contractor = make_contractor(platform, email="new@example.com")
        data = {
            "contractor": contractor.public_id,
            "product": property_product().code,
            "effective_date": "2031-01-01",
            "expiration_date": "2032-01-01",
            "section_types": ["PP"],
        } | changes
        response = uw.post("/underwriting/transactions/new", data)
        assert response.status_code == 422
        assert escape(message) in text(response)
        assert not PolicyTransaction.objects.exists()


class TestLocationsAndContacts:
    def test_add_a_location_and_a_contact(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        response = uw.post(
            url(txn, "locations/add"),
            {
                "address_line1": "5 Pier Rd",
                "city": "Hoboken",
                "state": "NJ",
                "postal_code": "07030",
            },
            headers=htmx(),
        )
        assert response.status_code == 200
        assert text(response).lstrip().startswith('<div id="locations"')
        assert "5 Pier Rd, Hoboken, NJ 07030" in text(response)
        response = uw.post(
            url(txn, "contacts/add"),
            {
                "kind": "Person",
                "first_name": "Ann",
                "last_name": "Lee",
                "roles": ["additionalNamedInsured"],
            },
            headers=htmx(),
        )
        assert "Ann Lee" in text(response)
        assert PolicyContactRole.objects.filter(
            transaction=txn, contact__last_name="Lee", role="additionalNamedInsured"
        ).exists()

    def test_refusals_inline(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        response = uw.post(
            url(txn, "locations/add"),
            {"address_line1": "", "city": "Hoboken", "state": "NJ", "postal_code": "1"},
            headers=htmx(),
        )
        assert escape(REQUIRED.format(field="The address")) in text(response)
        response = uw.post(
            url(txn, "contacts/add"),
            {"kind": "Person", "first_name": "Ann"},
            headers=htmx(),
        )
        assert escape(PERSON_NEEDS_NAME) in text(response)
        response = uw.post(
            url(txn, "contacts/add"),
            {"kind": "Company", "company_name": "X", "email": "not-an-email"},
            headers=htmx(),
        )
        assert escape(INVALID_EMAIL) in text(response)
        assert PolicyLocation.objects.filter(transaction=txn).count() == 2


class TestNamedInsureds:
    def contact(self, txn: PolicyTransaction, last_name: str) -> Contact:
        return Contact.objects.get(contractor_id=txn.contractor_id, last_name=last_name)

    def test_associate_gives_the_role_and_remove_keeps_it(
        self, uw: Client, platform: Platform, underwriter: User
    ) -> None:
        txn = draft_submission(platform)
        mike = self.contact(txn, "Sherman")
        response = uw.post(
            url(txn, "locations/1/named-insureds/add"),
            {"contact": mike.public_id},
            headers=htmx(),
        )
        body = text(response)
        assert response.status_code == 200
        assert 'data-testid="named-insured"' in body
        # The resulting roles are on the page: additional named insured is new.
        assert "Additional named insured" in body
        lni = LocationNamedInsured.objects.get(transaction=txn)
        assert (lni.location.number, lni.contact) == (1, mike)

        response = uw.post(
            url(txn, f"locations/1/named-insureds/{lni.number}/delete"), headers=htmx()
        )
        assert 'data-testid="named-insured"' not in text(response)
        assert not LocationNamedInsured.objects.exists()
        assert PolicyContactRole.objects.filter(
            transaction=txn, contact=mike, role=ContactRole.ADDITIONAL_NAMED_INSURED
        ).exists()
        assert list(
            AuditEntry.objects.filter(
                transaction=txn, object_type="Location named insured"
            ).values_list("action", "actor_user")
        ) == [("dissociated", underwriter.pk), ("associated", underwriter.pk)]

    def test_the_primary_named_insured_cannot_be_associated(
        self, uw: Client, platform: Platform
    ) -> None:
        txn = draft_submission(platform)
        primary = Contact.objects.get(
            contractor_id=txn.contractor_id, is_account_holder=True
        )
        page = text(uw.get(url(txn)))
        # Not offered, and refused if posted anyway.
        assert f'<option value="{primary.public_id}"' not in page
        response = uw.post(
            url(txn, "locations/1/named-insureds/add"),
            {"contact": primary.public_id},
            headers=htmx(),
        )
        assert escape(LNI_NOT_NAMED_INSURED) in text(response)

    def test_only_on_a_draft(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        services.quote_transaction(txn=txn)
        page = text(uw.get(url(txn)))
        assert escape(LNI_NOT_DRAFT) in page
        assert "Associate contact" not in page
        response = uw.post(
            url(txn, "locations/1/named-insureds/add"),
            {"contact": self.contact(txn, "Sherman").public_id},
            headers=htmx(),
        )
        assert escape(LNI_NOT_DRAFT) in text(response)
        assert not LocationNamedInsured.objects.exists()

    def test_the_products_configuration(self, uw: Client, platform: Platform) -> None:
        one = make_property_product(
            code="one-lni", named_insureds=Product.NamedInsureds.ONE
        )
        txn = draft_submission(platform, product=one)
        mike, dockside = (
            self.contact(txn, "Sherman"),
            Contact.objects.get(
                contractor_id=txn.contractor_id, company_name="Dockside Holdings"
            ),
        )
        uw.post(url(txn, "locations/1/named-insureds/add"), {"contact": mike.public_id})
        page = text(uw.get(url(txn)))
        assert "One named insured per location" in page
        response = uw.post(
            url(txn, "locations/1/named-insureds/add"),
            {"contact": dockside.public_id},
            headers=htmx(),
        )
        assert escape(LNI_ONE_PER_LOCATION) in text(response)
        response = uw.post(
            url(txn, "locations/2/named-insureds/add"),
            {"contact": mike.public_id},
            headers=htmx(),
        )
        assert response.status_code == 200
        assert LocationNamedInsured.objects.count() == 2

        none = make_property_product(
            code="no-lni", named_insureds=Product.NamedInsureds.NONE
        )
        txn = draft_submission(platform, product=none)
        page = text(uw.get(url(txn)))
        assert escape(LNI_NOT_ALLOWED.format(product=none.name)) in page
        response = uw.post(
            url(txn, "locations/1/named-insureds/add"),
            {"contact": self.contact(txn, "Sherman").public_id},
            headers=htmx(),
        )
        assert escape(LNI_NOT_ALLOWED.format(product=none.name)) in text(response)

    def test_twice_and_unknown_contacts(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        mike = self.contact(txn, "Sherman")
        uw.post(url(txn, "locations/1/named-insureds/add"), {"contact": mike.public_id})
        response = uw.post(
            url(txn, "locations/1/named-insureds/add"),
            {"contact": mike.public_id},
            headers=htmx(),
        )
        assert escape(LNI_DUPLICATE) in text(response)
        response = uw.post(
            url(txn, "locations/1/named-insureds/add"),
            {"contact": "pc:nobody"},
            headers=htmx(),
        )
        assert escape(LNI_MUST_EXIST) in text(response)
        assert (
            uw.post(
                url(txn, "locations/9/named-insureds/add"), {"contact": "x"}
            ).status_code
            == 404
        )


class TestSections:
    def test_add_and_delete(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        response = uw.post(
            url(txn, "sections/add"), {"section_type": "LI"}, headers=htmx()
        )
        assert "Liability</strong> (LI)" in text(response)
        response = uw.post(
            url(txn, "sections/add"), {"section_type": "LI"}, headers=htmx()
        )
        assert escape(
            SECTION_ALREADY_ON_TRANSACTION.format(name="Liability", code="LI")
        ) in text(response)
        uw.post(url(txn, "sections/LI/delete"), headers=htmx())
        assert not PolicySection.objects.filter(
            transaction=txn, section_type="LI"
        ).exists()

    def test_a_section_in_use_is_kept(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        services.create_coinsurance_agreement(
            txn=txn,
            model="administer",
            our_role="lead",
            our_share=Decimal(50),
            section_types=["MO"],
        )
        response = uw.post(url(txn, "sections/MO/delete"), headers=htmx())
        assert escape(
            SECTION_IN_USE.format(code="MO", owner="a coinsurance agreement")
        ) in text(response)
        assert PolicySection.objects.filter(transaction=txn, section_type="MO").exists()


class TestPolicyPage:
    def test_shows_everything_about_the_policy(
        self, uw: Client, platform: Platform
    ) -> None:
        txn = draft_submission(platform)
        mike = Contact.objects.get(contractor_id=txn.contractor_id, last_name="Sherman")
        location = PolicyLocation.objects.get(transaction=txn, number=1)
        services.associate_location_named_insured(
            txn=txn, location=location, contact=mike
        )
        from tests.policies.builders import agreement_with_parties

        agreement_with_parties(txn, shares=("20", "10"))
        services.quote_transaction(txn=txn)
        policy = services.bind_transaction(txn=txn)
        page = text(uw.get(f"/underwriting/policies/{policy.public_id}/"))
        for expected in (
            policy.number,
            "1 Harbor Way, Newark, NJ 07102",
            "Mike Sherman",
            "Additional named insured",
            "Primary named insured",
            "Motor</strong> (MO)",
            "Enigma Fire &amp; Casualty 20 %",
            "80 %",
            txn.public_id,
            'data-testid="history-entry"',
        ):
            assert expected in page, expected

    def test_change_and_renewal(
        self, uw: Client, platform: Platform, underwriter: User
    ) -> None:
        policy = bound_policy(platform)
        response = uw.post(f"/underwriting/policies/{policy.public_id}/change")
        change = PolicyTransaction.objects.get(policy=policy, kind="policy_change")
        assert response["Location"] == url(change)
        assert change.created_by == underwriter
        # The change starts from the policy's contents.
        assert PolicyLocation.objects.filter(transaction=change).count() == 2
        uw.post(f"/underwriting/policies/{policy.public_id}/renew")
        assert PolicyTransaction.objects.filter(policy=policy, kind="renewal").exists()

    def test_a_cancelled_policy_says_why_it_cannot_change(
        self, uw: Client, platform: Platform
    ) -> None:
        policy = bound_policy(platform)
        services.cancel_policy(policy=policy)
        page = text(uw.get(f"/underwriting/policies/{policy.public_id}/"))
        assert escape(POLICY_NOT_ACTIVE.format(verb="changed")) in page
        assert escape(POLICY_NOT_ACTIVE.format(verb="renewed")) in page
        response = uw.post(
            f"/underwriting/policies/{policy.public_id}/change", headers=htmx()
        )
        assert 'data-testid="action-error"' in text(response)
        assert not PolicyTransaction.objects.filter(
            policy=policy, kind="policy_change"
        ).exists()

    def test_the_history_shows_api_changes_too(
        self, uw: Client, platform: Platform, staff_key: str
    ) -> None:
        from tests.policies.conftest import Api

        policy = bound_policy(platform)
        api = Api(staff_key)
        response = api.post(
            f"/policy/v1/policies/{policy.public_id}/prior-policies",
            {"effectiveDate": "2021-10-13", "carrier": "Interstate Insurance"},
        )
        assert response.status_code == 201
        page = text(uw.get(f"/underwriting/policies/{policy.public_id}/"))
        assert "API key underwriting" in page
        assert "<ins>Interstate Insurance</ins>" in page


class TestTerms:
    def test_a_policy_change_moves_the_expiration_date(
        self, uw: Client, platform: Platform, underwriter: User
    ) -> None:
        policy = bound_policy(platform)
        change = services.start_policy_change(policy=policy)
        new_end = (policy.expires_at.date().replace(day=1)).isoformat()
        response = uw.post(
            url(change, "terms"),
            {"expiration_date": new_end, "auto_renew": "on"},
            headers=htmx(),
        )
        assert response["HX-Redirect"] == url(change)
        change.refresh_from_db()
        assert change.expires_at.date().isoformat() == new_end
        entry = AuditEntry.objects.filter(transaction=change).first()
        assert entry.actor_user == underwriter
        assert entry.changes == [
            {
                "field": "expires_at",
                "label": "Expires",
                "old": policy.expires_at.date().isoformat(),
                "new": new_end,
            }
        ]

    def test_refusals_inline(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        response = uw.post(
            url(txn, "terms"),
            {"expiration_date": txn.effective_at.date().isoformat()},
            headers=htmx(),
        )
        body = text(response)
        assert body.lstrip().startswith('<section class="card" id="terms"')
        assert escape(TERM_BACKWARDS) in body
        response = uw.post(
            url(txn, "terms"),
            {
                "expiration_date": txn.expires_at.date().isoformat(),
                "lines": ["workers-comp"],
            },
            headers=htmx(),
        )
        product = txn.product.name
        assert escape(
            LINE_NOT_IN_PRODUCT.format(product=product, line="Workers' compensation")
        ) in text(response)

    def test_only_a_draft_offers_the_form(self, uw: Client, platform: Platform) -> None:
        txn = draft_submission(platform)
        assert 'data-testid="terms-form"' in text(uw.get(url(txn)))
        services.quote_transaction(txn=txn)
        assert 'data-testid="terms-form"' not in text(uw.get(url(txn)))
        response = uw.post(
            url(txn, "terms"),
            {"expiration_date": "2040-01-01"},
            headers=htmx(),
        )
        assert escape(TRANSACTION_NOT_DRAFT.format(status="quoted")) in text(response)

"""The coinsurance page (seed 003): agreements at every level, parties, sections,
towers and layers, the share meter, and each refusal inline in the seed's words."""

from __future__ import annotations

from decimal import Decimal
from html import escape

import pytest
from django.test import Client

from policies import services
from policies.models import (
    AuditEntry,
    CoinsuranceAgreement,
    CoinsuranceParty,
    Layer,
    PolicySection,
    PolicyTransaction,
    ProducerCode,
    Tower,
)
from policies.services import drafts
from policies.services.coinsurance import (
    COINSURANCE_NOT_SUPPORTED,
    LAYERS_NOT_SUPPORTED,
    SECTION_IN_OTHER_AGREEMENT,
    SECTION_NOT_ON_TRANSACTION,
    SECTIONLESS_ON_CREATE,
    SECTIONLESS_ON_REMOVE,
    SHARES_OVER_100,
    SUFFIX_TOO_LONG,
    share_total,
)
from policies.services.coinsurance_parties import (
    PARTY_ALREADY_ON_AGREEMENT,
    UNKNOWN_PRODUCER_CODE,
)
from policies.services.drafts import (
    PERCENT_PRECISION,
    PERCENT_RANGE,
    TRANSACTION_NOT_DRAFT,
)
from policies.services.towers import LAYERS_OVERLAP
from policies.views.meter import NOT_A_NUMBER
from portal.models import Platform, User
from tests.policies.builders import (
    agreement_with_parties,
    draft_submission,
    producer_codes,
)
from tests.policies.conftest import htmx, make_property_product

pytestmark = pytest.mark.django_db

TERMS = {"model": "administer", "our_role": "lead", "our_share": "50"}


def url(txn: PolicyTransaction, suffix: str = "") -> str:
    return f"/underwriting/transactions/{txn.public_id}/{suffix}"


def text(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


@pytest.fixture
def txn(platform: Platform) -> PolicyTransaction:
    return draft_submission(platform)


@pytest.fixture
def codes(db: None) -> list[ProducerCode]:
    return producer_codes()


def post(
    uw: Client,
    txn: PolicyTransaction,
    suffix: str,
    data: dict | None = None,
    status: int = 200,
) -> str:
    return text(uw.post(url(txn, suffix), data or {}, headers=htmx()), status)


class TestAgreements:
    def test_a_policy_level_and_a_section_level_agreement(
        self, uw: Client, txn: PolicyTransaction, underwriter: User
    ) -> None:
        body = post(uw, txn, "coinsurance/add", TERMS)
        assert body.lstrip().startswith('<div id="workspace"')
        assert "Policy level" in body and "The whole policy" in body
        body = post(
            uw,
            txn,
            "coinsurance/add",
            {
                **TERMS,
                "our_share": "40",
                "section_types": ["MO", "PP"],
                "leaders_fee": "5.5",
                "policy_number_suffix": "MotorA",
            },
        )
        assert "Section level" in body and "Sections MO, PP" in body
        section_level = CoinsuranceAgreement.objects.get(policy_number_suffix="MotorA")
        assert section_level.leaders_fee == Decimal("5.5")
        assert set(section_level.sections.values_list("section_type", flat=True)) == {
            "MO",
            "PP",
        }
        assert (
            AuditEntry.objects.filter(
                object_type="Coinsurance agreement", actor_user=underwriter
            ).count()
            == 2
        )

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"policy_number_suffix": "TooLongSuffix"}, SUFFIX_TOO_LONG),
            (
                {"our_share": "101"},
                PERCENT_RANGE.format(field="Our share"),
            ),
            (
                {"our_share": "12.345"},
                PERCENT_PRECISION.format(field="Our share"),
            ),
            (
                {"leaders_fee": "-1"},
                PERCENT_RANGE.format(field="The leader's fee"),
            ),
            (
                {"section_types": ["LI"]},
                SECTION_NOT_ON_TRANSACTION.format(code="LI"),
            ),
        ],
    )
    def test_refusals_on_create(
        self, uw: Client, txn: PolicyTransaction, data: dict, message: str
    ) -> None:
        body = post(uw, txn, "coinsurance/add", {**TERMS, **data}, status=422)
        assert escape(message) in body
        assert not CoinsuranceAgreement.objects.exists()

    def test_a_second_sectionless_agreement_is_refused(
        self, uw: Client, txn: PolicyTransaction
    ) -> None:
        post(uw, txn, "coinsurance/add", TERMS)
        body = post(uw, txn, "coinsurance/add", TERMS, status=422)
        assert (
            escape(SECTIONLESS_ON_CREATE.format(owner="coinsurance agreement")) in body
        )
        assert CoinsuranceAgreement.objects.count() == 1

    def test_a_product_without_coinsurance(
        self, uw: Client, platform: Platform
    ) -> None:
        product = make_property_product(code="no-coinsurance", coinsurance=False)
        txn = draft_submission(platform, product=product)
        message = escape(COINSURANCE_NOT_SUPPORTED.format(product=product.name))
        page = text(uw.get(url(txn, "coinsurance/")))
        assert message in page
        assert "Create agreement" not in page
        assert message in post(uw, txn, "coinsurance/add", TERMS, status=422)
        assert not CoinsuranceAgreement.objects.exists()

    def test_edit_terms_and_delete(self, uw: Client, txn: PolicyTransaction) -> None:
        agreement = agreement_with_parties(txn, shares=("20",))
        n = agreement.number
        post(
            uw,
            txn,
            f"coinsurance/{n}/edit",
            {**TERMS, "our_share": "70", "policy_number_suffix": "Main"},
        )
        agreement.refresh_from_db()
        assert (agreement.our_share, agreement.policy_number_suffix) == (70, "Main")
        body = post(
            uw, txn, f"coinsurance/{n}/edit", {**TERMS, "our_share": "81"}, status=422
        )
        assert escape(SHARES_OVER_100.format(total="101")) in body
        agreement.refresh_from_db()
        assert agreement.our_share == 70
        post(uw, txn, f"coinsurance/{n}/delete")
        assert not CoinsuranceAgreement.objects.exists()
        # Its sections stay on the job, unattached.
        assert PolicySection.objects.filter(transaction=txn, section_type="MO").exists()


class TestParties:
    def test_add_two_parties_refuse_101_remove_one(
        self, uw: Client, txn: PolicyTransaction, codes: list[ProducerCode]
    ) -> None:
        post(uw, txn, "coinsurance/add", {**TERMS, "section_types": ["MO"]})
        n = CoinsuranceAgreement.objects.get().number
        for code, share in ((codes[0], "30"), (codes[1], "15")):
            body = post(
                uw,
                txn,
                f"coinsurance/{n}/parties/add",
                {"producer_code": code.public_id, "role": "follow", "share": share},
            )
        assert 'data-testid="share-total">95 %' in body
        body = post(
            uw,
            txn,
            f"coinsurance/{n}/parties/add",
            {"producer_code": codes[2].public_id, "role": "follow", "share": "6"},
            status=422,
        )
        assert escape(SHARES_OVER_100.format(total="101")) in body
        assert 'data-testid="party-share-error"' in body
        assert CoinsuranceParty.objects.count() == 2
        party = CoinsuranceParty.objects.get(producer_code=codes[1])
        body = post(uw, txn, f"coinsurance/{n}/parties/{party.number}/delete")
        assert CoinsuranceParty.objects.count() == 1
        assert 'data-testid="share-total">80 %' in body

    def test_exactly_100_is_allowed(
        self, uw: Client, txn: PolicyTransaction, codes: list[ProducerCode]
    ) -> None:
        agreement = agreement_with_parties(txn, shares=())
        post(
            uw,
            txn,
            f"coinsurance/{agreement.number}/parties/add",
            {"producer_code": codes[0].public_id, "role": "follow", "share": "50"},
        )
        assert CoinsuranceParty.objects.get().share == 50

    def test_unknown_and_repeated_producer_codes(
        self, uw: Client, txn: PolicyTransaction, codes: list[ProducerCode]
    ) -> None:
        agreement = agreement_with_parties(txn, shares=("10",))
        n = agreement.number
        body = post(
            uw,
            txn,
            f"coinsurance/{n}/parties/add",
            {"producer_code": "pc:nobody", "role": "follow", "share": "5"},
            status=422,
        )
        assert escape(UNKNOWN_PRODUCER_CODE.format(id="pc:nobody")) in body
        body = post(
            uw,
            txn,
            f"coinsurance/{n}/parties/add",
            {"producer_code": codes[0].public_id, "role": "follow", "share": "5"},
            status=422,
        )
        assert escape(PARTY_ALREADY_ON_AGREEMENT.format(code=codes[0].code)) in body

    def test_edit_a_party(
        self, uw: Client, txn: PolicyTransaction, codes: list[ProducerCode]
    ) -> None:
        agreement = agreement_with_parties(txn, shares=("20", "10"))
        party = CoinsuranceParty.objects.get(producer_code=codes[0])
        edit = f"coinsurance/{agreement.number}/parties/{party.number}/edit"
        checksum = drafts.checksum(party)
        body = post(
            uw, txn, edit, {"role": "lead", "share": "25", "checksum": checksum}
        )
        party.refresh_from_db()
        assert (party.role, party.share) == ("lead", 25)
        assert 'data-testid="share-total">85 %' in body
        body = post(uw, txn, edit, {"role": "lead", "share": "41"}, status=422)
        assert escape(SHARES_OVER_100.format(total="101")) in body
        # A stale form (the party changed since it was drawn) is refused, not applied.
        body = post(
            uw,
            txn,
            edit,
            {"role": "follow", "share": "5", "checksum": checksum},
            status=422,
        )
        assert "does not match the current checksum" in body
        party.refresh_from_db()
        assert party.share == 25


class TestSections:
    def test_associate_and_remove(self, uw: Client, txn: PolicyTransaction) -> None:
        agreement = agreement_with_parties(txn)
        n = agreement.number
        post(uw, txn, f"coinsurance/{n}/sections/add", {"section_type": "PP"})
        assert agreement.sections.count() == 2
        post(uw, txn, f"coinsurance/{n}/sections/PP/remove")
        assert list(agreement.sections.values_list("section_type", flat=True)) == ["MO"]

    def test_a_section_of_another_agreement(
        self, uw: Client, txn: PolicyTransaction
    ) -> None:
        first = agreement_with_parties(txn)
        second = services.create_coinsurance_agreement(
            txn=txn,
            model="administer",
            our_role="lead",
            our_share=Decimal(10),
            section_types=["PP"],
        )
        body = post(
            uw,
            txn,
            f"coinsurance/{second.number}/sections/add",
            {"section_type": "MO"},
            status=422,
        )
        assert (
            escape(SECTION_IN_OTHER_AGREEMENT.format(code="MO", number=first.number))
            in body
        )

    def test_a_removal_that_would_orphan_is_refused(
        self, uw: Client, txn: PolicyTransaction
    ) -> None:
        services.create_coinsurance_agreement(
            txn=txn, model="administer", our_role="lead", our_share=Decimal(10)
        )
        sectioned = agreement_with_parties(txn)
        body = post(
            uw, txn, f"coinsurance/{sectioned.number}/sections/MO/remove", status=422
        )
        assert escape(SECTIONLESS_ON_REMOVE.format(code="MO")) in body
        assert 'data-testid="agreement-error"' in body
        assert sectioned.sections.count() == 1


class TestTowersAndLayers:
    def test_a_tower_with_a_layer_level_agreement(
        self, uw: Client, txn: PolicyTransaction
    ) -> None:
        post(uw, txn, "towers/add", {"section_types": ["PP"]})
        tower = Tower.objects.get()
        t = tower.number
        post(
            uw,
            txn,
            f"towers/{t}/layers/add",
            {"attachment": "0", "limit": "1000000", "currency": "usd"},
        )
        body = post(
            uw,
            txn,
            f"towers/{t}/layers/add",
            {"attachment": "500000", "limit": "1000000", "currency": "usd"},
            status=422,
        )
        layer = Layer.objects.get()
        assert (
            escape(
                LAYERS_OVERLAP.format(
                    bottom=Decimal("500000"),
                    top=Decimal("1500000"),
                    number=layer.number,
                    other_bottom=layer.attachment,
                    other_top=layer.top,
                )
            )
            in body
        )
        body = post(
            uw, txn, f"layers/{layer.number}/coinsurance", {**TERMS, "our_share": "60"}
        )
        assert "Layer level" in body
        assert f"Layer {layer.number} of tower {t}" in body
        agreement = CoinsuranceAgreement.objects.get(layer=layer)
        assert agreement.our_share == 60
        post(uw, txn, f"towers/{t}/sections/add", {"section_type": "BI"})
        assert tower.sections.count() == 2
        post(uw, txn, f"towers/{t}/sections/BI/remove")
        post(uw, txn, f"layers/{layer.number}/delete")
        assert not Layer.objects.exists() and not CoinsuranceAgreement.objects.exists()
        post(uw, txn, f"towers/{t}/delete")
        assert not Tower.objects.exists()

    def test_a_product_without_layers(self, uw: Client, platform: Platform) -> None:
        product = make_property_product(code="no-layers", layers=False)
        txn = draft_submission(platform, product=product)
        message = escape(LAYERS_NOT_SUPPORTED.format(product=product.name))
        assert message in text(uw.get(url(txn, "coinsurance/")))
        assert message in post(uw, txn, "towers/add", {}, status=422)


class TestShareMeter:
    def meter(self, uw: Client, txn: PolicyTransaction, n: int, query: str) -> str:
        return text(uw.get(url(txn, f"coinsurance/{n}/meter?{query}"), headers=htmx()))

    def test_it_adds_what_is_typed_with_the_services_rule(
        self, uw: Client, txn: PolicyTransaction
    ) -> None:
        agreement = agreement_with_parties(txn, our_share="50", shares=("20",))
        n = agreement.number
        body = self.meter(uw, txn, n, "as=new&share=30")
        assert 'data-testid="share-total">100 %' in body
        assert "share-refusal" not in body
        body = self.meter(uw, txn, n, "as=new&share=30.5")
        assert escape(SHARES_OVER_100.format(total="100.5")) in body
        body = self.meter(uw, txn, n, "as=terms&our_share=81")
        assert escape(SHARES_OVER_100.format(total="101")) in body
        party = CoinsuranceParty.objects.get()
        body = self.meter(uw, txn, n, f"as=party-{party.number}&share=5")
        assert 'data-testid="share-total">55 %' in body
        assert escape(NOT_A_NUMBER) in self.meter(uw, txn, n, "as=new&share=abc")
        # The meter's total is the service's total.
        assert share_total(Decimal(50), [Decimal(20), Decimal("30.5")]) == Decimal(
            "100.5"
        )

    def test_the_new_agreement_meter(self, uw: Client, txn: PolicyTransaction) -> None:
        body = text(uw.get(url(txn, "coinsurance/meter?our_share=120")))
        assert escape(SHARES_OVER_100.format(total="120")) in body
        assert 'id="meter-new"' in body

    def test_inputs_are_wired_to_the_meter(
        self, uw: Client, txn: PolicyTransaction
    ) -> None:
        agreement = agreement_with_parties(txn)
        page = text(uw.get(url(txn, "coinsurance/")))
        meter_url = url(txn, f"coinsurance/{agreement.number}/meter")
        assert f'hx-get="{meter_url}?as=new"' in page
        assert f'hx-get="{meter_url}?as=terms"' in page
        assert 'hx-trigger="input changed delay:300ms"' in page
        assert f'hx-target="#meter-{agreement.number}"' in page


class TestReadOnlyAndSearch:
    def test_a_quoted_job_is_read_only(
        self, uw: Client, txn: PolicyTransaction
    ) -> None:
        agreement = agreement_with_parties(txn)
        services.quote_transaction(txn=txn)
        page = text(uw.get(url(txn, "coinsurance/")))
        not_draft = escape(TRANSACTION_NOT_DRAFT.format(status="quoted"))
        assert not_draft in page
        assert "Add party" not in page and "Create agreement" not in page
        assert not_draft in post(
            uw, txn, f"coinsurance/{agreement.number}/delete", status=422
        )
        assert CoinsuranceAgreement.objects.exists()

    def test_producer_code_search(self, uw: Client, codes: list[ProducerCode]) -> None:
        body = text(uw.get("/underwriting/producer-codes?q=harbor"))
        assert codes[1].public_id in body and codes[2].public_id in body
        assert codes[0].public_id not in body
        body = text(uw.get("/underwriting/producer-codes?q=zzz"))
        assert "No producer code matches" in body

    def test_constant_queries_whatever_the_agreements(
        self,
        uw: Client,
        txn: PolicyTransaction,
        codes: list[ProducerCode],
        django_assert_num_queries,
    ) -> None:
        def tower_with_layer() -> None:
            tower = services.create_tower(txn=txn, section_types=())
            services.create_layer(
                tower=tower,
                attachment=services.Money(Decimal(0)),
                limit=services.Money(Decimal(100)),
            )

        agreement_with_parties(txn, shares=("10",))
        tower_with_layer()
        # session, user, the session's authenticator (django-otp), the job, its
        # sections, agreements (with layer and tower), their parties (with producer
        # code and organization), their sections, towers, their layers (with
        # agreement), their sections, producer codes
        with django_assert_num_queries(12):
            text(uw.get(url(txn, "coinsurance/")))
        for section in ("PP", "BI"):
            agreement = services.create_coinsurance_agreement(
                txn=txn,
                model="administer",
                our_role="lead",
                our_share=Decimal(10),
                section_types=[section],
            )
            for code in codes:
                services.add_coinsurance_party(
                    agreement=agreement,
                    producer_code=code,
                    role="follow",
                    share=Decimal(5),
                )
        tower = Tower.objects.get()
        services.create_layer(
            tower=tower,
            attachment=services.Money(Decimal(100)),
            limit=services.Money(Decimal(100)),
        )
        with django_assert_num_queries(12):
            text(uw.get(url(txn, "coinsurance/")))

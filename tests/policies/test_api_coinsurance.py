"""Coinsurance agreements, parties, sections, towers and layers (seed 003), through HTTP."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from coverage.models import Contractor
from policies.models import CoinsuranceAgreement, CoinsuranceParty, ProducerCode
from policies.services.coinsurance import (
    COINSURANCE_NOT_SUPPORTED,
    LAYERS_NOT_SUPPORTED,
    SECTION_ALREADY_HERE,
    SECTION_IN_OTHER_AGREEMENT,
    SECTION_NOT_ON_TRANSACTION,
    SECTIONLESS_ON_CREATE,
    SECTIONLESS_ON_REMOVE,
    SHARES_OVER_100,
    SUFFIX_TOO_LONG,
)
from policies.services.coinsurance_parties import (
    PARTY_ALREADY_ON_AGREEMENT,
    UNKNOWN_PRODUCER_CODE,
)
from policies.services.towers import (
    LAYER_EMPTY,
    LAYER_HAS_NO_AGREEMENT,
    LAYER_WITHOUT_AGREEMENT,
    LAYERS_OVERLAP,
    SECTION_IN_OTHER_TOWER,
)
from tests.policies.conftest import Api, make_property_product, submission_attributes

pytestmark = pytest.mark.django_db

# Seed 003's example request bodies, as written.
SEED_AGREEMENT = {
    "initialPolicySections": [{"sectionType": {"code": "MO"}}],
    "leadersFee": "5.5",
    "model": {"code": "administer"},
    "ourRole": {"code": "lead"},
    "ourShare": "50",
    "policyNumberSuffix": "MotorA",
}
POLICY_LEVEL = {
    "model": {"code": "brokerClaim"},
    "ourRole": {"code": "follow"},
    "ourShare": "40",
}


def party_body(code: ProducerCode, share: str = "5", role: str = "follow") -> dict:
    return {
        "coinsuranceRole": {"code": role},
        "coinsuranceShare": share,
        "producerCode": {"id": code.public_id},
    }


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()["data"]


def error(response, status: int = 400) -> str:
    assert response.status_code == status, response.content
    return response.json()["userMessage"]


def agreement(api: Api, job: str, body: dict | None = None) -> str:
    """Create an agreement; its URL."""
    return created(api.post(f"{job}/coinsurance-agreements", body or SEED_AGREEMENT))[
        "links"
    ]["self"]["href"]


class TestAgreements:
    def test_the_seed_example(self, api: Api, job: str) -> None:
        data = created(api.post(f"{job}/coinsurance-agreements", SEED_AGREEMENT))
        attrs = data["attributes"]
        assert attrs == {
            "id": attrs["id"],
            "level": {"code": "section", "name": "Section"},
            "model": {"code": "administer", "name": "Administer"},
            "ourRole": {"code": "lead", "name": "Lead"},
            "ourShare": "50.00",
            "leadersFee": "5.50",
            "policyNumberSuffix": "MotorA",
            "totalShare": "50.00",
        }
        url = f"{job}/coinsurance-agreements/{attrs['id']}"
        assert data["links"]["self"] == {
            "href": url,
            "methods": ["delete", "get", "patch"],
        }
        assert data["links"]["parties"]["methods"] == ["get", "post"]
        sections = api.get(f"{url}/policy-sections").json()
        assert sections["count"] == 1
        assert sections["data"][0]["attributes"] == {
            "id": "MO",
            "sectionType": {"code": "MO", "name": "Motor"},
        }
        assert (
            sections["data"][0]["links"]["self"]["href"] == f"{url}/policy-sections/MO"
        )
        assert sections["links"]["first"]["href"] == f"{url}/policy-sections"
        assert (
            api.get(f"{url}/policy-sections/MO").json()["data"] == sections["data"][0]
        )

    def test_policy_level_without_sections(self, api: Api, job: str) -> None:
        url = agreement(api, job, POLICY_LEVEL)
        assert api.get(url).json()["data"]["attributes"]["level"] == {
            "code": "policy",
            "name": "Policy",
        }

    def test_patch_our_share_as_the_seed_does(self, api: Api, job: str) -> None:
        url = agreement(api, job)
        response = api.patch(url, {"ourShare": "15.00"})
        assert response.status_code == 200
        assert response.json()["data"]["attributes"]["ourShare"] == "15.00"

    def test_patch_other_terms(self, api: Api, job: str) -> None:
        url = agreement(api, job)
        attrs = api.patch(
            url,
            {
                "model": {"code": "brokerNoClaim"},
                "leadersFee": None,
                "policyNumberSuffix": "",
            },
        ).json()["data"]["attributes"]
        assert attrs["model"]["code"] == "brokerNoClaim"
        assert "leadersFee" not in attrs and "policyNumberSuffix" not in attrs
        assert (
            error(api.patch(url, {"initialPolicySections": []}))
            == "data.attributes.initialPolicySections - Extra inputs are not permitted"
        )
        assert (
            error(api.patch(url, {"ourRole": None}))
            == "data.attributes.ourRole cannot be null."
        )

    def test_delete(
        self, api: Api, job: str, producer_codes: list[ProducerCode]
    ) -> None:
        url = agreement(api, job)
        api.post(f"{url}/parties", party_body(producer_codes[0]))
        assert api.delete(url).status_code == 204
        assert api.get(url).status_code == 404
        assert not CoinsuranceParty.objects.exists()
        # Its section stays on the job, free again.
        assert (
            "coinsuranceAgreement"
            not in api.get(f"{job}/policy-sections/MO").json()["data"]["attributes"]
        )

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                {"ourShare": "abc"},
                'data.attributes.ourShare - Value error, must be a decimal number such as "5.00"',
            ),
            ({"ourShare": "-5"}, "Our share must be between 0 and 100 percent."),
            ({"ourShare": "100.001"}, "Our share must be between 0 and 100 percent."),
            ({"ourShare": "12.345"}, "Our share has at most two decimal places."),
            (
                {"ourShare": "NaN"},
                'data.attributes.ourShare - Value error, must be a decimal number such as "5.00"',
            ),
            (
                {"ourShare": True},
                'data.attributes.ourShare - Value error, must be a decimal number such as "5.00"',
            ),
            (
                {"leadersFee": "101"},
                "The leader's fee must be between 0 and 100 percent.",
            ),
            ({"policyNumberSuffix": "MotorABC9"}, SUFFIX_TOO_LONG),
            (
                {"model": {"code": "share"}},
                "'share' is not a valid CoinsuranceModel code. Use one of: administer, administerNoClaim, brokerClaim, brokerNoClaim.",
            ),
            (
                {"ourRole": {"code": "leader"}},
                "'leader' is not a valid CoinsuranceRole code. Use one of: lead, follow.",
            ),
            (
                {"ourRole": "lead"},
                "data.attributes.ourRole - Input should be a valid dictionary or object to extract fields from",
            ),
            (
                {"initialPolicySections": [{"sectionType": {"code": "BI"}}]},
                "The job has no BI section.",
            ),
        ],
    )
    def test_invalid_agreements(
        self, api: Api, job: str, change: dict, message: str
    ) -> None:
        assert (
            error(api.post(f"{job}/coinsurance-agreements", SEED_AGREEMENT | change))
            == message
        )
        assert not CoinsuranceAgreement.objects.exists()

    def test_an_eight_character_suffix_is_fine(self, api: Api, job: str) -> None:
        agreement(api, job, SEED_AGREEMENT | {"policyNumberSuffix": "MotorABC"})

    def test_missing_fields(self, api: Api, job: str) -> None:
        body = dict(SEED_AGREEMENT)
        del body["ourShare"]
        assert (
            error(api.post(f"{job}/coinsurance-agreements", body))
            == "data.attributes.ourShare - Field required"
        )

    def test_a_product_without_coinsurance_refuses(
        self, api: Api, contractor: Contractor
    ) -> None:
        product = make_property_product(code="plain", coinsurance=False)
        job = created(
            api.post("/job/v1/submissions", submission_attributes(contractor, product))
        )["links"]["self"]["href"]
        response = api.post(f"{job}/coinsurance-agreements", SEED_AGREEMENT)
        assert error(response) == COINSURANCE_NOT_SUPPORTED.format(
            product="Commercial property (plain)"
        )

    def test_only_on_a_draft(self, api: Api, job: str) -> None:
        url = agreement(api, job)
        api.post(f"{job}/quote")
        draft_only = (
            "The job is quoted: its contents can be changed only while it is a draft."
        )
        assert (
            error(api.post(f"{job}/coinsurance-agreements", POLICY_LEVEL)) == draft_only
        )
        assert error(api.patch(url, {"ourShare": "10"})) == draft_only
        assert error(api.delete(url)) == draft_only
        assert api.get(url).json()["data"]["links"]["self"]["methods"] == ["get"]

    def test_stale_checksums(self, api: Api, job: str) -> None:
        data = created(api.post(f"{job}/coinsurance-agreements", SEED_AGREEMENT))
        url = data["links"]["self"]["href"]
        assert (
            api.patch(url, {"ourShare": "20"}, checksum=data["checksum"]).status_code
            == 200
        )
        assert (
            api.patch(url, {"ourShare": "30"}, checksum=data["checksum"]).status_code
            == 409
        )
        assert api.delete(url, **{"GW-Checksum": data["checksum"]}).status_code == 409
        assert api.get(url).json()["data"]["attributes"]["ourShare"] == "20.00"


class TestParties:
    def test_the_seed_example(
        self, api: Api, job: str, producer_codes: list[ProducerCode]
    ) -> None:
        url = agreement(api, job)
        data = created(api.post(f"{url}/parties", party_body(producer_codes[0])))
        attrs = data["attributes"]
        enigma = producer_codes[0].organization
        assert attrs == {
            "coinsuranceRole": {"code": "follow", "name": "Follow"},
            "coinsuranceShare": "5.00",
            "id": attrs["id"],
            "organization": {
                "displayName": "Enigma Fire & Casualty",
                "id": enigma.public_id,
                "type": "Organization",
            },
            "producerCode": {
                "displayName": "QA1PRODUCERCODE01",
                "id": producer_codes[0].public_id,
                "type": "ProducerCode",
            },
        }
        party_url = f"{url}/parties/{attrs['id']}"
        assert data["links"]["self"] == {
            "href": party_url,
            "methods": ["delete", "get", "patch"],
        }
        assert api.get(party_url).json()["data"] == data
        assert api.get(f"{url}/parties").json()["data"] == [data]
        assert api.get(url).json()["data"]["attributes"]["totalShare"] == "55.00"

    def test_shares_never_exceed_100(
        self, api: Api, job: str, producer_codes: list[ProducerCode]
    ) -> None:
        url = agreement(api, job)  # our share: 50
        created(api.post(f"{url}/parties", party_body(producer_codes[0], "30")))
        over = api.post(f"{url}/parties", party_body(producer_codes[1], "20.01"))
        assert error(over) == SHARES_OVER_100.format(total="100.01")
        exactly = created(
            api.post(f"{url}/parties", party_body(producer_codes[1], "20"))
        )
        # Raising our share or a party's share past 100 is refused the same way.
        assert error(api.patch(url, {"ourShare": "50.5"})) == SHARES_OVER_100.format(
            total="100.5"
        )
        party_url = exactly["links"]["self"]["href"]
        assert error(
            api.patch(party_url, {"coinsuranceShare": "21"})
        ) == SHARES_OVER_100.format(total="101")
        # Lowering is fine, and frees room.
        assert api.patch(party_url, {"coinsuranceShare": "10"}).status_code == 200
        assert api.patch(url, {"ourShare": "60"}).status_code == 200
        assert api.get(url).json()["data"]["attributes"]["totalShare"] == "100.00"

    @pytest.mark.parametrize(
        ("share", "message"),
        [
            (
                "abc",
                'data.attributes.coinsuranceShare - Value error, must be a decimal number such as "5.00"',
            ),
            ("-5", "The party's share must be between 0 and 100 percent."),
            ("100.001", "The party's share must be between 0 and 100 percent."),
            ("0.001", "The party's share has at most two decimal places."),
            (
                "Infinity",
                'data.attributes.coinsuranceShare - Value error, must be a decimal number such as "5.00"',
            ),
        ],
    )
    def test_invalid_shares(
        self,
        api: Api,
        job: str,
        producer_codes: list[ProducerCode],
        share: str,
        message: str,
    ) -> None:
        url = agreement(api, job)
        assert (
            error(api.post(f"{url}/parties", party_body(producer_codes[0], share)))
            == message
        )

    def test_invalid_parties(
        self, api: Api, job: str, producer_codes: list[ProducerCode]
    ) -> None:
        url = agreement(api, job)
        unknown = api.post(
            f"{url}/parties",
            party_body(producer_codes[0]) | {"producerCode": {"id": "pc:404"}},
        )
        assert error(unknown) == UNKNOWN_PRODUCER_CODE.format(id="pc:404")
        created(api.post(f"{url}/parties", party_body(producer_codes[0])))
        twice = api.post(f"{url}/parties", party_body(producer_codes[0]))
        assert error(twice) == PARTY_ALREADY_ON_AGREEMENT.format(
            code="QA1PRODUCERCODE01"
        )
        bad_role = api.post(
            f"{url}/parties", party_body(producer_codes[1], role="boss")
        )
        assert (
            error(bad_role)
            == "'boss' is not a valid CoinsuranceRole code. Use one of: lead, follow."
        )

    def test_patch_and_delete(
        self, api: Api, job: str, producer_codes: list[ProducerCode]
    ) -> None:
        url = agreement(api, job)
        data = created(api.post(f"{url}/parties", party_body(producer_codes[0])))
        party_url = data["links"]["self"]["href"]
        patched = api.patch(
            party_url, {"coinsuranceRole": {"code": "lead"}}, checksum=data["checksum"]
        )
        assert patched.json()["data"]["attributes"]["coinsuranceRole"]["code"] == "lead"
        assert (
            api.patch(
                party_url, {"coinsuranceShare": "1"}, checksum=data["checksum"]
            ).status_code
            == 409
        )
        assert (
            api.delete(party_url, **{"GW-Checksum": data["checksum"]}).status_code
            == 409
        )
        assert api.delete(party_url).status_code == 204
        assert api.get(party_url).status_code == 404
        # The seed writes a party id as "pc:1": an id that names nothing is a 404.
        assert api.delete(f"{url}/parties/pc:1").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_parties_racing_past_100_percent(
    requires_postgres: None,
    staff_key: str,
    contractor: Contractor,
    property_product,
    producer_codes: list[ProducerCode],
) -> None:
    api = Api(staff_key)
    job = created(
        api.post(
            "/job/v1/submissions", submission_attributes(contractor, property_product)
        )
    )["links"]["self"]["href"]
    url = agreement(api, job)  # our share: 50
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def add(code: ProducerCode) -> None:
        try:
            client = Api(staff_key)
            barrier.wait()
            statuses.append(
                client.post(f"{url}/parties", party_body(code, "30")).status_code
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=add, args=(code,)) for code in producer_codes[:2]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 400]
    shares = list(CoinsuranceParty.objects.values_list("share", flat=True))
    assert shares == [Decimal("30.00")]


class TestSections:
    def test_associate_and_remove(self, api: Api, job: str) -> None:
        url = agreement(api, job)
        created(api.post(f"{url}/policy-sections", {"sectionType": {"code": "PP"}}))
        codes = [
            s["attributes"]["id"]
            for s in api.get(f"{url}/policy-sections").json()["data"]
        ]
        assert codes == ["MO", "PP"]
        assert api.delete(f"{url}/policy-sections/PP").status_code == 204
        assert api.get(f"{url}/policy-sections/PP").status_code == 404
        assert api.get(f"{job}/policy-sections/PP").status_code == 200

    def test_association_errors(self, api: Api, job: str) -> None:
        url = agreement(api, job)
        other = agreement(api, job, POLICY_LEVEL)
        again = api.post(f"{url}/policy-sections", {"sectionType": {"code": "MO"}})
        assert error(again) == SECTION_ALREADY_HERE.format(
            code="MO", owner="coinsurance agreement"
        )
        taken = api.post(f"{other}/policy-sections", {"sectionType": {"code": "MO"}})
        assert error(taken) == SECTION_IN_OTHER_AGREEMENT.format(
            code="MO", number=url.rsplit("/", 1)[1]
        )
        missing = api.post(f"{url}/policy-sections", {"sectionType": {"code": "BI"}})
        assert error(missing) == SECTION_NOT_ON_TRANSACTION.format(code="BI")
        assert api.delete(f"{url}/policy-sections/PP").status_code == 404

    def test_the_last_section_of_one_agreement_may_go(self, api: Api, job: str) -> None:
        url = agreement(api, job)
        # It becomes a policy-level agreement: the only one without a section.
        assert api.delete(f"{url}/policy-sections/MO").status_code == 204
        assert api.get(url).json()["data"]["attributes"]["level"]["code"] == "policy"

    def test_removing_may_not_leave_two_without_a_section(
        self, api: Api, job: str
    ) -> None:
        agreement(api, job, POLICY_LEVEL)
        url = agreement(api, job)
        response = api.delete(f"{url}/policy-sections/MO")
        assert error(response) == SECTIONLESS_ON_REMOVE.format(code="MO")
        # Nothing changed.
        assert api.get(f"{url}/policy-sections/MO").status_code == 200

    def test_a_second_policy_level_agreement_is_refused(
        self, api: Api, job: str
    ) -> None:
        agreement(api, job, POLICY_LEVEL)
        response = api.post(f"{job}/coinsurance-agreements", POLICY_LEVEL)
        assert error(response) == SECTIONLESS_ON_CREATE.format(
            owner="coinsurance agreement"
        )

    def test_policy_level_covers_what_no_other_agreement_lists(
        self, api: Api, job: str
    ) -> None:
        section_level = agreement(api, job)  # lists MO
        policy_level = agreement(api, job, POLICY_LEVEL)
        covered = {
            s["attributes"]["id"]: [ref["uri"] for ref in s["attributes"]["coveredBy"]]
            for s in api.get(f"{job}/policy-sections").json()["data"]
        }
        assert covered == {"MO": [section_level], "PP": [policy_level]}
        pp = api.get(f"{job}/policy-sections/PP").json()["data"]["attributes"]
        assert pp["coveredBy"][0]["type"] == "CoinsuranceAgreement"
        assert "coinsuranceAgreement" not in pp

    def test_the_policy_form(
        self, api: Api, job: str, producer_codes: list[ProducerCode]
    ) -> None:
        url = agreement(api, job)
        party = created(api.post(f"{url}/parties", party_body(producer_codes[0])))[
            "attributes"
        ]
        number = url.rsplit("/", 1)[1]
        api.post(f"{job}/quote")
        policy = api.post(f"{job}/bind-and-issue").json()["data"]["attributes"][
            "policy"
        ]["uri"]
        base = f"{policy}/coinsurance-agreements/{number}"
        assert api.get(f"{policy}/coinsurance-agreements").json()["count"] == 1
        assert api.get(base).json()["data"]["links"]["self"]["methods"] == ["get"]
        sections = api.get(f"{base}/policy-sections").json()["data"]
        assert [s["links"]["self"]["href"] for s in sections] == [
            f"{base}/policy-sections/MO"
        ]
        assert api.get(f"{base}/policy-sections/MO").status_code == 200
        assert (
            api.get(f"{base}/parties/{party['id']}").json()["data"]["attributes"]
            == party
        )
        assert api.get(f"{base}/parties").json()["count"] == 1
        assert api.patch(base, {"ourShare": "1"}).status_code == 405


class TestTowersAndLayers:
    @pytest.fixture
    def tower(self, api: Api, job: str) -> str:
        body = {"initialPolicySections": [{"sectionType": {"code": "PP"}}]}
        return created(api.post(f"{job}/towers", body))["links"]["self"]["href"]

    LAYER = {
        "attachment": {"amount": "0", "currency": "usd"},
        "limit": {"amount": "1000000", "currency": "usd"},
        "coinsuranceAgreement": {
            "model": {"code": "administer"},
            "ourRole": {"code": "lead"},
            "ourShare": "60",
        },
    }

    def test_a_layer_level_agreement_with_parties(
        self, api: Api, tower: str, producer_codes: list[ProducerCode]
    ) -> None:
        layer = created(api.post(f"{tower}/layers", self.LAYER))
        attrs = layer["attributes"]
        assert attrs["attachment"] == {"amount": "0.00", "currency": "usd"}
        assert attrs["coinsuranceAgreement"]["level"] == {
            "code": "layer",
            "name": "Layer",
        }
        url = layer["links"]["self"]["href"]
        party = created(api.post(f"{url}/parties", party_body(producer_codes[0], "40")))
        assert (
            party["links"]["self"]["href"]
            == f"{url}/parties/{party['attributes']['id']}"
        )
        over = api.post(f"{url}/parties", party_body(producer_codes[1], "0.01"))
        assert error(over) == SHARES_OVER_100.format(total="100.01")
        assert (
            api.get(url).json()["data"]["attributes"]["coinsuranceAgreement"][
                "totalShare"
            ]
            == "100.00"
        )
        # Layer-level agreements are reached through their layer, not listed here.
        job = tower.split("/towers/")[0]
        assert api.get(f"{job}/coinsurance-agreements").json()["count"] == 0
        # The tower's section is covered by the layer's agreement.
        pp = api.get(f"{job}/policy-sections/PP").json()["data"]["attributes"]
        assert [ref["uri"] for ref in pp["coveredBy"]] == [url]
        assert pp["tower"]["uri"] == tower

    def test_layers_do_not_overlap(self, api: Api, tower: str) -> None:
        created(api.post(f"{tower}/layers", self.LAYER))
        overlapping = {
            "attachment": {"amount": "500000"},
            "limit": {"amount": "1000000"},
        }
        first = api.get(f"{tower}/layers").json()["data"][0]["attributes"]["id"]
        assert error(api.post(f"{tower}/layers", overlapping)) == LAYERS_OVERLAP.format(
            bottom="500000",
            top="1500000",
            number=first,
            other_bottom="0.00",
            other_top="1000000.00",
        )
        above = created(
            api.post(
                f"{tower}/layers",
                {"attachment": {"amount": "1000000"}, "limit": {"amount": "4000000"}},
            )
        )
        assert "coinsuranceAgreement" not in above["attributes"]
        assert api.get(f"{tower}/layers").json()["count"] == 2
        assert (
            error(
                api.post(
                    f"{tower}/layers",
                    {"attachment": {"amount": "9000000"}, "limit": {"amount": "0"}},
                )
            )
            == LAYER_EMPTY
        )

    def test_patch_a_layer_and_its_agreement(
        self, api: Api, tower: str, producer_codes: list[ProducerCode]
    ) -> None:
        plain = created(
            api.post(
                f"{tower}/layers",
                {"attachment": {"amount": "0"}, "limit": {"amount": "100"}},
            )
        )
        url = plain["links"]["self"]["href"]
        no_parties = api.post(f"{url}/parties", party_body(producer_codes[0]))
        assert error(no_parties) == LAYER_HAS_NO_AGREEMENT.format(
            number=plain["attributes"]["id"]
        )
        partial = api.patch(url, {"coinsuranceAgreement": {"ourShare": "10"}})
        assert error(partial) == LAYER_WITHOUT_AGREEMENT
        given = api.patch(
            url,
            {
                "limit": {"amount": "200"},
                "coinsuranceAgreement": self.LAYER["coinsuranceAgreement"],
            },
            checksum=plain["checksum"],
        )
        assert given.status_code == 200, given.content
        attrs = given.json()["data"]["attributes"]
        assert attrs["limit"]["amount"] == "200.00"
        assert attrs["coinsuranceAgreement"]["ourShare"] == "60.00"
        # The layer's checksum covers its agreement's terms too.
        assert (
            api.patch(
                url,
                {"coinsuranceAgreement": {"ourShare": "5"}},
                checksum=plain["checksum"],
            ).status_code
            == 409
        )
        assert (
            api.patch(url, {"coinsuranceAgreement": {"ourShare": "5"}}).json()["data"][
                "attributes"
            ]["coinsuranceAgreement"]["ourShare"]
            == "5.00"
        )
        assert api.delete(url).status_code == 204
        assert not CoinsuranceAgreement.objects.exists()

    def test_tower_sections(self, api: Api, job: str, tower: str) -> None:
        created(api.post(f"{tower}/policy-sections", {"sectionType": {"code": "MO"}}))
        assert [
            s["attributes"]["id"]
            for s in api.get(f"{tower}/policy-sections").json()["data"]
        ] == ["MO", "PP"]
        assert api.get(tower).json()["data"]["attributes"]["policySections"] == [
            {"code": "MO", "name": "Motor"},
            {"code": "PP", "name": "Property"},
        ]
        assert api.delete(f"{tower}/policy-sections/MO").status_code == 204
        # A second tower may not take PP; a policy-level agreement can still be the one sectionless thing.
        other = created(
            api.post(
                f"{job}/towers",
                {"initialPolicySections": [{"sectionType": {"code": "MO"}}]},
            )
        )["links"]["self"]["href"]
        taken = api.post(f"{other}/policy-sections", {"sectionType": {"code": "PP"}})
        assert error(taken) == SECTION_IN_OTHER_TOWER.format(
            code="PP", number=tower.rsplit("/", 1)[1]
        )
        agreement(api, job, POLICY_LEVEL)
        last = api.delete(f"{tower}/policy-sections/PP")
        assert error(last) == SECTIONLESS_ON_REMOVE.format(code="PP")

    def test_a_section_in_a_tower_makes_an_agreement_layer_level(
        self, api: Api, job: str, tower: str
    ) -> None:
        url = agreement(api, job)  # lists MO
        assert api.get(url).json()["data"]["attributes"]["level"]["code"] == "section"
        created(api.post(f"{url}/policy-sections", {"sectionType": {"code": "PP"}}))
        assert api.get(url).json()["data"]["attributes"]["level"] == {
            "code": "layer",
            "name": "Layer",
        }

    def test_towers_need_a_product_with_layers(
        self, api: Api, contractor: Contractor
    ) -> None:
        product = make_property_product(code="flat", layers=False)
        job = created(
            api.post("/job/v1/submissions", submission_attributes(contractor, product))
        )["links"]["self"]["href"]
        assert error(api.post(f"{job}/towers")) == LAYERS_NOT_SUPPORTED.format(
            product="Commercial property (flat)"
        )

    def test_a_second_sectionless_tower_is_refused(self, api: Api, job: str) -> None:
        created(api.post(f"{job}/towers"))
        assert error(api.post(f"{job}/towers", {})) == SECTIONLESS_ON_CREATE.format(
            owner="tower"
        )

    def test_delete_a_tower(self, api: Api, job: str, tower: str) -> None:
        created(api.post(f"{tower}/layers", self.LAYER))
        assert api.delete(tower).status_code == 204
        assert api.get(tower).status_code == 404
        assert (
            "tower"
            not in api.get(f"{job}/policy-sections/PP").json()["data"]["attributes"]
        )

    def test_the_policy_form(
        self, api: Api, job: str, tower: str, producer_codes: list[ProducerCode]
    ) -> None:
        layer = created(api.post(f"{tower}/layers", self.LAYER))
        party = created(
            api.post(
                f"{layer['links']['self']['href']}/parties",
                party_body(producer_codes[0]),
            )
        )
        layer = api.get(layer["links"]["self"]["href"]).json()["data"]
        api.post(f"{job}/quote")
        policy = api.post(f"{job}/bind-and-issue").json()["data"]["attributes"][
            "policy"
        ]["uri"]
        tower_url = f"{policy}/towers/{tower.rsplit('/', 1)[1]}"
        layer_url = f"{tower_url}/layers/{layer['attributes']['id']}"
        assert api.get(f"{policy}/towers").json()["count"] == 1
        assert api.get(tower_url).json()["data"]["links"]["self"]["methods"] == ["get"]
        assert api.get(f"{tower_url}/policy-sections/PP").status_code == 200
        assert api.get(f"{tower_url}/policy-sections").json()["count"] == 1
        assert (
            api.get(f"{tower_url}/layers").json()["data"][0]["attributes"]
            == layer["attributes"]
        )
        assert api.get(layer_url).json()["data"]["attributes"] == layer["attributes"]
        assert api.get(f"{layer_url}/parties").json()["count"] == 1
        assert (
            api.get(f"{layer_url}/parties/{party['attributes']['id']}").json()["data"][
                "attributes"
            ]
            == party["attributes"]
        )
        assert api.post(f"{tower_url}/layers", self.LAYER).status_code == 405


def test_the_whole_flow_with_the_demo_ids(api: Api, contractor: Contractor) -> None:
    """Seed 003's party request names producer code pc:2; the demo data ships it."""
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    job = created(
        api.post(
            "/job/v1/submissions",
            {
                "account": {"id": contractor.public_id},
                "product": {"id": "commercial-property"},
                "jobEffectiveDate": "2031-01-01",
                "policySections": [{"sectionType": {"code": "MO"}}],
            },
        )
    )["links"]["self"]["href"]
    url = agreement(api, job)
    seed_party = {
        "coinsuranceRole": {"code": "follow"},
        "coinsuranceShare": "5",
        "producerCode": {"id": "pc:2"},
    }
    party = created(api.post(f"{url}/parties", seed_party))
    assert (
        party["attributes"]["organization"]["displayName"] == "Enigma Fire & Casualty"
    )
    assert party["attributes"]["producerCode"]["displayName"] == "QA1PRODUCERCODE01"


def test_a_party_on_another_jobs_agreement_is_404(
    api: Api,
    job: str,
    contractor: Contractor,
    property_product,
    producer_codes: list[ProducerCode],
) -> None:
    url = agreement(api, job)
    party = created(api.post(f"{url}/parties", party_body(producer_codes[0])))[
        "attributes"
    ]
    other = created(
        api.post(
            "/job/v1/submissions", submission_attributes(contractor, property_product)
        )
    )["links"]["self"]["href"]
    other_agreement = agreement(api, other)
    assert api.get(f"{other_agreement}/parties/{party['id']}").status_code == 404

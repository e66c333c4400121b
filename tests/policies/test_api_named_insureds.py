"""Locations, contacts and location named insureds (seed 002), through HTTP."""

from __future__ import annotations

import pytest

from coverage.models import Contractor
from policies.api.contacts import CONTACT_EITHER_OR
from policies.models import LocationNamedInsured, PolicyContactRole, Product
from policies.services.contents import (
    COMPANY_NEEDS_NAME,
    CONTACT_ALREADY_ON_TRANSACTION,
    CONTACT_NOT_ON_ACCOUNT,
    INVALID_EMAIL,
    LNI_DUPLICATE,
    LNI_IMMUTABLE,
    LNI_MUST_EXIST,
    LNI_NOT_ALLOWED,
    LNI_NOT_DRAFT,
    LNI_NOT_NAMED_INSURED,
    LNI_ONE_PER_LOCATION,
    LOCATION_COUNTRY,
    PERSON_NEEDS_NAME,
    PRIMARY_ROLE_RESERVED,
    SECONDARY_TAKEN,
    SECTION_IN_USE,
)
from tests.policies.conftest import Api, make_property_product, submission_attributes

pytestmark = pytest.mark.django_db

PALOMA = {
    "addressLine1": "1253 Paloma Ave",
    "city": "Arcadia",
    "state": {"code": "CA"},
    "postalCode": "91007",
}


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()["data"]["attributes"]


def add_contact(api: Api, job: str, **attrs) -> str:
    body = {"firstName": "Mike", "lastName": "Sherman", **attrs}
    return created(api.post(f"{job}/contacts", body))["id"]


def associate(api: Api, job: str, contact_id: str, location: str = "1"):
    return api.post(
        f"{job}/locations/{location}/named-insureds", {"contact": {"id": contact_id}}
    )


def error(response, status: int = 400) -> str:
    assert response.status_code == status, response.content
    return response.json()["userMessage"]


def roles_of(api: Api, job: str, contact_id: str) -> list[str]:
    contact = api.get(f"{job}/contacts/{contact_id}").json()["data"]["attributes"]
    return [r["code"] for r in contact["roles"]]


class TestLocations:
    def test_create_list_get(self, api: Api, job: str) -> None:
        location = created(api.post(f"{job}/locations", PALOMA))
        assert location["id"] == "1"
        assert location["displayName"] == "1: 1253 Paloma Ave, Arcadia, CA"
        assert location["state"] == {"code": "CA", "name": "California"}
        listed = api.get(f"{job}/locations").json()
        assert listed["count"] == 1
        assert listed["links"]["create"] == {
            "href": f"{job}/locations",
            "methods": ["post"],
        }
        one = api.get(f"{job}/locations/1").json()["data"]
        assert one["links"]["named-insureds"]["methods"] == ["get", "post"]
        assert api.get(f"{job}/locations?filter=city:eq:Arcadia").json()["count"] == 1
        assert api.get(f"{job}/locations?filter=state:eq:NJ").json()["count"] == 0

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"state": {"code": "XX"}}, "XX is not a US state code."),
            ({"city": " "}, "The city is required."),
            ({"postalCode": "9" * 21}, "The postal code is at most 20 characters."),
            ({"country": {"code": "FR"}}, LOCATION_COUNTRY),
            ({"city": 5}, "data.attributes.city - Input should be a valid string"),
            (
                {"city": "A\x00B"},
                "data.attributes.city - Value error, must not contain NUL characters",
            ),
        ],
    )
    def test_invalid_locations(
        self, api: Api, job: str, change: dict, message: str
    ) -> None:
        assert error(api.post(f"{job}/locations", PALOMA | change)) == message

    @pytest.mark.parametrize("location", ["9", "abc", "pc:1", "1" * 30])
    def test_unknown_location_is_404(self, api: Api, job: str, location: str) -> None:
        api.post(f"{job}/locations", PALOMA)
        assert api.get(f"{job}/locations/{location}").status_code == 404
        assert api.get(f"{job}/locations/{location}/named-insureds").status_code == 404


class TestContacts:
    def test_roles_default_and_given(self, api: Api, job: str) -> None:
        plain = add_contact(api, job)
        assert roles_of(api, job, plain) == ["policyInvolvedParty"]
        company = created(
            api.post(
                f"{job}/contacts",
                {
                    "contactSubtype": "Company",
                    "companyName": "Sherman Holdings",
                    "emailAddress1": "ops@sherman.example",
                    "roles": [
                        {"code": "additionalInsured"},
                        {"code": "secondaryNamedInsured"},
                    ],
                },
            )
        )
        assert company["displayName"] == "Sherman Holdings"
        assert [r["code"] for r in company["roles"]] == [
            "additionalInsured",
            "secondaryNamedInsured",
        ]
        assert api.get(f"{job}/contacts").json()["count"] == 3  # with the insured
        assert (
            api.get(f"{job}/contacts?filter=companyName:cn:holdings").json()["count"]
            == 1
        )

    @pytest.mark.parametrize(
        ("attrs", "message"),
        [
            ({"lastName": ""}, PERSON_NEEDS_NAME),
            ({"contactSubtype": "Company"}, COMPANY_NEEDS_NAME),
            (
                {"contactSubtype": "Robot"},
                "'Robot' is not a valid Contact code. Use one of: Person, Company.",
            ),
            ({"emailAddress1": "not-an-email"}, INVALID_EMAIL),
            (
                {"roles": [{"code": "primaryNamedInsured"}]},
                PRIMARY_ROLE_RESERVED,
            ),
            (
                {"roles": [{"code": "king"}]},
                "'king' is not a valid PolicyContactRole code. Use one of: primaryNamedInsured, secondaryNamedInsured, additionalNamedInsured, additionalInsured, policyInvolvedParty.",
            ),
            (
                {"roles": "additionalInsured"},
                "data.attributes.roles - Input should be a valid list",
            ),
        ],
    )
    def test_invalid_contacts(
        self, api: Api, job: str, attrs: dict, message: str
    ) -> None:
        body = {"firstName": "Mike", "lastName": "Sherman"} | attrs
        assert error(api.post(f"{job}/contacts", body)) == message

    def test_one_secondary_named_insured(self, api: Api, job: str) -> None:
        add_contact(api, job, roles=[{"code": "secondaryNamedInsured"}])
        response = api.post(
            f"{job}/contacts",
            {"lastName": "Other", "roles": [{"code": "secondaryNamedInsured"}]},
        )
        assert error(response) == SECONDARY_TAKEN

    def test_an_account_contact_joins_another_job(
        self, api: Api, job: str, contractor: Contractor, property_product: Product
    ) -> None:
        contact_id = add_contact(api, job)
        other = created(
            api.post(
                "/job/v1/submissions",
                submission_attributes(contractor, property_product),
            )
        )
        other_job = f"/job/v1/jobs/{other['id']}"
        added = created(
            api.post(
                f"{other_job}/contacts",
                {
                    "accountContact": {"id": contact_id},
                    "roles": [{"code": "additionalInsured"}],
                },
            )
        )
        assert added["id"] == contact_id
        again = api.post(
            f"{other_job}/contacts", {"accountContact": {"id": contact_id}}
        )
        assert error(again) == CONTACT_ALREADY_ON_TRANSACTION
        both = api.post(
            f"{other_job}/contacts",
            {"accountContact": {"id": contact_id}, "lastName": "X"},
        )
        assert error(both) == CONTACT_EITHER_OR
        unknown = api.post(
            f"{other_job}/contacts", {"accountContact": {"id": "pc:nobody"}}
        )
        assert error(unknown) == CONTACT_NOT_ON_ACCOUNT

    def test_another_accounts_contact_cannot_join(
        self, api: Api, job: str, platform, property_product: Product
    ) -> None:
        from tests.policies.helpers import make_contractor

        contact_id = add_contact(api, job)
        stranger = make_contractor(platform, email="someone@example.com")
        other = created(
            api.post(
                "/job/v1/submissions", submission_attributes(stranger, property_product)
            )
        )
        response = api.post(
            f"/job/v1/jobs/{other['id']}/contacts",
            {"accountContact": {"id": contact_id}},
        )
        assert error(response) == CONTACT_NOT_ON_ACCOUNT

    def test_unknown_contact_is_404(self, api: Api, job: str) -> None:
        assert api.get(f"{job}/contacts/pc:nobody").status_code == 404


class TestLocationNamedInsureds:
    @pytest.fixture
    def job(self, job: str, api: Api) -> str:
        created(api.post(f"{job}/locations", PALOMA))
        return job

    def test_the_seed_example(self, api: Api, job: str) -> None:
        contact_id = add_contact(api, job)
        association = created(associate(api, job, contact_id))
        assert association["contact"] == {
            "displayName": "Mike Sherman",
            "id": contact_id,
            "type": "PolicyContact",
            "uri": f"{job}/contacts/{contact_id}",
        }
        listed = api.get(f"{job}/locations/1/named-insureds").json()
        assert listed["count"] == 1
        element = listed["data"][0]
        assert element["attributes"] == association
        href = f"{job}/locations/1/named-insureds/{association['id']}"
        assert element["links"]["self"] == {"href": href, "methods": ["delete", "get"]}
        assert api.get(href).json()["data"] == element

    def test_associating_gives_the_additional_named_insured_role_and_deleting_keeps_it(
        self, api: Api, job: str
    ) -> None:
        contact_id = add_contact(api, job)
        lni = created(associate(api, job, contact_id))
        assert roles_of(api, job, contact_id) == [
            "additionalNamedInsured",
            "policyInvolvedParty",
        ]
        response = api.delete(f"{job}/locations/1/named-insureds/{lni['id']}")
        assert response.status_code == 204
        assert api.get(f"{job}/locations/1/named-insureds").json()["count"] == 0
        # The contact and the location stay, and so does the role.
        assert roles_of(api, job, contact_id) == [
            "additionalNamedInsured",
            "policyInvolvedParty",
        ]
        assert api.get(f"{job}/locations/1").status_code == 200

    def test_an_existing_additional_named_insured_keeps_one_role(
        self, api: Api, job: str
    ) -> None:
        contact_id = add_contact(api, job, roles=[{"code": "additionalNamedInsured"}])
        created(associate(api, job, contact_id))
        assert roles_of(api, job, contact_id) == ["additionalNamedInsured"]
        assert (
            PolicyContactRole.objects.filter(role="additionalNamedInsured").count() == 1
        )

    def test_contact_must_exist_on_the_job(
        self, api: Api, job: str, contractor: Contractor, property_product: Product
    ) -> None:
        assert error(associate(api, job, "pc:nobody")) == LNI_MUST_EXIST
        other = created(
            api.post(
                "/job/v1/submissions",
                submission_attributes(contractor, property_product),
            )
        )
        elsewhere = add_contact(api, f"/job/v1/jobs/{other['id']}")
        assert error(associate(api, job, elsewhere)) == LNI_MUST_EXIST
        assert not LocationNamedInsured.objects.exists()

    def test_location_must_exist_on_the_job(self, api: Api, job: str) -> None:
        contact_id = add_contact(api, job)
        assert associate(api, job, contact_id, location="2").status_code == 404

    def test_not_the_primary_or_secondary_named_insured(
        self, api: Api, job: str
    ) -> None:
        contacts = api.get(f"{job}/contacts").json()["data"]
        insured = contacts[0]["attributes"]["id"]
        assert error(associate(api, job, insured)) == LNI_NOT_NAMED_INSURED
        secondary = add_contact(api, job, roles=[{"code": "secondaryNamedInsured"}])
        assert error(associate(api, job, secondary)) == LNI_NOT_NAMED_INSURED

    @pytest.mark.parametrize(
        "steps", [["quote"], ["quote", "bind-and-issue"], ["withdraw"]]
    )
    def test_only_on_a_draft_job(self, api: Api, job: str, steps: list[str]) -> None:
        contact_id = add_contact(api, job)
        for step in steps:
            api.post(f"{job}/{step}")
        assert error(associate(api, job, contact_id)) == LNI_NOT_DRAFT

    def test_deleting_needs_a_draft_job_too(self, api: Api, job: str) -> None:
        lni = created(associate(api, job, add_contact(api, job)))
        api.post(f"{job}/quote")
        response = api.delete(f"{job}/locations/1/named-insureds/{lni['id']}")
        assert (
            error(response)
            == "The job is quoted: its contents can be changed only while it is a draft."
        )

    def test_nothing_about_an_association_can_change(self, api: Api, job: str) -> None:
        lni = created(associate(api, job, add_contact(api, job)))
        url = f"{job}/locations/1/named-insureds/{lni['id']}"
        assert error(api.patch(url, {"contact": {"id": "pc:else"}})) == LNI_IMMUTABLE
        assert api.patch(f"{job}/locations/1/named-insureds/99", {}).status_code == 404

    def test_a_contact_once_per_location(self, api: Api, job: str) -> None:
        contact_id = add_contact(api, job)
        created(associate(api, job, contact_id))
        assert error(associate(api, job, contact_id)) == LNI_DUPLICATE

    def test_many_per_location(self, api: Api, job: str) -> None:
        for name in ("One", "Two", "Three"):
            created(associate(api, job, add_contact(api, job, lastName=name)))
        assert api.get(f"{job}/locations/1/named-insureds").json()["count"] == 3

    def make_job(self, api: Api, contractor: Contractor, setting: str) -> str:
        product = make_property_product(code=f"p-{setting}", named_insureds=setting)
        job = created(
            api.post("/job/v1/submissions", submission_attributes(contractor, product))
        )
        url = f"/job/v1/jobs/{job['id']}"
        created(api.post(f"{url}/locations", PALOMA))
        return url

    def test_one_per_location(self, api: Api, contractor: Contractor) -> None:
        job = self.make_job(api, contractor, Product.NamedInsureds.ONE)
        created(associate(api, job, add_contact(api, job)))
        second = associate(api, job, add_contact(api, job, lastName="Two"))
        assert error(second) == LNI_ONE_PER_LOCATION
        # Another location may have its own.
        oak = created(
            api.post(f"{job}/locations", PALOMA | {"addressLine1": "2 Oak St"})
        )
        created(
            associate(
                api, job, add_contact(api, job, lastName="Three"), location=oak["id"]
            )
        )

    def test_not_allowed_by_the_product(self, api: Api, contractor: Contractor) -> None:
        job = self.make_job(api, contractor, Product.NamedInsureds.NONE)
        response = associate(api, job, add_contact(api, job))
        assert error(response) == LNI_NOT_ALLOWED.format(
            product="Commercial property (p-none)"
        )

    def test_the_policy_form(self, api: Api, job: str) -> None:
        contact_id = add_contact(api, job)
        lni = created(associate(api, job, contact_id))
        api.post(f"{job}/quote")
        policy = api.post(f"{job}/bind-and-issue").json()["data"]["attributes"][
            "policy"
        ]["uri"]
        listed = api.get(f"{policy}/locations/1/named-insureds").json()
        element = listed["data"][0]
        assert element["attributes"]["id"] == lni["id"]
        assert (
            element["attributes"]["contact"]["uri"] == f"{policy}/contacts/{contact_id}"
        )
        assert element["links"]["self"]["methods"] == ["get"]
        one = api.get(f"{policy}/locations/1/named-insureds/{lni['id']}").json()["data"]
        assert one == element
        assert "create" not in listed["links"]
        # The policy's contents change only through a job.
        assert (
            api.post(
                f"{policy}/locations/1/named-insureds", {"contact": {"id": contact_id}}
            ).status_code
            == 405
        )
        assert (
            api.delete(f"{policy}/locations/1/named-insureds/{lni['id']}").status_code
            == 405
        )

    def test_checksum_guards_the_delete(self, api: Api, job: str) -> None:
        lni = api.post(
            f"{job}/locations/1/named-insureds",
            {"contact": {"id": add_contact(api, job)}},
        ).json()["data"]
        url = lni["links"]["self"]["href"]
        response = api.delete(url, **{"GW-Checksum": "0" * 32})
        assert response.status_code == 409
        assert LocationNamedInsured.objects.count() == 1
        assert api.delete(url, **{"GW-Checksum": lni["checksum"]}).status_code == 204


class TestSections:
    def test_add_list_delete(self, api: Api, job: str) -> None:
        section = created(
            api.post(f"{job}/policy-sections", {"sectionType": {"code": "BI"}})
        )
        assert section["sectionType"] == {"code": "BI", "name": "Business interruption"}
        codes = [
            s["attributes"]["id"]
            for s in api.get(f"{job}/policy-sections").json()["data"]
        ]
        assert codes == ["BI", "MO", "PP"]
        assert api.get(f"{job}/policy-sections/BI").status_code == 200
        assert api.delete(f"{job}/policy-sections/BI").status_code == 204
        assert api.get(f"{job}/policy-sections/BI").status_code == 404

    @pytest.mark.parametrize(
        ("code", "message"),
        [
            ("PP", "The job already has a Property (PP) section."),
            (
                "WC",
                "The product Commercial property (commercial-property) has no Workers' compensation (WC) section.",
            ),
            ("ZZ", "Unknown section type: ZZ."),
        ],
    )
    def test_invalid_sections(
        self, api: Api, job: str, code: str, message: str
    ) -> None:
        assert (
            error(api.post(f"{job}/policy-sections", {"sectionType": {"code": code}}))
            == message
        )

    def test_a_section_in_use_cannot_be_deleted(self, api: Api, job: str) -> None:
        created(
            api.post(
                f"{job}/coinsurance-agreements",
                {
                    "initialPolicySections": [{"sectionType": {"code": "PP"}}],
                    "model": {"code": "administer"},
                    "ourRole": {"code": "lead"},
                    "ourShare": "50",
                },
            )
        )
        response = api.delete(f"{job}/policy-sections/PP")
        assert error(response) == SECTION_IN_USE.format(
            code="PP", owner="a coinsurance agreement"
        )

"""/api/v1 entities, contractors, jobs and category codes through HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coverage.api.inputs import NO_SUCH
from coverage.models import CategoryCode, Contractor, Entity, WorkJob
from coverage.services import create_invoice
from coverage.services.contractors import DUPLICATE_EMAIL
from coverage.services.entities import LIMIT_TOO_LOW
from coverage.services.jobs import INVOICE_EXISTS, JOB_IS_USED, WAGE_OUT_OF_RANGE
from coverage.services.terms import CATEGORY_NOT_APPROVED, MISSING_CATEGORY
from policies.models import PolicyStatus
from tests.conftest import field_errors
from tests.coverage.helpers import ApiClient, bound_policy, event_types

pytestmark = pytest.mark.django_db

ADDRESS = {
    "line1": "1 Main St",
    "locality": "Newark",
    "region": "nj",
    "postalcode": 7102,
    "country": "US",
}


class TestEntities:
    def test_create_accepts_the_sdks_string_limits_and_flat_coverage(
        self, api: ApiClient
    ) -> None:
        response = api.post(
            "/entities",
            {
                "name": "Harbor Property Group",
                "address": ADDRESS,
                "coverage_limit": {
                    "aggregate_limit": "200000000",
                    "occurrence_limit": "100000000",
                },
                "required_coverage": ["general", "workers-comp"],
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["id"].startswith("en_")
        assert isinstance(body["created"], int)
        assert body["coverage_limit"] == {
            "aggregate_limit": 200000000,
            "occurrence_limit": 100000000,
        }
        assert body["required_coverage"] == ["general", "workers-comp"]
        assert body["address"] == {
            "line1": "1 Main St",
            "line2": None,
            "locality": "Newark",
            "region": "NJ",
            "postalcode": "7102",
            "country": "US",
        }

    def test_create_accepts_the_older_object_form_of_required_coverage(
        self, api: ApiClient
    ) -> None:
        response = api.post(
            "/entities",
            {"name": "Old docs", "required_coverage": {"coverage_type": ["general"]}},
        )
        assert response.json()["required_coverage"] == ["general"]

    def test_limits_below_ten_dollars_are_refused(self, api: ApiClient) -> None:
        response = api.post(
            "/entities",
            {"name": "Cheap", "coverage_limit": {"aggregate_limit": 999}},
        )
        assert response.status_code == 400
        assert field_errors(response.json()) == {
            "message": {"coverage_limit.aggregate_limit": LIMIT_TOO_LOW},
            "error_code": "invalid_input",
        }

    def test_put_is_partial_and_delete_hides_it(
        self, api: ApiClient, entity: Entity
    ) -> None:
        response = api.put(f"/entities/{entity.public_id}", {"name": "Renamed"})
        assert response.json()["name"] == "Renamed"
        assert response.json()["address"]["region"] == "NJ"
        gone = api.delete(f"/entities/{entity.public_id}").json()
        assert gone["id"] == entity.public_id
        assert gone["object"] == "entity" and gone["deleted"] is True
        assert isinstance(gone["deleted_at"], int)
        assert api.get(f"/entities/{entity.public_id}").status_code == 404


class TestContractors:
    body = {
        "first_name": "Terry",
        "last_name": "Tech",
        "email": "Terry@Example.com",
        "phone": "415-474-9088",
        "address": ADDRESS,
        "tax_identification": "12-3456789",
        "custom_metadata": {"tech_id": "T-17"},
    }

    def test_create_returns_the_contractor_without_its_tax_id(
        self, api: ApiClient
    ) -> None:
        response = api.post("/contractors", self.body)
        assert response.status_code == 201
        body = response.json()
        assert body["id"].startswith("cn_")
        assert body["email"] == "Terry@Example.com"
        assert body["middle_name"] is None
        assert body["custom_metadata"] == {"tech_id": "T-17"}
        assert body["withhold_premium"] is False
        assert "tax_identification" not in body
        assert Contractor.objects.get().tax_identification == "12-3456789"

    def test_duplicate_email_is_refused_whatever_its_case(self, api: ApiClient) -> None:
        api.post("/contractors", self.body)
        response = api.post("/contractors", {**self.body, "email": "terry@example.COM"})
        assert response.status_code == 400
        assert response.json() == {
            "message": DUPLICATE_EMAIL,
            "error_code": "duplicate_email",
        }

    def test_the_same_email_is_fine_on_another_platform(
        self, api: ApiClient, other_api: ApiClient
    ) -> None:
        assert api.post("/contractors", self.body).status_code == 201
        assert other_api.post("/contractors", self.body).status_code == 201

    def test_changing_to_a_taken_email_is_a_duplicate(self, api: ApiClient) -> None:
        api.post("/contractors", self.body)
        other = api.post("/contractors", {**self.body, "email": "pat@example.com"})
        response = api.put(
            f"/contractors/{other.json()['id']}", {"email": "TERRY@example.com"}
        )
        assert response.json()["error_code"] == "duplicate_email"

    def test_invalid_email_and_missing_names_are_field_errors(
        self, api: ApiClient
    ) -> None:
        bad = api.post("/contractors", {**self.body, "email": "not-an-email"})
        assert bad.status_code == 400
        assert bad.json()["fields"] == {"email": "Enter a valid email address."}
        missing = api.post("/contractors", {"email": "x@example.com"})
        assert missing.status_code == 400
        assert set(missing.json()["fields"]) == {"first_name", "last_name"}

    def test_metadata_update_unsets_empty_keys_and_clears_on_empty_object(
        self, api: ApiClient
    ) -> None:
        cn = api.post(
            "/contractors", {**self.body, "custom_metadata": {"a": "1", "b": "2"}}
        ).json()["id"]
        changed = api.put(f"/contractors/{cn}", {"custom_metadata": {"a": "", "c": 3}})
        assert changed.json()["custom_metadata"] == {"b": "2", "c": 3}
        cleared = api.put(f"/contractors/{cn}", {"custom_metadata": {}})
        assert cleared.json()["custom_metadata"] == {}

    def test_email_filter_is_exact(self, api: ApiClient) -> None:
        api.post("/contractors", self.body)
        api.post("/contractors", {**self.body, "email": "pat@example.com"})
        found = api.get("/contractors?email=pat@example.com").json()
        assert [c["email"] for c in found] == ["pat@example.com"]
        assert api.get("/contractors?email=PAT@example.com").json() == []

    def test_too_long_values_are_400_not_500(self, api: ApiClient) -> None:
        response = api.post("/contractors", {**self.body, "first_name": "x" * 500})
        assert response.status_code == 400
        assert "first_name" in response.json()["message"]

    def test_delete_cancels_active_policies_and_frees_the_email(
        self,
        api: ApiClient,
        contractor: Contractor,
        category: CategoryCode,
        platform,
    ) -> None:
        policy = bound_policy(contractor, category=category)
        response = api.delete(f"/contractors/{contractor.public_id}")
        assert response.json()["object"] == "contractor"
        policy.refresh_from_db()
        assert policy.status == PolicyStatus.CANCELLED
        assert event_types(platform) == ["policy.cancelled"]
        assert api.get(f"/contractors/{contractor.public_id}").status_code == 404
        again = api.post("/contractors", {**self.body, "email": contractor.email})
        assert again.status_code == 201


class TestJobs:
    def body(self, entity: Entity, category: CategoryCode) -> dict:
        return {
            "name": "Office cleaning",
            "description": "Nightly janitorial service",
            "entity": entity.public_id,
            "category_code": category.public_id,
            "wage": 20000,
            "wage_type": "flatfee",
            "address": ADDRESS,
            "custom_metadata": {"purchase_order_number": "PO-1"},
            "years_experience": 2,
            "duration_hours": 20,  # the SDK's example sends it: hours an hourly job takes
        }

    def test_create(
        self, api: ApiClient, entity: Entity, category: CategoryCode
    ) -> None:
        response = api.post("/jobs", self.body(entity, category))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["id"].startswith("jb_")
        assert body["entity"] == entity.public_id
        assert body["category_code"] == category.public_id
        assert body["wage"] == 20000 and body["wage_type"] == "flatfee"
        assert body["address"]["region"] == "NJ"
        assert body["duration_hours"] == 20

    def test_a_remote_job_has_no_address(
        self, api: ApiClient, entity: Entity, category: CategoryCode
    ) -> None:
        body = self.body(entity, category)
        del body["address"]
        assert api.post("/jobs", body).json()["address"] is None

    @pytest.mark.parametrize(
        ("change", "status", "code", "message"),
        [
            (
                {"category_code": None},
                400,
                "missing_job_category_code",
                MISSING_CATEGORY,
            ),
            (
                {"category_code": "jc_unknown"},
                400,
                "invalid_job_category_code",
                "No valid job category code: jc_unknown",
            ),
            (
                {"entity": "en_unknown"},
                404,
                "invalid_entity_id",
                NO_SUCH.format(what="entity", id="en_unknown"),
            ),
            ({"wage": 99}, 400, "invalid_input", {"wage": WAGE_OUT_OF_RANGE}),
            ({"wage": 10**12}, 400, "invalid_input", {"wage": WAGE_OUT_OF_RANGE}),
            (
                {"address": {"line1": "x"}},
                400,
                "invalid_input",
                {
                    "address.region": "An address needs its region (two-letter state code)."
                },
            ),
            (
                {"address": {"region": "XX"}},
                400,
                "invalid_input",
                {"address.region": "'XX' is not a two-letter US state code."},
            ),
        ],
        ids=[
            "no-category",
            "unknown-category",
            "unknown-entity",
            "wage-low",
            "wage-high",
            "no-region",
            "bad-region",
        ],
    )
    def test_refusals(
        self,
        api: ApiClient,
        entity: Entity,
        category: CategoryCode,
        change: dict,
        status: int,
        code: str,
        message: object,
    ) -> None:
        response = api.post("/jobs", {**self.body(entity, category), **change})
        assert response.status_code == status
        body = response.json()
        if isinstance(message, dict):
            body = field_errors(body)
        assert body == {"message": message, "error_code": code}

    def test_a_category_not_approved_for_the_platform(
        self, api: ApiClient, entity: Entity
    ) -> None:
        unapproved = CategoryCode.objects.create(name="Demolition")
        response = api.post("/jobs", self.body(entity, unapproved))
        assert response.json() == {
            "message": CATEGORY_NOT_APPROVED.format(code=unapproved.public_id),
            "error_code": "job_category_not_approved",
        }

    def test_another_platforms_entity_is_unknown(
        self, api: ApiClient, other_platform, category: CategoryCode
    ) -> None:
        theirs = Entity.objects.create(platform=other_platform, name="Theirs")
        response = api.post("/jobs", self.body(theirs, category))
        assert response.status_code == 404
        assert response.json()["error_code"] == "invalid_entity_id"

    def test_put_and_delete(self, api: ApiClient, job: WorkJob) -> None:
        response = api.put(f"/jobs/{job.public_id}", {"wage": 30000})
        assert response.json()["wage"] == 30000
        assert response.json()["name"] == job.name
        assert api.delete(f"/jobs/{job.public_id}").json()["deleted"] is True
        assert api.get(f"/jobs/{job.public_id}").status_code == 404

    def test_a_job_with_an_assignment_cannot_be_deleted(
        self, api: ApiClient, job: WorkJob, contractor: Contractor
    ) -> None:
        api.post(
            "/assignments", {"contractor": contractor.public_id, "job": job.public_id}
        )
        response = api.delete(f"/jobs/{job.public_id}")
        assert response.json() == {"message": JOB_IS_USED, "error_code": "job_is_used"}

    def test_a_job_with_an_invoice_cannot_be_edited(
        self, api: ApiClient, job: WorkJob, contractor: Contractor, category
    ) -> None:
        bound_policy(contractor, category=category)
        now = timezone.now()
        create_invoice(
            contractor=contractor,
            job=job,
            gross_pay=100000,
            paycycle_start=now - timedelta(days=7),
            paycycle_end=now,
        )
        response = api.put(f"/jobs/{job.public_id}", {"wage": 1000})
        assert response.json() == {
            "message": INVOICE_EXISTS,
            "error_code": "invoice_exists",
        }


class TestCategoryCodes:
    def test_only_codes_approved_for_the_platform(
        self, api: ApiClient, category: CategoryCode
    ) -> None:
        CategoryCode.objects.create(name="Not yours")
        assert api.get("/category_codes").json() == [
            {"category_code": category.public_id, "name": category.name}
        ]

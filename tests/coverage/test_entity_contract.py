"""A customer's contract requirements (issue 12): set through /api/v1/entities, judged by
eligibility on the dispatch's lines, printed on the GL certificate, re-deciding live
dispatches when they change."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from coverage.models import Certificate, Contractor, Entity, WorkJob
from coverage.services import contract
from coverage.services.dates import next_day
from coverage.services.eligibility import ENTITY_REQUIREMENT_UNMET
from policies.models import Policy
from tests.conftest import field_errors
from tests.coverage.certificate_helpers import (
    HOLDER_NAME,
    addressed_contractor,
    addressed_entity,
    addressed_job,
    stored_text,
    window_text,
)
from tests.coverage.helpers import GL, WC, ApiClient, bound_policy

pytestmark = pytest.mark.django_db

OWNER = {
    "name": "Weehawken Harbor Owner LLC",
    "address": {
        "line1": "1 Pier Road",
        "locality": "Weehawken",
        "region": "nj",
        "postalcode": "07086",
    },
}
MANAGER = {
    "name": "Hudson Facilities Co",
    "address": {"line1": "9 Park Avenue", "locality": "Hoboken", "region": "NJ"},
}
HOLDER = {"name": "Harbor Risk Department", "address": {"locality": "Newark"}}
CONTRACT: dict[str, Any] = {
    "additional_insureds": [OWNER, MANAGER],
    "waiver_of_subrogation": True,
    "primary_non_contributory": True,
    "certificate_holder": HOLDER,
    "minimum_limits": {"workers-comp": {"el_each_accident": 1_000_000_00}},
}


def unmet(requirement: str) -> str:
    return ENTITY_REQUIREMENT_UNMET.format(requirement=requirement)


@pytest.fixture
def contractor(platform) -> Contractor:
    return addressed_contractor(platform)


@pytest.fixture
def entity(platform) -> Entity:
    return addressed_entity(platform)


@pytest.fixture
def job(platform, category, entity: Entity) -> WorkJob:
    return addressed_job(platform, category=category, entity=entity)


_windows = itertools.count()


def dispatch(api: ApiClient, contractor: Contractor, job: WorkJob, **extra: Any):
    # Each dispatch its own day: the same tech on the same job twice for one window
    # is a duplicate dispatch (refused, issue 14).
    start = next_day(timezone.now()) + timedelta(days=2 * next(_windows))
    window = {
        "effective_date": int(start.timestamp()),
        "end_date": int((start + timedelta(days=1)).timestamp()),
    }
    response = api.post(
        "/assignments",
        {"contractor": contractor.public_id, "job": job.public_id, **window, **extra},
    )
    assert response.status_code == 201, response.content
    return response.json()


class TestTheApi:
    def test_it_creates_and_reads_back_every_contract_field(
        self, api: ApiClient
    ) -> None:
        response = api.post("/entities", {"name": "Harbor Property Group", **CONTRACT})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["additional_insureds"] == [
            {
                "name": OWNER["name"],
                # The region is normalised like every address the API takes.
                "address": {**OWNER["address"], "region": "NJ"},
            },
            MANAGER,
        ]
        assert body["waiver_of_subrogation"] is True
        assert body["primary_non_contributory"] is True
        assert body["certificate_holder"] == HOLDER
        assert body["minimum_limits"] == {
            "workers-comp": {"el_each_accident": 1_000_000_00}
        }
        assert api.get(f"/entities/{body['id']}").json() == body

    def test_an_entity_without_them_reads_empty(self, api: ApiClient) -> None:
        body = api.post("/entities", {"name": "Plain Customer"}).json()
        assert (
            body["additional_insureds"],
            body["waiver_of_subrogation"],
            body["primary_non_contributory"],
            body["certificate_holder"],
            body["minimum_limits"],
        ) == ([], False, False, None, {})

    def test_an_update_changes_only_what_it_sends(self, api: ApiClient) -> None:
        created = api.post("/entities", {"name": "Harbor", **CONTRACT}).json()
        updated = api.put(
            f"/entities/{created['id']}",
            {"waiver_of_subrogation": False, "certificate_holder": None},
        ).json()
        assert updated["waiver_of_subrogation"] is False
        assert updated["certificate_holder"] is None
        assert updated["additional_insureds"] == created["additional_insureds"]
        assert updated["primary_non_contributory"] is True

    @pytest.mark.parametrize(
        ("sent", "field", "message"),
        [
            (
                {"additional_insureds": [{"address": {"line1": "x"}}]},
                "additional_insureds",
                contract.NOT_A_PARTY,
            ),
            (
                {
                    "additional_insureds": [
                        OWNER,
                        {**OWNER, "name": OWNER["name"].upper()},
                    ]
                },
                "additional_insureds",
                contract.DUPLICATE_PARTY.format(name=OWNER["name"].upper()),
            ),
            (
                {"additional_insureds": [{"name": f"Party {n}"} for n in range(11)]},
                "additional_insureds",
                contract.TOO_MANY_PARTIES,
            ),
            (
                {"certificate_holder": {"name": "X", "address": {"region": "ZZ"}}},
                "certificate_holder",
                contract.BAD_STATE.format(value="ZZ"),
            ),
            (
                {"certificate_holder": {"name": "  "}},
                "certificate_holder",
                contract.NOT_A_PARTY,
            ),
            (
                {"minimum_limits": {"umbrella": {"each_occurrence": 100_000}}},
                "minimum_limits",
                contract.UNKNOWN_LIMIT_LINE.format(line="umbrella"),
            ),
            (
                {"minimum_limits": {"general": {"each_occurrence": 2_000_000_00}}},
                "minimum_limits",
                contract.USE_COVERAGE_LIMIT.format(limit="each occurrence"),
            ),
            (
                {"minimum_limits": {"workers-comp": {"el_each_accident": 10}}},
                "minimum_limits",
                contract.BAD_LIMIT.format(limit="el_each_accident"),
            ),
            (
                {"minimum_limits": {"general": {"medical_expense": 2**62}}},
                "minimum_limits",
                contract.BAD_LIMIT.format(limit="medical_expense"),
            ),
        ],
    )
    def test_bad_contract_input_is_refused_naming_the_field(
        self, api: ApiClient, sent: dict, field: str, message: str
    ) -> None:
        response = api.post("/entities", {"name": "Harbor", **sent})
        assert response.status_code == 400
        assert field_errors(response.json()) == {
            "message": {field: message},
            "error_code": "invalid_input",
        }
        assert not Entity.objects.filter(name="Harbor").exists()

    def test_an_unknown_limit_lists_the_ones_there_are(self, api: ApiClient) -> None:
        response = api.post(
            "/entities",
            {"name": "Harbor", "minimum_limits": {"workers_comp": {"umbrella": 1000}}},
        )
        assert response.status_code == 400
        message = field_errors(response.json())["message"]["minimum_limits"]
        assert message.startswith("Unknown workers-comp limit 'umbrella'; use one of:")
        assert "el_each_accident" in message

    def test_a_non_integer_limit_is_the_apis_own_400(self, api: ApiClient) -> None:
        response = api.post(
            "/entities",
            {"name": "Harbor", "minimum_limits": {"general": {"medical_expense": "x"}}},
        )
        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_input"


class TestEligibility:
    def test_a_limit_above_what_the_policy_prints_refuses_the_dispatch(
        self, api: ApiClient, contractor, job, entity, category, product
    ) -> None:
        bound_policy(contractor, category=category)
        api.put(
            f"/entities/{entity.public_id}",
            {"minimum_limits": {"workers-comp": {"el_each_accident": 2_000_000_00}}},
        )
        body = dispatch(api, contractor, job)
        assert body["eligible"] == {
            "result": False,
            "message": unmet(
                "it requires workers' compensation employers' liability each "
                "accident of $2,000,000; the contractor's policy has $1,000,000"
            ),
        }
        assert body["premium"] == 0 and body["certificates"] == {}

    def test_a_gl_limit_minimum_is_judged_only_when_we_give_gl(
        self, api: ApiClient, contractor, job, entity, category, product
    ) -> None:
        bound_policy(contractor, category=category)
        api.put(
            f"/entities/{entity.public_id}",
            {"minimum_limits": {"general": {"medical_expense": 10_000_00}}},
        )
        refused = dispatch(api, contractor, job, coverage_type=[GL])
        assert refused["eligible"]["message"] == unmet(
            "it requires general liability medical expense of $10,000; the "
            "contractor's policy has $5,000"
        )
        assert dispatch(api, contractor, job, coverage_type=[WC])["eligible"]["result"]

    def test_a_waiver_refuses_a_dispatch_we_cover_for_wc(
        self, api: ApiClient, contractor, job, entity, category, product
    ) -> None:
        bound_policy(contractor, category=category)
        api.put(f"/entities/{entity.public_id}", {"waiver_of_subrogation": True})
        assert dispatch(api, contractor, job)["eligible"]["message"] == unmet(
            contract.REQUIRES_WAIVER
        )
        assert dispatch(api, contractor, job, coverage_type=[GL])["eligible"]["result"]

    def test_additional_insureds_and_pnc_need_gl_on_the_dispatch(
        self, api: ApiClient, contractor, job, entity, category, product
    ) -> None:
        bound_policy(contractor, category=category, lines=[WC])
        api.put(
            f"/entities/{entity.public_id}", {"additional_insureds": [OWNER, MANAGER]}
        )
        assert dispatch(api, contractor, job)["eligible"]["message"] == unmet(
            "it requires additional insureds, which only general liability gives, "
            "and the dispatch has no general liability"
        )
        api.put(
            f"/entities/{entity.public_id}",
            {"additional_insureds": [], "primary_non_contributory": True},
        )
        assert dispatch(api, contractor, job)["eligible"]["message"] == unmet(
            contract.REQUIRES_GL_FOR.format(what=contract.PRIMARY_NON_CONTRIBUTORY)
        )

    def test_every_new_message_fits_the_column(self) -> None:
        longest = unmet(
            contract.REQUIRES_LIMIT.format(
                line="workers' compensation",
                limit="employers' liability disease, each employee",
                required=f"${contract.MAX_LIMIT // 100:,}",
                actual="$1,000,000",
            )
        )
        assert len(longest) <= 200
        assert len(unmet(contract.REQUIRES_WAIVER)) <= 200
        what = contract.PRIMARY_NON_CONTRIBUTORY
        assert len(unmet(contract.REQUIRES_GL_FOR.format(what=what))) <= 200


class TestRedecide:
    def test_new_requirements_re_decide_a_live_dispatch_and_revoke_its_certificates(
        self, api: ApiClient, contractor, job, entity, category, product
    ) -> None:
        bound_policy(contractor, category=category)
        body = dispatch(api, contractor, job)
        assert body["eligible"]["result"] and body["premium"] > 0
        api.put(f"/entities/{entity.public_id}", {"waiver_of_subrogation": True})
        after = api.get(f"/assignments/{body['id']}").json()
        assert after["eligible"]["message"] == unmet(contract.REQUIRES_WAIVER)
        assert after["premium"] == 0
        assert not Certificate.objects.filter(
            assignment__public_id=body["id"], status=Certificate.Status.ISSUED
        ).exists()
        # Lifting it covers the dispatch again, with new certificates.
        api.put(f"/entities/{entity.public_id}", {"waiver_of_subrogation": False})
        again = api.get(f"/assignments/{body['id']}").json()
        assert again["eligible"]["result"] and again["premium"] == body["premium"]
        assert set(again["certificates"]) == {"gl_coi_pdf_url", "wc_coi_pdf_url"}
        assert again["certificates"] != body["certificates"]

    def test_new_parties_re_issue_the_gl_certificate(
        self, api: ApiClient, contractor, job, entity, category, product
    ) -> None:
        bound_policy(contractor, category=category, lines=[GL])
        body = dispatch(api, contractor, job)
        first = Certificate.objects.get(assignment__public_id=body["id"])
        api.put(f"/entities/{entity.public_id}", {"additional_insureds": [OWNER]})
        first.refresh_from_db()
        assert first.status == Certificate.Status.SUPERSEDED
        current = Certificate.objects.get(
            assignment__public_id=body["id"], status=Certificate.Status.ISSUED
        )
        assert [p["name"] for p in current.document["additional_insureds"]] == [
            HOLDER_NAME,
            OWNER["name"],
        ]


def test_the_gl_certificate_prints_the_whole_contract_for_the_window_only(
    api: ApiClient,
    contractor: Contractor,
    job: WorkJob,
    entity: Entity,
    category,
    product,
    django_capture_on_commit_callbacks,
) -> None:
    policy: Policy = bound_policy(contractor, category=category, lines=[GL])
    api.put(
        f"/entities/{entity.public_id}",
        {k: v for k, v in CONTRACT.items() if k != "minimum_limits"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        body = dispatch(api, contractor, job)
    assert body["eligible"]["result"], body["eligible"]
    gl = Certificate.objects.get(assignment__public_id=body["id"])
    text = stored_text(gl.pdf.name)
    window = window_text(gl.effective_at, gl.end_at, gl.assignment.job.zone)
    parties = (
        f"{HOLDER_NAME} (200 Harbor Boulevard, Weehawken, NJ 07086), "
        "Weehawken Harbor Owner LLC (1 Pier Road, Weehawken, NJ 07086) and "
        "Hudson Facilities Co (9 Park Avenue, Hoboken, NJ)"
    )
    assert (
        f"{parties} are additional insureds under general liability policy "
        f"{policy.number}, with respect to liability arising out of the named "
        f"insured's operations, for the dispatch window only: {window}."
    ) in text
    names = f"{HOLDER_NAME}, Weehawken Harbor Owner LLC and Hudson Facilities Co"
    assert (
        f"General liability policy {policy.number} is primary and non-contributory "
        f"with any other insurance available to {names}, for the dispatch window "
        "only, where required by written contract."
    ) in text
    assert f"Waiver of subrogation in favor of {names} applies to the general" in text
    # The holder box names the contract's holder, not the customer.
    holder_box = text.split("CERTIFICATE HOLDER", 1)[1]
    assert "Harbor Risk Department" in holder_box
    assert "Newark" in holder_box

"""/api/v1/quotes: rated by class code and jurisdiction, dated, and never a second opt-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coverage.models import CategoryCode, Contractor, Rate, WorkJob
from coverage.rating import GL_NOT_FOR_HAWAII, NEEDS_GENERAL, WC_MONOPOLISTIC_STATE
from coverage.services.dates import EFFECTIVE_IN_PAST, END_TOO_FAR, next_day
from coverage.services.quotes import MATCHING_POLICY, QUOTE_BOUND
from tests.coverage.helpers import GL, WC, ApiClient, make_job, unix
from tests.coverage.rate_book_helpers import add_class

pytestmark = pytest.mark.django_db

NJ_RATING = {
    "wc": {"state": "NJ", "class_code": "9410", "rate": "412.50", "net_rate": 413},
    "gl": {"state": "NJ", "class_code": "96816", "rate": "95.25", "net_rate": 95},
}


def quote(api: ApiClient, contractor: Contractor, job: WorkJob, **body):
    return api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [GL, WC],
            **body,
        },
    )


def test_a_quote_is_rated_per_line_in_its_jurisdiction(
    api: ApiClient, contractor: Contractor, job: WorkJob
) -> None:
    response = quote(api, contractor, job)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("qt_")
    assert body["contractor"] == contractor.public_id
    assert body["job"] == job.public_id
    assert body["coverage_type"] == [GL, WC]
    assert body["eligible"] is True
    assert (body["net_rate"], body["wc_net_rate"], body["gl_net_rate"]) == (
        508,
        413,
        95,
    )
    assert body["quote_json"] == {
        "wc": {"net_rate": 413},
        "gl": {"net_rate": 95, "stamping_fee": None, "risk_purchasing_group_fee": None},
    }
    assert body["rating"] == NJ_RATING
    tomorrow = next_day(timezone.now())
    assert body["effective_date"] == unix(tomorrow)
    assert body["end_date"] == unix(tomorrow + timedelta(days=30))
    assert body["policy"] is None


def test_workers_comp_follows_the_work_state_and_gl_the_residence(
    api: ApiClient, contractor: Contractor, category: CategoryCode, platform
) -> None:
    pennsylvania = make_job(platform, category=category, state="PA")
    rating = quote(api, contractor, pennsylvania).json()["rating"]
    assert rating["wc"]["state"] == "PA" and rating["wc"]["class_code"] == "9405"
    assert rating["gl"]["state"] == "NJ"


def test_sdk_aliases_and_unknown_fields_are_accepted(
    api: ApiClient, contractor: Contractor, job: WorkJob
) -> None:
    response = api.post(
        "/quotes",
        {
            "contractor_id": contractor.public_id,
            "job_id": job.public_id,
            "coverage_type": [GL],
            "name": "Mechanic",
        },
    )
    assert response.status_code == 201
    assert response.json()["wc_net_rate"] is None


@pytest.mark.parametrize("state", ["ND", "OH", "WA", "WY"])
def test_no_workers_comp_in_monopolistic_states(
    api: ApiClient, contractor: Contractor, category: CategoryCode, platform, state: str
) -> None:
    job = make_job(platform, category=category, state=state)
    response = quote(api, contractor, job, coverage_type=[WC])
    assert response.status_code == 400
    message = response.json()["message"]
    assert response.json()["error_code"] == "bad_request"
    assert message.startswith(WC_MONOPOLISTIC_STATE.split("{")[0])
    assert f"({state})" in message


def test_no_general_liability_for_hawaii_residents(
    api: ApiClient, contractor: Contractor, job: WorkJob
) -> None:
    contractor.address_region = "HI"
    contractor.save()
    response = quote(api, contractor, job, coverage_type=[GL])
    assert response.json() == {
        "message": GL_NOT_FOR_HAWAII,
        "error_code": "bad_request",
    }


def test_media_needs_general_except_in_hawaii(
    api: ApiClient, contractor: Contractor, job: WorkJob, category: CategoryCode
) -> None:
    refused = quote(api, contractor, job, coverage_type=["media"])
    assert refused.json() == {
        "message": NEEDS_GENERAL.format(line_label="Media liability"),
        "error_code": "bad_request",
    }
    add_class(category, state="HI", line="media", code="M1", rate="30")
    contractor.address_region = "HI"
    contractor.save()
    hawaii = quote(api, contractor, job, coverage_type=["media"])
    assert hawaii.status_code == 201
    assert hawaii.json()["rating"]["media"]["state"] == "HI"


def test_date_rules(api: ApiClient, contractor: Contractor, job: WorkJob) -> None:
    past = quote(api, contractor, job, effective_date=unix(timezone.now()) - 60)
    assert past.json() == {
        "message": EFFECTIVE_IN_PAST,
        "error_code": "effective_date_invalid",
    }
    start = datetime(2030, 3, 1, 9, tzinfo=UTC)
    too_long = quote(
        api,
        contractor,
        job,
        effective_date=unix(start),
        end_date=unix(start + timedelta(days=366)),
    )
    assert too_long.json() == {"message": END_TOO_FAR, "error_code": "end_date_invalid"}
    same_day = quote(
        api, contractor, job, effective_date=unix(start), end_date=unix(start) + 3600
    )
    assert same_day.json()["end_date"] == unix(datetime(2030, 3, 2, tzinfo=UTC))


def test_a_timestamp_out_of_range_is_400(
    api: ApiClient, contractor: Contractor, job: WorkJob
) -> None:
    response = quote(api, contractor, job, effective_date=10**15)
    assert response.status_code == 400
    assert response.json()["error_code"] == "effective_date_invalid"


def test_unknown_and_foreign_ids_are_404(
    api: ApiClient, other_api: ApiClient, contractor: Contractor, job: WorkJob
) -> None:
    response = api.post(
        "/quotes",
        {"contractor": "cn_nope", "job": job.public_id, "coverage_type": [GL]},
    )
    assert response.status_code == 404
    assert response.json()["error_code"] == "invalid_contractor_id"
    theirs = other_api.post(
        "/quotes",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "coverage_type": [GL],
        },
    )
    assert theirs.status_code == 404


def test_a_quote_matching_a_policy_on_file_is_refused(
    api: ApiClient, contractor: Contractor, job: WorkJob, category, platform, product
) -> None:
    first = quote(api, contractor, job).json()
    assert api.post("/policies", {"quote": first["id"]}).status_code == 201
    again = quote(api, contractor, job)
    assert again.status_code == 400
    assert again.json() == {
        "message": MATCHING_POLICY,
        "error_code": "contractor_has_matching_policy",
    }
    # A subset of the coverage is on file too.
    assert quote(api, contractor, job, coverage_type=[GL]).status_code == 400
    # Work in another state needs a new opt-in for workers' comp.
    pennsylvania = make_job(platform, category=category, state="PA")
    assert quote(api, contractor, pennsylvania).status_code == 201


def test_the_price_is_a_snapshot(
    api: ApiClient, contractor: Contractor, job: WorkJob
) -> None:
    body = quote(api, contractor, job).json()
    Rate.objects.update(rate=Decimal("999.00"))
    assert api.get(f"/quotes/{body['id']}").json()["net_rate"] == 508


def test_put_reprices_until_bound(
    api: ApiClient, contractor: Contractor, job: WorkJob, product
) -> None:
    qt = quote(api, contractor, job).json()["id"]
    changed = api.put(f"/quotes/{qt}", {"coverage_type": [WC]})
    assert changed.status_code == 200
    assert changed.json()["net_rate"] == 413
    assert changed.json()["coverage_type"] == [WC]
    start = next_day(timezone.now()) + timedelta(days=2)
    moved = api.put(f"/quotes/{qt}", {"effective_date": unix(start)}).json()
    assert moved["end_date"] == unix(start + timedelta(days=30))
    api.post("/policies", {"quote": qt})
    refused = api.put(f"/quotes/{qt}", {"coverage_type": [GL]})
    assert refused.json() == {
        "message": QUOTE_BOUND,
        "error_code": "cant_update_create_new_quote",
    }

"""The malformed inputs of issue 14, sent over HTTP to a live server: each is refused
with the right 4xx in its API's own error format, none is a 5xx or an HTML page,
and nothing is written. Prints its counts."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass

import pytest

from coverage.models import Assignment, Contractor, WorkJob
from policies.models import CoinsuranceParty
from policies.services.drafts import PERCENT_NOT_POSITIVE
from portal.models import Platform
from tests.coverage.helpers import approved_janitorial, make_job
from tests.policies.builders import producer_codes as make_codes
from tests.policies.conftest import Api, make_property_product, submission_attributes
from tests.policies.helpers import make_contractor

FAR_FUTURE = 253402214400  # 9999-12-31


@dataclass(frozen=True)
class Case:
    name: str
    api: str  # "ten99" or "cloud"
    method: str
    path: str
    body: bytes
    status: int
    content_type: str = "application/json"
    says: str = ""  # a phrase the error must contain


def send(base: str, key: str, case: Case) -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        base + case.path,
        data=case.body,
        method=case.method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": case.content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def in_format(api: str, body: bytes) -> bool:
    parsed = json.loads(body)
    if api == "ten99":
        return isinstance(parsed.get("message"), str) and bool(parsed.get("error_code"))
    return (
        isinstance(parsed.get("userMessage"), str)
        and str(parsed.get("errorCode", "")).startswith("gw.api.rest.exceptions.")
        and isinstance(parsed.get("details"), list)
    )


def j(value: object) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.django_db(transaction=True)
def test_malformed_inputs_are_refused_in_each_apis_format(
    live_server, platform: Platform, platform_key: str, staff_key: str
) -> None:
    category = approved_janitorial(platform)
    job = make_job(platform, category=category)
    contractor = make_contractor(platform)
    jobs_before = WorkJob.objects.count()

    # A Cloud API agreement to add parties to (through the API, as a client would).
    cloud = Api(staff_key)
    product = make_property_product()
    submission = cloud.post(
        "/job/v1/submissions", submission_attributes(contractor, product)
    )
    job_url = f"/job/v1/jobs/{submission.json()['data']['attributes']['id']}"
    agreement = cloud.post(
        f"{job_url}/coinsurance-agreements",
        {
            "initialPolicySections": [{"sectionType": {"code": "MO"}}],
            "model": {"code": "administer"},
            "ourRole": {"code": "lead"},
            "ourShare": "50",
        },
    )
    parties_url = agreement.json()["data"]["links"]["self"]["href"] + "/parties"
    code = make_codes()[0]

    def party(share: object) -> bytes:
        return j(
            {
                "data": {
                    "attributes": {
                        "coinsuranceRole": {"code": "follow"},
                        "coinsuranceShare": share,
                        "producerCode": {"id": code.public_id},
                    }
                }
            }
        )

    ten_mb = j({"name": "x" * 10_000_000})
    cases = [
        Case(
            "surrogate /api/v1 contractor",
            "ten99",
            "POST",
            "/api/v1/contractors",
            b'{"first_name": "\\ud800"}',
            400,
        ),
        Case(
            "surrogate /api/v1 job",
            "ten99",
            "PUT",
            f"/api/v1/jobs/{job.public_id}",
            b'{"name": "\\udfff"}',
            400,
        ),
        Case(
            "surrogate /job/v1",
            "cloud",
            "POST",
            "/job/v1/submissions",
            b'{"data": {"attributes": {"x": "\\ud800"}}}',
            400,
        ),
        Case(
            "surrogate /policy/v1",
            "cloud",
            "POST",
            "/policy/v1/policies/pl_x/change",
            b'{"data": {"attributes": {"description": "\\ud83d"}}}',
            400,
        ),
        Case(
            "wage null",
            "ten99",
            "PUT",
            f"/api/v1/jobs/{job.public_id}",
            j({"wage": None}),
            400,
        ),
        Case(
            "wage text",
            "ten99",
            "PUT",
            f"/api/v1/jobs/{job.public_id}",
            j({"wage": "100"}),
            400,
        ),
        Case(
            "duration -5",
            "ten99",
            "PUT",
            f"/api/v1/jobs/{job.public_id}",
            j({"duration_hours": -5}),
            400,
        ),
        Case(
            "bind yes",
            "ten99",
            "POST",
            "/api/v1/assignments",
            j(
                {
                    "contractor": contractor.public_id,
                    "job": job.public_id,
                    "bind": "yes",
                }
            ),
            400,
        ),
        Case(
            "effective 9999-12-31",
            "ten99",
            "POST",
            "/api/v1/assignments",
            j(
                {
                    "contractor": contractor.public_id,
                    "job": job.public_id,
                    "effective_date": FAR_FUTURE,
                }
            ),
            400,
        ),
        Case(
            "end 9999-12-31",
            "ten99",
            "POST",
            "/api/v1/assignments",
            j(
                {
                    "contractor": contractor.public_id,
                    "job": job.public_id,
                    "end_date": FAR_FUTURE,
                }
            ),
            400,
        ),
        Case(
            "effective 10^13",
            "ten99",
            "POST",
            "/api/v1/assignments",
            j(
                {
                    "contractor": contractor.public_id,
                    "job": job.public_id,
                    "effective_date": 10**13,
                }
            ),
            400,
        ),
        Case(
            "share -0",
            "cloud",
            "POST",
            parties_url,
            party("-0"),
            400,
            says=PERCENT_NOT_POSITIVE.format(field="The party's share"),
        ),
        Case(
            "share 0.00",
            "cloud",
            "POST",
            parties_url,
            party("0.00"),
            400,
            says=PERCENT_NOT_POSITIVE.format(field="The party's share"),
        ),
        Case("share as number", "cloud", "POST", parties_url, party(5), 400),
        Case(
            "form body /api/v1",
            "ten99",
            "POST",
            "/api/v1/contractors",
            b"first_name=Ann",
            415,
            "application/x-www-form-urlencoded",
        ),
        Case(
            "text body /job/v1",
            "cloud",
            "POST",
            "/job/v1/submissions",
            b"{}",
            415,
            "text/plain",
        ),
        Case("10 MB /api/v1", "ten99", "POST", "/api/v1/contractors", ten_mb, 413),
        Case("10 MB /job/v1", "cloud", "POST", "/job/v1/submissions", ten_mb, 413),
        Case(
            "10 MB /policy/v1",
            "cloud",
            "POST",
            "/policy/v1/policies/pl_x/change",
            ten_mb,
            413,
        ),
        Case("NaN", "ten99", "POST", "/api/v1/jobs", b'{"wage": NaN}', 400),
        Case(
            "deep nesting",
            "ten99",
            "POST",
            "/api/v1/jobs",
            b"[" * 50_000 + b"]" * 50_000,
            400,
        ),
        Case(
            "not UTF-8", "cloud", "POST", "/job/v1/submissions", b'{"a": "\xff"}', 400
        ),
    ]
    outcomes: Counter[str] = Counter()
    wrong: list[str] = []
    for case in cases:
        key = platform_key if case.api == "ten99" else staff_key
        status, content_type, body = send(live_server.url, key, case)
        ok = (
            status == case.status
            and content_type.startswith("application/json")
            and in_format(case.api, body)
            and case.says in body.decode()
        )
        outcomes["refused as expected" if ok else "wrong"] += 1
        outcomes[f"{status}"] += 1
        if not ok:
            wrong.append(f"{case.name}: {status} {content_type} {body[:200]!r}")
    print(f"\nmalformed inputs: {len(cases)} sent, {dict(outcomes)}")
    for line in wrong:
        print("  ", line)
    assert wrong == []
    assert WorkJob.objects.count() == jobs_before
    assert WorkJob.objects.get(pk=job.pk).wage == job.wage
    assert not Assignment.objects.exists()
    assert not CoinsuranceParty.objects.exists()
    assert Contractor.objects.count() == 1

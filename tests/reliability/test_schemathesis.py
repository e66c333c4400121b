"""schemathesis over the three OpenAPI documents, against a live server.

Every operation gets ``SCHEMATHESIS_MAX_EXAMPLES`` generated requests (default 5,
so the run stays within minutes on two cores), sent with a real key of the right
kind; each response is checked for 5xx, an undocumented status, the wrong content
type, undocumented headers and a body that breaks the documented schema. The test
prints its counts and fails on any violation.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coverage.api.urls import api as coverage_api
from policies.api import job_api, policy_api
from portal.models import Platform
from tests.conftest import bearer
from tests.sweep_helpers import fill_table, one_of_everything

PATH_PARAMETER = re.compile(r"{(\w+)}")

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("seeded", [False, True], ids=["unknown-ids", "real-ids"])
@pytest.mark.parametrize(
    "api, key_fixture, area",
    [
        (coverage_api, "platform_key", "api"),
        (job_api, "staff_key", "job"),
        (policy_api, "staff_key", "policy"),
    ],
    ids=["api_v1", "job_v1", "policy_v1"],
)
def test_schemathesis_finds_no_5xx_and_no_schema_violation(
    live_server,
    request: pytest.FixtureRequest,
    platform: Platform,
    platform_key: str,
    api,
    key_fixture: str,
    area: str,
    seeded: bool,
) -> None:
    """Generated ids mostly name nothing (404); seeded, every path parameter names one
    of a platform's real objects (tests/sweep_helpers), so reads, updates and deletes
    reach the handlers and their real response bodies are checked."""
    headers = bearer(request.getfixturevalue(key_fixture))
    table = fill_table(one_of_everything(platform, platform_key)) if seeded else {}
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = PATH_PARAMETER.findall(operation.path)
        path_parameters = (
            {name: str(table[(area, name)]) for name in names} if seeded else None
        )

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(path_parameters=path_parameters))
        def run(case) -> None:
            response = case.call(base_url=live_server.url, headers=headers)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as exc:  # schemathesis groups every failed check in one
                failures.append(
                    f"{case.operation.label} -> {response.status_code}: {str(exc)[:400]}"
                )

        run()
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    print(
        f"\nschemathesis {api.urls_namespace} ({'real' if seeded else 'unknown'} ids): {operations} operations, "
        f"{sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}, "
        f"{server_errors} 5xx, {len(failures)} violations"
    )
    for failure in failures[:20]:
        print("  ", failure)
    assert operations > 0
    assert failures == []

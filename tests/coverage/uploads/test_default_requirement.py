"""Support sets a platform's default insurance requirement in the admin; the review's own
reading of it refuses what it could not apply."""

from __future__ import annotations

import json
from typing import Any

import pytest

from coverage.uploads.requirements import ASKS_NOTHING, UNKNOWN_LIMIT, UNKNOWN_LINE
from portal.models import Platform
from tests.coverage.uploads.conftest import HARBOR_REQUIREMENT

pytestmark = pytest.mark.django_db


def save(client: Any, platform: Platform, requirement: str) -> Any:
    return client.post(
        f"/admin/portal/platform/{platform.pk}/change/",
        {"name": platform.name, "default_insurance_requirement": requirement},
    )


@pytest.mark.parametrize(
    ("requirement", "message"),
    [
        ('{"required_coverage": ["cyber"]}', UNKNOWN_LINE.format(line="cyber")),
        (
            '{"minimum_limits": {"general": {"umbrella": 100}}}',
            UNKNOWN_LIMIT.format(line="general", limit="umbrella"),
        ),
        ("{}", ASKS_NOTHING),
    ],
)
def test_a_requirement_the_review_cannot_apply_is_refused_inline(
    support: Any, client_as: Any, platform: Platform, requirement: str, message: str
) -> None:
    response = save(client_as(support), platform, requirement)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    platform.refresh_from_db()
    assert platform.default_insurance_requirement is None


def test_a_good_requirement_is_saved(
    support: Any, client_as: Any, platform: Platform
) -> None:
    response = save(client_as(support), platform, json.dumps(HARBOR_REQUIREMENT))
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.default_insurance_requirement == HARBOR_REQUIREMENT

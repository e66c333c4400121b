from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from coverage.models import Contractor, Entity
from policies.lines import CoverageType
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.uploads.corpus import INSURED, OWNER

GL, WC = CoverageType.GENERAL.value, CoverageType.WORKERS_COMP.value
MILLION = 100_000_000  # cents

# Harbor Property Group's contract: GL and WC, $1M / $2M, additional insured, waiver,
# named certificate holder.
HARBOR_REQUIREMENT = {
    "required_coverage": [GL, WC],
    "minimum_limits": {
        GL: {"each_occurrence": MILLION, "general_aggregate": 2 * MILLION},
        WC: {"el_each_accident": MILLION},
    },
    "additional_insureds": [OWNER],
    "waiver_of_subrogation": True,
    "certificate_holder": OWNER,
}


@pytest.fixture
def today() -> date:
    return timezone.now().date()


@pytest.fixture
def tech(platform: Platform) -> Contractor:
    first, last = INSURED.split()
    return Contractor.objects.create(
        platform=platform,
        first_name=first,
        last_name=last,
        email="terry@example.com",
        address_region="NJ",
    )


@pytest.fixture
def harbor(platform: Platform) -> Entity:
    return Entity.objects.create(platform=platform, name=OWNER, address_region="NJ")


@pytest.fixture
def with_default(platform: Platform) -> Platform:
    platform.default_insurance_requirement = HARBOR_REQUIREMENT
    platform.save(update_fields=["default_insurance_requirement"])
    return platform


def pdf_file(
    data: bytes, name: str = "coi.pdf", content_type: str = "application/pdf"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def upload(platform_key: str, django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """POST /api/v1/files/certificates through Django's client; the review runs on commit."""

    def send(key: str | None = None, **fields: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post(
                "/api/v1/files/certificates",
                data=fields,
                headers=bearer(key or platform_key),
            )

    return send

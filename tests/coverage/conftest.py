from __future__ import annotations

from collections.abc import Iterator

import pytest

from coverage.models import CategoryCode, Contractor, Entity, WorkJob
from policies.models import Product
from portal.models import Platform
from tests.coverage.helpers import ApiClient, approved_janitorial, make_entity, make_job
from tests.policies.helpers import contractor_product, make_contractor
from tests.s3_server import CREDENTIALS, Bucket, S3Server, s3_server


@pytest.fixture
def api(platform_key: str) -> ApiClient:
    return ApiClient(platform_key)


@pytest.fixture
def other_api(other_platform_key: str) -> ApiClient:
    return ApiClient(other_platform_key)


@pytest.fixture
def product(db: None) -> Product:
    return contractor_product()


@pytest.fixture
def category(platform: Platform) -> CategoryCode:
    return approved_janitorial(platform)


@pytest.fixture
def entity(platform: Platform) -> Entity:
    return make_entity(platform)


@pytest.fixture
def contractor(platform: Platform) -> Contractor:
    return make_contractor(platform, email="terry@example.com", state="NJ")


@pytest.fixture
def job(platform: Platform, category: CategoryCode, entity: Entity) -> WorkJob:
    return make_job(platform, category=category, entity=entity)


# A private S3 bucket as the default storage (tests/s3_server.py: moto on 127.0.0.1).
@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[S3Server]:
    with s3_server() as running:
        yield running


@pytest.fixture
def bucket(s3_endpoint: S3Server, settings, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """This test's own bucket as the default storage, configured as a host would be."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = s3_endpoint.new_bucket()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.s3.PrivateS3Storage",
            "OPTIONS": s3_endpoint.options(name),
        },
    }
    return Bucket(s3_endpoint, name)

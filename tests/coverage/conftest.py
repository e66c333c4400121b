from __future__ import annotations

import pytest

from coverage.models import CategoryCode, Contractor, Entity, WorkJob
from policies.models import Product
from portal.models import Platform
from tests.coverage.helpers import ApiClient, approved_janitorial, make_entity, make_job
from tests.policies.helpers import contractor_product, make_contractor


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

"""Fixtures the live-process tests share: an approved trade and a covered New Jersey
tech on it. Import them by name into a test module (pytest finds imported fixtures)."""

from __future__ import annotations

import pytest

from coverage.models import CategoryCode, Contractor
from portal.models import Platform
from tests.coverage.helpers import approved_janitorial, bound_policy
from tests.policies.helpers import make_contractor


@pytest.fixture
def category(platform: Platform) -> CategoryCode:
    return approved_janitorial(platform)


@pytest.fixture
def contractor(platform: Platform, category: CategoryCode) -> Contractor:
    contractor = make_contractor(platform, email="terry@example.com", state="NJ")
    bound_policy(contractor, category=category)
    return contractor

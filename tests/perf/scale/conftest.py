"""The scale probe reads a database made by `manage.py generate_scale_data`, not a test
database: pytest-django's documented way is to replace ``django_db_setup``. Each probe
test still runs in a transaction that is rolled back, so its dispatches leave nothing."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup() -> None:
    """Use DATABASE_URL's database as it is (no test database, no migrations)."""

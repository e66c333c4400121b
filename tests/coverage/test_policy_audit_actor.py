"""The contractor API's policy writes are audited as the platform's key, through the API;
a contractor's own opt-in on the hosted page stays the system's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import ten99policy

from policies.models import AuditEntry, AuditVia, Policy
from portal.models import ApiKey, Platform
from tests.coverage.helpers import approved_janitorial
from tests.policies.helpers import contractor_product

pytestmark = pytest.mark.django_db(transaction=True)

NJ = {"line1": "1 Main St", "locality": "Newark", "region": "NJ", "postalcode": "07102"}


@pytest.fixture
def sdk(
    live_server, platform_key: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setattr(ten99policy, "api_base", live_server.url)
    monkeypatch.setattr(ten99policy, "api_key", platform_key)
    monkeypatch.setattr(ten99policy, "log", None)
    monkeypatch.setattr(ten99policy, "default_http_client", None)
    yield
    if ten99policy.default_http_client is not None:
        ten99policy.default_http_client.close()


def test_policy_writes_name_the_platforms_key(
    sdk: None, platform: Platform, platform_key: str
) -> None:
    contractor_product()
    category = approved_janitorial(platform)
    key = ApiKey.objects.get(digest=ApiKey.digest_of(platform_key))
    en = ten99policy.Entities.create(name="Harbor", address=NJ).id
    cn = ten99policy.Contractors.create(
        first_name="Terry", last_name="Tech", email="t@example.com", address=NJ
    ).id
    jb = ten99policy.Jobs.create(
        name="Cleaning",
        entity=en,
        category_code=category.public_id,
        wage=20000,
        wage_type="flatfee",
        address=NJ,
    ).id
    quote = ten99policy.Quotes.create(contractor=cn, job=jb, coverage_type=["general"])
    pl = ten99policy.Policies.create(quote_id=quote.id, is_active=True).id
    ten99policy.Policies.modify(pl, is_active=False)
    ten99policy.Policies.modify(pl, is_active=True)

    policy = Policy.objects.get(public_id=pl)
    entries = AuditEntry.objects.filter(policy=policy)
    assert entries.exists()
    assert set(entries.values_list("via", "actor_key", "actor_label")) == {
        (AuditVia.API, key.pk, f"API key {key.name} ({key.display_prefix}…)")
    }

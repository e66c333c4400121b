"""The unmodified SDK at the API's edges: typed errors on unknown paths and wrong methods,
JobCategories.retrieve, the Node SDK's /jobcategories path, and the request id it reads."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
import requests
import ten99policy
from ten99policy import error, http_client
from ten99policy.api_requestor import APIRequestor

from coverage.api.inputs import NO_SUCH
from coverage.models import CategoryCode
from portal.api import NOT_FOUND
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.helpers import approved_janitorial

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sdk(
    live_server, platform_key: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ModuleType]:
    monkeypatch.setattr(ten99policy, "api_key", platform_key)
    monkeypatch.setattr(ten99policy, "api_base", live_server.url)
    monkeypatch.setattr(ten99policy, "log", None)
    client = http_client.RequestsClient()
    monkeypatch.setattr(ten99policy, "default_http_client", client)
    yield ten99policy
    client.close()


def test_unknown_paths_raise_the_sdks_typed_error_with_the_request_id(
    sdk: ModuleType,
) -> None:
    with pytest.raises(error.ResourceNotFoundError) as raised:
        APIRequestor().request("get", "/api/v1/no_such_resource", {})
    assert raised.value.http_status == 404
    assert raised.value.request_id.startswith("req_")
    assert str(raised.value) == f"Request {raised.value.request_id}: {NOT_FOUND}"


def test_a_wrong_method_raises_a_typed_error(sdk: ModuleType) -> None:
    with pytest.raises(error.BadRequestError) as raised:
        APIRequestor().request("delete", "/api/v1/category_codes", {})
    assert raised.value.http_status == 405


def test_job_categories_retrieve_and_the_node_path(
    sdk: ModuleType, live_server, platform: Platform, platform_key: str
) -> None:
    category = approved_janitorial(platform)
    unapproved = CategoryCode.objects.create(name="Roofing")

    got = sdk.JobCategories.retrieve(category.public_id)
    assert (got.category_code, got.name) == (category.public_id, category.name)
    with pytest.raises(error.ResourceNotFoundError) as raised:
        sdk.JobCategories.retrieve(unapproved.public_id)  # not approved for us
    assert raised.value.user_message == NO_SUCH.format(
        what="job category code", id=unapproved.public_id
    )

    headers = bearer(platform_key)
    listed = requests.get(f"{live_server.url}/api/v1/jobcategories", headers=headers)
    assert listed.json() == [
        {"category_code": category.public_id, "name": category.name}
    ]
    one = requests.get(
        f"{live_server.url}/api/v1/jobcategories/{category.public_id}", headers=headers
    )
    assert one.json() == {"category_code": category.public_id, "name": category.name}

"""A webhook endpoint subscribed, through the unmodified SDK, to every documented event type
receives the ones this product sends as they happen: trades approved, an ineligible and an
eligible opt-in (started, expired, completed), a media-line policy, a covered dispatch
cancelled, the policy cancelled and reactivated."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from types import ModuleType

import pytest
import requests
import ten99policy
from ten99policy import http_client
from ten99policy.api_requestor import APIRequestor

from coverage.models import CategoryCode
from coverage.services import approve_categories, eligibility
from coverage.webhooks.payloads import DOCUMENTED_EVENT_TYPES, OWN_EVENT_TYPES
from portal.models import Platform
from tests.coverage.rate_book_helpers import add_class, janitorial
from tests.coverage.webhook_receiver import Receiver, running_receiver
from tests.policies.helpers import contractor_product

pytestmark = pytest.mark.django_db(transaction=True)

NJ = {"line1": "1 Main St", "locality": "Newark", "region": "NJ", "postalcode": "07102"}
SENT_HERE = {
    "category_code.added",
    "application.created",
    "application.started",
    "application.ineligible",
    "application.expired",
    "application.complete",
    "policy.active",
    "policy.active.media",
    "assignment.active",
    "assignment.cancelled",
    "policy.cancelled",
    "policy.reactivated",
}


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


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


def post(path: str, **params: object) -> dict:
    response, _ = APIRequestor().request("post", f"/api/v1/{path}", params)
    return response.data


def received_types(receiver: Receiver, want: set[str]) -> list[str]:
    deadline = time.monotonic() + 10
    while True:
        types = [json.loads(r.body)["type"] for r in receiver.requests]
        if want <= set(types) or time.monotonic() > deadline:
            return types
        time.sleep(0.05)


def opt_in_on_the_hosted_page(url: str) -> None:
    with requests.Session() as browser:
        page = browser.get(url, timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "the hosted page carries its CSRF token"
        done = browser.post(
            url.rstrip("/") + "/opt-in",
            data={"csrfmiddlewaretoken": token.group(1), "attest": "on"},
            headers={"Referer": url},
            timeout=10,
        )
        alert = re.findall(r'role="alert"><p>(.*?)</p>', done.text)
        assert done.status_code == 200, alert


def test_every_documented_type_subscribes_and_the_emitted_ones_arrive(
    sdk: ModuleType, receiver: Receiver, platform: Platform
) -> None:
    product = contractor_product()
    # A product that writes media liability (support's setting in the admin).
    product.lines = [*product.lines, "media"]
    product.save(update_fields=["lines"])
    endpoint = sdk.Webhooks.create(
        url=receiver.url, events=sorted(DOCUMENTED_EVENT_TYPES)
    )
    assert sorted(endpoint.events) == sorted(DOCUMENTED_EVENT_TYPES)

    category = janitorial()
    add_class(category, state="NJ", line="media", code="M100", rate="10.00")
    approve_categories(platform=platform, categories=[category])
    assert [c.category_code for c in sdk.JobCategories.list()] == [category.public_id]

    en = sdk.Entities.create(
        name="Harbor", required_coverage=["workers-comp"], address=NJ
    ).id
    cn = sdk.Contractors.create(
        first_name="Terry",
        last_name="Tech",
        email="terry@example.com",
        phone="415-474-9088",
        address=NJ,
    ).id
    jb = sdk.Jobs.create(
        name="Cleaning",
        entity=en,
        category_code=category.public_id,
        wage=20000,
        wage_type="flatfee",
        address=NJ,
    ).id

    # An ineligible opt-in: the customer requires workers' comp, the quote has none.
    gl_only = sdk.Quotes.create(contractor=cn, job=jb, coverage_type=["general"])
    assert gl_only.eligible is False
    assert gl_only.eligibility_message == eligibility.ENTITY_REQUIREMENT_UNMET.format(
        requirement=eligibility.REQUIRES_LINE.format(line="workers' compensation")
    )
    first = sdk.InsuranceApplicationSessions.create(quote=gl_only.id)
    requests.get(first.url, timeout=10).raise_for_status()
    requests.get(first.url, timeout=10).raise_for_status()  # announced once
    post(f"apply/sessions/{first.id}/expire")

    # An eligible one, with media, completed on the hosted page.
    full = sdk.Quotes.create(
        contractor=cn, job=jb, coverage_type=["workers-comp", "general", "media"]
    )
    assert (full.eligible, full.eligibility_message) == (True, None)
    second = sdk.InsuranceApplicationSessions.create(quote=full.id)
    opt_in_on_the_hosted_page(second.url)

    dispatch = sdk.Assignments.create(contractor=cn, job=jb)
    assert dispatch.eligible.result is True
    post("assignments/cancel", job_id=jb, contractor=cn, reason="client_request")
    policy = dispatch.policy
    sdk.Policies.modify(policy, is_active=False)
    sdk.Policies.modify(policy, is_active=True)

    types = received_types(receiver, SENT_HERE)
    assert set(types) == SENT_HERE
    assert types.count("application.started") == 2  # once per session opened
    assert not set(types) & OWN_EVENT_TYPES  # not subscribed, not sent
    assert CategoryCode.objects.count() == 1

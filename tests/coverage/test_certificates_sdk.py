"""The unmodified ten99policy SDK sees certificate URLs that download with the platform key."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from collections.abc import Iterator
from types import ModuleType

import pytest
import ten99policy
from pypdf import PdfReader
from ten99policy import http_client

from portal.models import Platform
from tests.coverage.helpers import GL, WC, approved_janitorial
from tests.policies.helpers import contractor_product

# live_server answers from another thread, so the data must really be committed.
pytestmark = pytest.mark.django_db(transaction=True)

NJ = {"line1": "1 Main St", "locality": "Newark", "region": "NJ", "postalcode": "07102"}


@pytest.fixture
def sdk(
    live_server, platform_key: str, settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ModuleType]:
    # The URLs the API hands out are on the portal's public address: here, this server.
    settings.PORTAL_BASE_URL = live_server.url
    monkeypatch.setattr(ten99policy, "api_key", platform_key)
    monkeypatch.setattr(ten99policy, "api_base", live_server.url)
    monkeypatch.setattr(ten99policy, "log", None)
    client = http_client.RequestsClient()
    monkeypatch.setattr(ten99policy, "default_http_client", client)
    yield ten99policy
    client.close()


def fetch(url: str, key: str | None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_an_assignment_retrieved_with_the_sdk_links_pdfs_that_download_with_the_key(
    sdk: ModuleType, platform: Platform, platform_key: str, other_platform_key: str
) -> None:
    contractor_product()
    category = approved_janitorial(platform).public_id
    entity = sdk.Entities.create(
        name="Harbor Point Property Management LLC",
        required_coverage=[GL, WC],
        address=NJ,
    ).id
    contractor = sdk.Contractors.create(
        first_name="Terry",
        last_name="Tech",
        email="terry@example.com",
        address=NJ,
    ).id
    job = sdk.Jobs.create(
        name="Lobby deep clean",
        entity=entity,
        category_code=category,
        wage=20000,
        wage_type="flatfee",
        address=NJ,
    ).id
    quote = sdk.Quotes.create(contractor=contractor, job=job, coverage_type=[WC, GL])
    policy = sdk.Policies.create(quote_id=quote.id, is_active=True)
    created = sdk.Assignments.create(contractor=contractor, job=job)
    assert created.eligible.result is True

    assignment = sdk.Assignments.retrieve(created.id)
    urls = assignment.certificates.to_dict()
    assert set(urls) == {"gl_coi_pdf_url", "wc_coi_pdf_url"}
    assert sdk.Policies.retrieve(policy.id).certificates.to_dict() == urls

    for url in urls.values():
        # The ImmediateBackend rendered the PDFs when the dispatch committed.
        status, headers, body = fetch(url, platform_key)
        assert status == 200
        assert headers["Content-Type"] == "application/pdf"
        text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
        assert "Terry Tech" in text
        assert fetch(url, other_platform_key)[0] == 404
        assert fetch(url, None)[0] == 401

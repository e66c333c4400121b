"""An outside certificate is reviewed against the customer's contract fields — the same
ones eligibility judges our policy on (one requirement model)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from coverage.models import Contractor, Entity
from coverage.uploads import judging
from tests.conftest import bearer
from tests.coverage.helpers import ApiClient
from tests.coverage.uploads import corpus
from tests.coverage.uploads.conftest import pdf_file

pytestmark = pytest.mark.django_db

MANAGER = "Hudson Facilities Co"


def test_the_review_asks_for_every_party_pnc_and_the_contracts_holder(
    api: ApiClient,
    upload: Any,
    platform_key: str,
    tech: Contractor,
    harbor: Entity,
    today: date,
) -> None:
    response = api.put(
        f"/entities/{harbor.public_id}",
        {
            "required_coverage": ["general"],
            "additional_insureds": [{"name": MANAGER}],
            "primary_non_contributory": True,
            "certificate_holder": {"name": "Harbor Risk Department"},
        },
    )
    assert response.status_code == 200, response.content
    sent = upload(
        contractor=tech.public_id,
        entity=harbor.public_id,
        certificate=pdf_file(corpus.acord_form(corpus.acord_values(today))),
    ).json()
    shown = (
        Client()
        .get(
            f"/api/v1/files/certificates/{sent['id']}?expand[]=review_results.full",
            headers=bearer(platform_key),
        )
        .json()
    )
    assert shown["status"] == "flagged"
    messages = [r["message"] for r in shown["review_results"]["audit_results"]]
    # The customer itself and the party its contract lists.
    assert judging.AI_NAMED.format(name=corpus.OWNER) in messages
    assert judging.AI_NOT_NAMED.format(name=MANAGER) in messages
    assert judging.PRIMARY_MISSING.format(owner=corpus.OWNER) in messages
    assert (
        judging.HOLDER_MISMATCH.format(
            found=corpus.OWNER, expected="Harbor Risk Department"
        )
        in messages
    )


def test_a_certificate_saying_primary_and_non_contributory_passes_that_rule(
    api: ApiClient,
    upload: Any,
    platform_key: str,
    tech: Contractor,
    harbor: Entity,
    today: date,
) -> None:
    api.put(
        f"/entities/{harbor.public_id}",
        {"required_coverage": ["general"], "primary_non_contributory": True},
    )
    values = corpus.acord_values(today)
    values["CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A"] += (
        " Coverage is primary and non-contributory."
    )
    sent = upload(
        contractor=tech.public_id,
        entity=harbor.public_id,
        certificate=pdf_file(corpus.acord_form(values)),
    ).json()
    shown = (
        Client()
        .get(
            f"/api/v1/files/certificates/{sent['id']}?expand[]=review_results.full",
            headers=bearer(platform_key),
        )
        .json()
    )
    messages = [r["message"] for r in shown["review_results"]["audit_results"]]
    assert judging.PRIMARY_SHOWN in messages
    assert shown["status"] == "approved"

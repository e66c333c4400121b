"""Builders and an API client for coverage tests (plain objects.create, no factories)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.utils import timezone

from coverage.models import CategoryCode, Contractor, Entity, Event, WorkJob
from policies.models import Policy
from policies.services import bind_submission
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.rate_book_helpers import GL, WC, janitorial
from tests.policies.helpers import contractor_product

__all__ = ["GL", "WC", "ApiClient", "approved_janitorial", "make_entity", "make_job"]


class ApiClient:
    """/api/v1 through Django's test client, authenticated with one platform key."""

    def __init__(self, key: str) -> None:
        self.client = Client()
        self.headers = bearer(key)

    def _send(self, method: str, path: str, body: Any, headers: dict[str, str]):
        call = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return call(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **headers: str):
        return self._send("get", path, None, headers)

    def post(self, path: str, body: Any = None, **headers: str):
        return self._send("post", path, body if body is not None else {}, headers)

    def put(self, path: str, body: Any, **headers: str):
        return self._send("put", path, body, headers)

    def delete(self, path: str, **headers: str):
        return self._send("delete", path, None, headers)


def approved_janitorial(platform: Platform) -> CategoryCode:
    """Seed 001's trade with its NJ/PA rate book, approved for ``platform``."""
    category = janitorial()
    category.approved_platforms.add(platform)
    return category


def make_entity(platform: Platform, name: str = "Harbor Property Group") -> Entity:
    return Entity.objects.create(platform=platform, name=name, address_region="NJ")


def make_job(
    platform: Platform,
    *,
    category: CategoryCode | None,
    entity: Entity | None = None,
    state: str = "NJ",
    wage: int = 20_000,
    name: str = "Office cleaning",
) -> WorkJob:
    return WorkJob.objects.create(
        platform=platform,
        entity=entity or make_entity(platform),
        name=name,
        category_code=category,
        wage=wage,
        wage_type=WorkJob.WageType.FLATFEE,
        address_region=state,
    )


def bound_policy(
    contractor: Contractor,
    *,
    category: CategoryCode | None,
    lines: Sequence[str] = (WC, GL),
    wc_state: str = "NJ",
    gl_state: str = "NJ",
    starts: datetime | None = None,
    days: int = 60,
) -> Policy:
    """A policy bound the underwriter's way (submission → quoted → bound), in force from ``starts``."""
    start = starts or timezone.now() - timedelta(days=1)
    return bind_submission(
        platform=contractor.platform,
        contractor=contractor,
        product=contractor_product(),
        lines=list(lines),
        effective_at=start,
        expires_at=start + timedelta(days=days),
        wc_state=wc_state if WC in lines else "",
        gl_state=gl_state if GL in lines else "",
        category_code=category,
    )


def event_types(platform: Platform) -> list[str]:
    return list(
        Event.objects.filter(platform=platform)
        .order_by("pk")
        .values_list("type", flat=True)
    )


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def certificate_queries(path: str) -> int:
    """Policies and assignments carry their certificates' URLs: one prefetch query
    more, except for assignments on PostgreSQL, whose page query reads them as a JSON
    array (coverage.certificates.with_certificate_urls)."""
    if path == "/assignments":
        return 0 if connection.vendor == "postgresql" else 1
    return int(path == "/policies")

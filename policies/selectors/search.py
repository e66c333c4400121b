"""The policy and transaction list searches: the workspace lists' filters as querysets.

The lists page them; a page is a fixed number of queries whatever the row count.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from policies.models import Policy, PolicyLocation, PolicyStatus, PolicyTransaction
from policies.models.accounts import account_model


def _has_line(line: str) -> Q:
    # jsonb containment on PostgreSQL; SQLite (the zero-setup demo) has no JSON
    # contains lookup, and a quoted code cannot match inside another code.
    if connection.features.supports_json_field_contains:
        return Q(lines__contains=[line])
    return Q(lines__icontains=f'"{line}"')


def _insured_search(q: str, prefix: str = "") -> Q:
    # The contractor side's one search, reached through Policy's relation.
    named: Q = account_model().named(q, via=f"{prefix}contractor__")
    return named


def filter_policies(data: dict[str, Any]) -> QuerySet[Policy]:
    policies = Policy.objects.all()
    if q := data.get("q"):
        policies = policies.filter(
            Q(number__icontains=q) | Q(public_id=q) | _insured_search(q)
        )
    if platform := data.get("platform"):
        policies = policies.filter(platform=platform)
    if status := data.get("status"):
        policies = policies.filter(status=status)
    if line := data.get("line"):
        policies = policies.filter(_has_line(line))
    if product := data.get("product"):
        policies = policies.filter(product=product)
    if state := data.get("state"):
        at_location = PolicyLocation.objects.filter(
            transaction_id=OuterRef("contents_transaction_id"), state=state
        )
        policies = policies.filter(
            Q(wc_state=state) | Q(gl_state=state) | Exists(at_location)
        )
    if days := data.get("expiring"):
        now = timezone.now()
        policies = policies.filter(
            status=PolicyStatus.ACTIVE,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=int(days)),
        )
    return policies


def filter_transactions(data: dict[str, Any]) -> QuerySet[PolicyTransaction]:
    transactions = PolicyTransaction.objects.all()
    if q := data.get("q"):
        transactions = transactions.filter(
            Q(public_id=q) | Q(policy__number__icontains=q) | _insured_search(q)
        )
    if platform := data.get("platform"):
        transactions = transactions.filter(platform=platform)
    if status := data.get("status"):
        transactions = transactions.filter(status=status)
    if kind := data.get("kind"):
        transactions = transactions.filter(kind=kind)
    if line := data.get("line"):
        transactions = transactions.filter(_has_line(line))
    if product := data.get("product"):
        transactions = transactions.filter(product=product)
    if state := data.get("state"):
        at_location = PolicyLocation.objects.filter(
            transaction_id=OuterRef("pk"), state=state
        )
        transactions = transactions.filter(
            Q(wc_state=state) | Q(gl_state=state) | Exists(at_location)
        )
    return transactions

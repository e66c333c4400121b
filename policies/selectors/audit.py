"""Reads of the audit history: what the policy and transaction pages list, one query each."""

from __future__ import annotations

from django.db.models import QuerySet

from policies.models import AuditEntry, Policy, PolicyTransaction

HISTORY_LIMIT = 100


def _entries() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("transaction").order_by(
        "-created_at", "-pk"
    )


def history_of_policy(policy: Policy) -> list[AuditEntry]:
    """Every entry filed under the policy: its own, every transaction on it, and its
    submission's (filed under it when it was bound): one query."""
    return list(_entries().filter(policy=policy)[:HISTORY_LIMIT])


def history_of_transaction(txn: PolicyTransaction) -> list[AuditEntry]:
    return list(_entries().filter(transaction=txn)[:HISTORY_LIMIT])

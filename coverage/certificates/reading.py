"""Reading certificates for the API: their URLs per line, with constant-query prefetches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import F, OuterRef, Prefetch, QuerySet, Window
from django.db.models.functions import JSONObject, RowNumber

from coverage.certificates.content import WIRE_KEYS, api_pdf_url
from coverage.models import Assignment, Certificate
from policies.models import Policy
from portal import json_rows


def wire_urls(certificates: Sequence[Certificate]) -> dict[str, str]:
    """``{"gl_coi_pdf_url": …, "wc_coi_pdf_url": …}``: the latest certificate per line."""
    ordered = sorted(certificates, key=lambda c: c.pk)
    return _urls((c.line, c.number) for c in ordered)


def _urls(issued: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The URLs of (line, number) pairs in issue order: a line's latest one wins."""
    urls: dict[str, str] = {}
    for line, number in issued:
        key = WIRE_KEYS.get(line)
        if key:
            urls[key] = api_pdf_url(number)
    return urls


# The annotation with_certificate_urls reads the certificates into.
_LINES = "certificate_lines"


def with_certificate_urls(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Every certificate of each assignment, for ``assignment_urls``.

    On PostgreSQL their lines and numbers come as a JSON array in the rows' own query
    (an API page of 100 loaded 200 certificates in a second query before); elsewhere
    a prefetch.
    """
    if not json_rows.supported():
        return assignments.prefetch_related(assignment_prefetch())
    return assignments.annotate(
        **{
            _LINES: json_rows.rows(
                Certificate.objects.filter(assignment=OuterRef("pk")),
                JSONObject(line="line", number="number"),
                order_by=("id",),
            )
        }
    )


def assignment_urls(assignment: Assignment) -> dict[str, str]:
    """The assignment's certificate URLs per line (``wire_urls``), from what
    ``with_certificate_urls`` read when it did."""
    if not hasattr(assignment, _LINES):
        return wire_urls(assignment_certificates(assignment))
    rows: list[dict[str, Any]] | None = getattr(assignment, _LINES)
    return _urls((row["line"], row["number"]) for row in rows or ())


# Only what the JSON needs: the document column can be large.
_WIRE_FIELDS = ("id", "number", "line", "status", "assignment_id", "policy_id")


def assignment_prefetch() -> Prefetch:
    """For assignment lists: every certificate of each assignment (re-issues are few)."""
    return Prefetch(
        "certificates",
        queryset=Certificate.objects.only(*_WIRE_FIELDS).order_by("pk"),
        to_attr="certificate_list",
    )


def _latest_in_force() -> QuerySet[Certificate]:
    """The latest certificate in force per policy and line: one query however many
    dispatches a policy has (a window function picks them)."""
    return (
        Certificate.objects.filter(status=Certificate.Status.ISSUED)
        .only(*_WIRE_FIELDS)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("policy_id"), F("line")],
                order_by=F("id").desc(),
            )
        )
        .filter(rank=1)
    )


def policy_prefetch() -> Prefetch:
    """For policy lists: the latest certificate in force per line of each policy."""
    return Prefetch(
        "certificates", queryset=_latest_in_force(), to_attr="latest_certificates"
    )


def assignment_certificates(assignment: Assignment) -> list[Certificate]:
    found = getattr(assignment, "certificate_list", None)
    if found is None:
        if assignment.pk is None:
            return []
        found = list(assignment.certificates.only(*_WIRE_FIELDS).order_by("pk"))
    return found


def policy_certificates(policy: Policy) -> list[Certificate]:
    found = getattr(policy, "latest_certificates", None)
    if found is None:
        found = list(_latest_in_force().filter(policy_id=policy.pk))
    return found

"""Reading certificates for the API: their URLs per line, with constant-query prefetches."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from coverage.certificates.content import WIRE_KEYS, api_pdf_url
from coverage.models import Assignment, Certificate
from policies.models import Policy


def wire_urls(certificates: Sequence[Certificate]) -> dict[str, str]:
    """``{"gl_coi_pdf_url": …, "wc_coi_pdf_url": …}``: the latest certificate per line."""
    urls: dict[str, str] = {}
    for certificate in sorted(certificates, key=lambda c: c.pk):
        key = WIRE_KEYS.get(certificate.line)
        if key:
            urls[key] = api_pdf_url(certificate.number)
    return urls


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

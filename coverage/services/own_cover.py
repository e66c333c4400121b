"""Outside certificates counting for eligibility: a line the tech's own approved
certificate covers for the whole dispatch window is not ours to cover (issue 18).

Rule. An uploaded certificate (``UploadedCertificate``) covers ``line`` of a dispatch when

- it is approved (by the automated review or by an underwriter), for this contractor on
  this platform;
- it was judged against the dispatch's customer (its ``entity`` is the job's entity), or
  against the platform's default when that customer sets no requirement of its own — an
  approval against someone else's contract proves nothing about this one;
- the certificate shows ``line`` with an effective date on or before the day the
  dispatch starts and an expiration date after the day it ends (UTC days, as the
  certificate prints them): in force for the whole window, never part of it.

Such a line is taken off what our policy must carry and price (``split``): the dispatch
is decided and rated on our lines only, so its premium, ledger and certificates are ours
alone; the assignment records which certificate covers which own line
(``Assignment.own_cover``, with the day it expires, so the board can warn 30 days ahead). The tech's own certificate always wins over ours for its line
(no double cover, no premium for a line someone else insures) — except that at least
one line stays ours: a dispatch we cover for nothing would be no dispatch of ours.
Newest approval first when several certificates cover the same line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Q, QuerySet

from coverage.models import Contractor, UploadedCertificate, WorkJob
from coverage.uploads.judging import covered_lines
from coverage.uploads.requirements import REVIEWABLE_LINES, entity_requirement


@dataclass(frozen=True)
class OwnCover:
    """A line the tech's own certificate covers for the window: which, until when."""

    line: str
    certificate_id: str
    expires: date


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def covering(
    *,
    contractor: Contractor,
    job: WorkJob,
    lines: Sequence[str],
    starts: datetime,
    ends: datetime,
    rows: Sequence[tuple[str, Any]] | None = None,
) -> dict[str, OwnCover]:
    """The lines among ``lines`` an approved outside certificate covers, line → cover.

    One query (none when no line is one a certificate can show, or when ``rows``, the
    approved certificates' (``ci_`` id, parsed content) newest approval first, were
    read beforehand: ``coverage.services.dispatch_reads``).
    """
    wanted = [line for line in lines if line in REVIEWABLE_LINES]
    if not wanted:
        return {}
    if rows is None:
        rows = approved_rows(contractor=contractor, job=job)
    found: dict[str, OwnCover] = {}
    first, last = _day(starts), _day(ends)
    for public_id, parsed in rows:
        for line, (effective, expires) in covered_lines(parsed).items():
            if line not in wanted or line in found:
                continue
            try:
                span = date.fromisoformat(effective), date.fromisoformat(expires)
            except ValueError:
                continue
            if span[0] <= first and last < span[1]:
                found[line] = OwnCover(line, public_id, span[1])
    return found


def approved_rows(*, contractor: Contractor, job: WorkJob) -> list[tuple[str, Any]]:
    """(``ci_`` id, parsed content) of the approved certificates that may count for
    ``job``: judged against its customer, or against the platform's default when the
    customer sets no requirement. Newest approval first."""
    approved = for_customer(
        UploadedCertificate.objects.filter(
            platform_id=contractor.platform_id,
            contractor_id=contractor.pk,
            status=UploadedCertificate.Status.APPROVED,
        ),
        job=job,
    )
    return list(
        approved.order_by("-decided_at", "-reviewed_at", "-pk").values_list(
            "public_id", "parsed"
        )
    )


def customer_only(*, job: WorkJob) -> bool:
    """Whether only certificates judged against ``job``'s customer count (it sets a
    requirement of its own); else those judged against the platform's default too."""
    return entity_requirement(job.entity).asks_something


def for_customer(
    certificates: QuerySet[UploadedCertificate], *, job: WorkJob
) -> QuerySet[UploadedCertificate]:
    """The certificates judged against ``job``'s customer (or the platform's default,
    when the customer sets no requirement of its own)."""
    if customer_only(job=job):
        return certificates.filter(entity_id=job.entity_id)
    return certificates.filter(Q(entity_id=job.entity_id) | Q(entity__isnull=True))


def split(
    lines: Sequence[str], own: dict[str, OwnCover]
) -> tuple[tuple[str, ...], dict[str, OwnCover]]:
    """Our lines (of the dispatch's ``lines``) and the own cover that stands.

    ``own`` may hold lines the dispatch did not ask for (its customer requires them):
    they meet the requirement and change nothing of ours. At least one asked-for line
    stays ours.
    """
    ours = tuple(line for line in lines if line not in own)
    if not ours:
        return tuple(lines), {k: v for k, v in own.items() if k not in lines}
    return ours, dict(own)


def stored(own: dict[str, OwnCover]) -> dict[str, dict[str, str]]:
    """As the assignment keeps it: line → {"certificate": ``ci_`` id, "expires": day}."""
    return {
        line: {
            "certificate": cover.certificate_id,
            "expires": cover.expires.isoformat(),
        }
        for line, cover in sorted(own.items())
    }


def lapsing(
    own: dict[str, Any], *, today: date, within_days: int = 30
) -> dict[str, date]:
    """The own lines whose certificate expires within ``within_days``: line → day."""
    soon = {}
    for line, kept in (own or {}).items():
        expires = date.fromisoformat(kept["expires"])
        if (expires - today).days <= within_days:
            soon[line] = expires
    return soon


def asked_lines(lines: Sequence[str], own: dict[str, Any]) -> list[str]:
    """A decided dispatch's lines as asked for again: ours and those its tech's own
    certificates covered, so a re-decision can cover them itself once they stop."""
    return [*lines, *(line for line in sorted(own) if line not in lines)]

"""What eligibility and rating read for one new dispatch, carried on the locked
contractor row (issue 15: the write path in ten statements).

``create_assignment`` decides on the contractor's live policies, its approved own
certificates and the rate book's classes and rates for the dispatch's states. Each
was a query of its own; on PostgreSQL they are JSON aggregations annotated on the
contractor's locking read (``contractors_for_dispatch``), so the rows are read in the
statement that locks the contractor, in the same snapshot, and the judging code gets
them as before:

- the live policies as ``Policy`` instances, newest first (``eligibility.live_policies``);
- the approved outside certificates' ids and parsed contents, newest approval first
  (``own_cover.covering``);
- the class mappings of the job's category with the rate in force on the rating day,
  for workers' compensation in the job's work state and every other line in the
  contractor's residence state (``rating.rate``'s lookup).

Each reader falls back to its own query when the pre-read does not answer for what
it is asked (another window, another state, no annotation: SQLite, or a caller that
read the contractor some other way), so a pre-read can only save a query, never
change an answer.

Races. The rows are read in the locking statement's snapshot, taken before it waits
for the contractor's lock (READ COMMITTED re-checks only the locked row itself), where
their own queries used to read after it. That changes nothing a lock guaranteed: no
writer changes these rows while holding the contractor's lock but
``delete_contractor``, whose ``deleted_at`` the re-check sees (the dispatch is a 404,
as before); policies, own certificates, rates and endpoints are written without that
lock, so a dispatch was never ordered after them by it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL

from coverage.models import (
    ClassCode,
    ClassMapping,
    Contractor,
    Rate,
    UploadedCertificate,
    WorkJob,
)
from coverage.rating import BookRow, RateBook
from coverage.services.dates import Window
from coverage.services.own_cover import customer_only
from coverage.services.terms import rating_day
from policies.lines import CoverageType
from policies.models import Policy, PolicyStatus
from portal import json_rows
from portal.jurisdictions import normalize_state

WORKERS_COMP = CoverageType.WORKERS_COMP.value


@dataclass(frozen=True)
class DispatchReads:
    """The pre-read rows, for the window they were read for."""

    effective_at: datetime
    end_at: datetime
    policies: list[Policy]
    # (public id, parsed content) of each approved own certificate, newest approval first.
    own_certificates: list[tuple[str, Any]]
    book: RateBook | None

    def answers(self, *, effective_at: datetime, end_at: datetime | None) -> bool:
        return self.effective_at == effective_at and self.end_at == end_at


# The subqueries, written once: built with the ORM each time, they cost more Python
# than the three queries they replace (issue 15). ``{outer}`` is the contractor's table
# in the locking read; a pre-read's JSON is what each reader's own query returns.
_POLICIES = """(SELECT JSONB_AGG(TO_JSONB(p) ORDER BY p.effective_at DESC, p.id DESC)
 FROM {policy} p
 WHERE p.platform_id = {outer}.platform_id AND p.contractor_id = {outer}.id
   AND p.status = %s AND p.expires_at > %s)"""
_OWN = """(SELECT JSONB_AGG(JSONB_BUILD_OBJECT('public_id', u.public_id, 'parsed', u.parsed)
   ORDER BY u.decided_at DESC, u.reviewed_at DESC, u.id DESC)
 FROM {upload} u
 WHERE u.platform_id = {outer}.platform_id AND u.contractor_id = {outer}.id
   AND u.status = %s AND {customer})"""
# The residence as rating routes it (portal.jurisdictions.normalize_state), in SQL.
_RESIDENCE = "UPPER(TRIM({outer}.address_region))"
# Each mapped line with the rate in force on the day (a backward scan of the
# (class, effective date) index, as rating's own lookup); the rate as text, since a
# JSON number would come back a binary float.
_BOOK = """(SELECT JSONB_AGG(JSONB_BUILD_OBJECT('line', m.line,
   'jurisdiction', m.jurisdiction, 'class_code', c.code, 'rate', r.rate::text,
   'rate_from', r.effective_date) ORDER BY m.line)
 FROM {mapping} m JOIN {classcode} c ON c.id = m.class_code_id
 LEFT JOIN LATERAL (SELECT x.rate, x.effective_date FROM {rate} x
   WHERE x.class_code_id = m.class_code_id AND x.effective_date <= %s
   ORDER BY x.effective_date DESC LIMIT 1) r ON TRUE
 WHERE m.category_code_id = %s
   AND ((m.line = %s AND m.jurisdiction = %s)
     OR (m.line <> %s AND m.jurisdiction = {residence})))"""


@functools.cache
def _sql() -> dict[str, str]:
    quote = connection.ops.quote_name
    outer = quote(Contractor._meta.db_table)
    names = {
        "outer": outer,
        "policy": quote(Policy._meta.db_table),
        "upload": quote(UploadedCertificate._meta.db_table),
        "mapping": quote(ClassMapping._meta.db_table),
        "classcode": quote(ClassCode._meta.db_table),
        "rate": quote(Rate._meta.db_table),
        "residence": _RESIDENCE.format(outer=outer),
    }
    return {
        "policies": _POLICIES.format(**names),
        "own_for_customer": _OWN.format(**names, customer="u.entity_id = %s"),
        "own_or_default": _OWN.format(
            **names, customer="(u.entity_id = %s OR u.entity_id IS NULL)"
        ),
        "residence": names["residence"],
        "book": _BOOK.format(**names),
    }


def reads_for(*, job: WorkJob, window: Window) -> dict[str, Any]:
    """What ``contractors_for_dispatch`` annotates for ``job`` in ``window``."""
    sql = _sql()
    json = models.JSONField()
    own = "own_for_customer" if customer_only(job=job) else "own_or_default"
    found: dict[str, Any] = {
        "pre_read_policies": RawSQL(
            sql["policies"], [PolicyStatus.ACTIVE.value, window.effective_at], json
        ),
        "pre_read_own": RawSQL(
            sql[own], [UploadedCertificate.Status.APPROVED.value, job.entity_id], json
        ),
        # The residence state as the book's subquery matched it, and the window all
        # of it was read for.
        "pre_read_residence": RawSQL(sql["residence"], [], models.CharField()),
        "pre_read_from": models.Value(
            window.effective_at, output_field=models.DateTimeField()
        ),
        "pre_read_to": models.Value(window.end_at, output_field=models.DateTimeField()),
    }
    if job.category_code_id is not None:
        found["pre_read_book"] = RawSQL(
            sql["book"],
            [
                rating_day(window.effective_at),
                job.category_code_id,
                WORKERS_COMP,
                normalize_state(job.work_state),
                WORKERS_COMP,
            ],
            json,
        )
    return found


def _book(
    rows: list[dict[str, Any]], *, work_state: str, residence: str, on: date
) -> RateBook:
    answered = {(WORKERS_COMP, work_state)} | {
        (line, residence) for line in CoverageType.values if line != WORKERS_COMP
    }
    return RateBook(
        on=on,
        answered=frozenset(answered),
        rows={
            (row["line"], row["jurisdiction"]): BookRow(
                class_code=row["class_code"],
                rate=None if row["rate"] is None else Decimal(row["rate"]),
                rate_from=None
                if row["rate_from"] is None
                else date.fromisoformat(row["rate_from"]),
            )
            for row in rows
        },
    )


def pre_read(contractor: Any, *, job: WorkJob) -> DispatchReads | None:
    """The contractor's pre-read rows, or None when it was read without them."""
    if not hasattr(contractor, "pre_read_policies"):
        return None
    starts: datetime = contractor.pre_read_from
    book = None
    if hasattr(contractor, "pre_read_book"):
        book = _book(
            contractor.pre_read_book or [],
            work_state=normalize_state(job.work_state),
            residence=contractor.pre_read_residence,
            on=rating_day(starts),
        )
    return DispatchReads(
        effective_at=starts,
        end_at=contractor.pre_read_to,
        policies=[
            json_rows.instance(Policy, row)
            for row in contractor.pre_read_policies or []
        ],
        own_certificates=[
            (row["public_id"], row["parsed"]) for row in contractor.pre_read_own or []
        ],
        book=book,
    )

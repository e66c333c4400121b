"""The bulk load: the template dispatches cloned into millions of rows, set-based.

Everything is one transaction on PostgreSQL: the loaded tables' secondary indexes,
unique/exclusion constraints and foreign keys are dropped, the rows are written with
``INSERT … SELECT … FROM generate_series`` (ids, public ids and numbers computed, not
drawn), and every index and constraint is created again from its own definition (so a
constraint the data broke fails the load, which then leaves nothing behind). A failure
anywhere rolls back all of it, the drops included.

The shape (``Plan``): contractor ``c`` takes template ``c % 6``; it works ``per_tech``
dispatches spread evenly over three years (so its windows never overlap: the exclusion
constraint holds by construction), four to a job; each job belongs to one of the
template's customers; each contractor holds three consecutive one-year policies and
every dispatch carries the one in force. Every dispatch has its template's two ledger
charges and two issued certificates, so the ledger sums to the dispatches' premiums.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from coverage.ledger_chain import LEDGER_CHAIN
from coverage.scaledata.templates import Template
from portal.hash_chains import ChainSpec, chained_insert_sql
from portal.models import Platform

DAYS = 3 * 365
PER_TECH = 500  # dispatches per contractor over the three years, at most
PER_JOB = 4
TECHS_PER_CUSTOMER = 10
# Tables whose secondary indexes and constraints are dropped during the load.
BULK_TABLES = [
    "coverage_workjob",
    "coverage_assignment",
    "coverage_ledgerentry",
    "coverage_certificate",
]
FIRST_NAMES = [
    "Terry",
    "Priya",
    "Pat",
    "Nia",
    "Sam",
    "Luis",
    "Mei",
    "Omar",
    "Ada",
    "Jo",
]
LAST_NAMES = ["Tech", "Patel", "Kowalski", "Okafor", "Rivera", "Chen", "Haddad", "Berg"]

# A public id or number from a row id: an odd multiplier modulo 2^40 is a bijection,
# so the ids are unique by construction and do not read as a sequence. Lower-case
# hex is base-62 (portal.ids); upper-case hex is Crockford base-32 (certificates).
FUNCTIONS = """
CREATE FUNCTION pg_temp.scale_hex(n bigint, width int) RETURNS text
LANGUAGE sql IMMUTABLE AS
$$ SELECT lpad(to_hex((n * 2654435761 + 40503) % 1099511627776), width, '0') $$;
"""


@dataclass(frozen=True)
class Plan:
    assignments: int
    templates: int
    start: date  # the first UTC day of the set
    days: int = DAYS

    @property
    def contractors(self) -> int:
        # At most one dispatch a day per contractor: windows never overlap.
        per_tech = min(PER_TECH, self.days)
        return max(self.templates, math.ceil(self.assignments / per_tech))

    @property
    def per_tech(self) -> int:
        return math.ceil(self.assignments / self.contractors)

    @property
    def jobs(self) -> int:
        return self.contractors * math.ceil(self.per_tech / PER_JOB)

    @property
    def customers_per_template(self) -> int:
        return max(1, self.contractors // (TECHS_PER_CUSTOMER * self.templates))

    @property
    def customers(self) -> int:
        return self.templates * self.customers_per_template


def plan_for(
    *, assignments: int, templates: int, today: date, days: int = DAYS
) -> Plan:
    """``days`` (three years) ending a week after ``today``: the board has the coming
    week's tickets. Fewer days give the same dispatches a day in a smaller table."""
    if not 1 <= days <= DAYS:
        raise ValueError(f"days must be from 1 to {DAYS}")
    return Plan(
        assignments=assignments,
        templates=templates,
        start=today + timedelta(days=7 - days),
        days=days,
    )


@dataclass(frozen=True)
class Dropped:
    table: str
    constraints: list[tuple[str, str]]  # name, definition
    indexes: list[str]  # CREATE INDEX statements


def _drop_secondary(cursor: CursorWrapper, table: str) -> Dropped:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'x', 'f') ORDER BY conname",
        [table],
    )
    constraints = list(cursor.fetchall())
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid = %s::regclass AND NOT indisprimary AND indexrelid NOT IN"
        " (SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)"
        " ORDER BY 1",
        [table, table],
    )
    indexes = list(cursor.fetchall())
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return Dropped(table, constraints, [sql for _, sql in indexes])


def _restore(cursor: CursorWrapper, dropped: Dropped) -> None:
    for sql in dropped.indexes:
        cursor.execute(sql)
    # Unique and exclusion constraints build their indexes; foreign keys validate.
    order = sorted(dropped.constraints, key=lambda c: c[1].startswith("FOREIGN"))
    for name, definition in order:
        cursor.execute(
            f'ALTER TABLE {dropped.table} ADD CONSTRAINT "{name}" {definition}'
        )


def _columns(cursor: CursorWrapper, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s"
        " ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _clone_select(columns: list[str], source: str, values: dict[str, str]) -> str:
    """SELECT every one of ``columns``: ``values[column]`` if given, else the template
    row's (``tpl.column``), for each row of ``source``."""
    exprs = []
    for column in columns:
        quoted = f'"{column}"'
        exprs.append(f"{values.get(column, 'tpl.' + quoted)} AS {quoted}")
    return f"SELECT {', '.join(exprs)} FROM {source}"


def _clone(
    cursor: CursorWrapper,
    table: str,
    source: str,
    values: dict[str, str],
    params: dict[str, Any],
) -> int:
    """INSERT into ``table`` every column as ``_clone_select`` gives it."""
    columns = _columns(cursor, table)
    names = ", ".join(f'"{column}"' for column in columns)
    select = _clone_select(columns, source, values)
    cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)
    return int(cursor.rowcount)


def _clone_chained(
    cursor: CursorWrapper,
    spec: ChainSpec,
    source: str,
    values: dict[str, str],
    params: dict[str, Any],
    *,
    after_id: int,
) -> int:
    """``_clone`` into a hash-chained table, each row chained as it is written
    (``chained_insert_sql``): every template has two rows per dispatch, each
    dispatch's lines are a chain of their own."""
    filled = {"chain_seq", "prev_hash", "entry_hash"}
    columns = [c for c in _columns(cursor, spec.table) if c not in filled]
    select = _clone_select(columns, source, values)
    cursor.execute(
        chained_insert_sql(spec, columns=columns, source=select, longest=2), params
    )
    written = int(cursor.rowcount)
    cursor.execute(
        f"SELECT count(*) FROM {spec.table} WHERE id > %s AND entry_hash IS NULL",
        [after_id],
    )
    (unchained,) = cursor.fetchone()
    if unchained:
        raise RuntimeError(f"{unchained} rows of {spec.table} left unchained")
    return written


def _next_id(cursor: CursorWrapper, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
    return int(cursor.fetchone()[0])


def _template_table(cursor: CursorWrapper, templates: list[Template]) -> None:
    cursor.execute(
        "CREATE TEMP TABLE scale_tpl (t int PRIMARY KEY, assignment_id bigint,"
        " contractor_id bigint, job_id bigint, entity_id bigint, policy_id bigint)"
        " ON COMMIT DROP"
    )
    for t, template in enumerate(templates):
        a = template.assignment
        cursor.execute(
            "INSERT INTO scale_tpl VALUES (%s, %s, %s, %s, %s, %s)",
            [t, a.pk, a.contractor_id, a.job_id, a.job.entity_id, a.policy_id],
        )
    # The template's ledger lines and certificates, numbered 0, 1 within each template.
    for kind, table in (
        ("ledger", "coverage_ledgerentry"),
        ("cert", "coverage_certificate"),
    ):
        cursor.execute(
            f"CREATE TEMP TABLE scale_tpl_{kind} ON COMMIT DROP AS"
            f" SELECT s.t, (row_number() OVER (PARTITION BY s.t ORDER BY x.line) - 1)::int AS o,"
            f" x.id FROM scale_tpl s JOIN {table} x ON x.assignment_id = s.assignment_id"
        )
        cursor.execute(f"SELECT t, count(*) FROM scale_tpl_{kind} GROUP BY t")
        counts = dict(cursor.fetchall())
        if any(counts.get(t) != 2 for t in range(len(templates))):
            raise RuntimeError(f"each template needs two {kind} rows, found {counts}")


def load(
    *,
    platform: Platform,
    templates: list[Template],
    plan: Plan,
    say: Callable[[str], None],
) -> dict[str, int]:
    """Write ``plan``'s rows for ``platform``; returns rows written per table."""
    written: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Sort memory for the window functions that number and fold the ledger's
        # chains (a sort of every generated line; at 10 M dispatches it still spills
        # to temporary files, in fewer and longer runs).
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        # Rows written earlier in this transaction (a caller's) have their deferred
        # foreign-key checks run now: a table with pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(FUNCTIONS)
        _template_table(cursor, templates)
        base = {t: _next_id(cursor, t) for t in [
            "coverage_contractor", "policies_policy", "coverage_entity", *BULK_TABLES
        ]}  # fmt: skip
        params: dict[str, Any] = {
            "platform": platform.pk,
            "templates": plan.templates,
            "techs": plan.contractors,
            "per_tech": plan.per_tech,
            "jobs": plan.jobs,
            "cpt": plan.customers_per_template,
            "customers": plan.customers,
            "n": plan.assignments,
            "start": datetime.combine(plan.start, datetime.min.time(), UTC),
            "days": plan.days,
            "per_job": PER_JOB,
            "first": FIRST_NAMES,
            "last": LAST_NAMES,
            **{f"b_{t}": n for t, n in base.items()},
        }
        started = time.monotonic()

        def step(name: str) -> None:
            say(f"  {name}: {time.monotonic() - started:.0f} s")

        dropped = [_drop_secondary(cursor, table) for table in BULK_TABLES]
        written["coverage_contractor"] = _clone(
            cursor,
            "coverage_contractor",
            "generate_series(0, %(techs)s - 1) c JOIN scale_tpl s ON s.t = c %% %(templates)s"
            " JOIN coverage_contractor tpl ON tpl.id = s.contractor_id",
            {
                "id": "%(b_coverage_contractor)s + c + 1",
                "public_id": "'cn_' || pg_temp.scale_hex(%(b_coverage_contractor)s + c + 1, 10)",
                "first_name": "(%(first)s::text[])[c %% 10 + 1]",
                "last_name": "(%(last)s::text[])[(c / 10) %% 8 + 1] || ' ' || c",
                "email": "'tech-' || c || '@scale.example'",
                "created_at": "%(start)s::timestamptz - interval '30 days'",
            },
            params,
        )
        step("contractors")
        # Three one-year terms per contractor: p = 3c + year.
        written["policies_policy"] = _clone(
            cursor,
            "policies_policy",
            "generate_series(0, 3 * %(techs)s - 1) p"
            " JOIN scale_tpl s ON s.t = (p / 3) %% %(templates)s"
            " JOIN policies_policy tpl ON tpl.id = s.policy_id",
            {
                "id": "%(b_policies_policy)s + p + 1",
                "public_id": "'pl_' || pg_temp.scale_hex(%(b_policies_policy)s + p + 1, 10)",
                "number": "'DCP-' || to_char(%(start)s::timestamptz + (p %% 3) * interval '365 days', 'YY')"
                " || '-S' || upper(pg_temp.scale_hex(%(b_policies_policy)s + p + 1, 10))",
                "contractor_id": "%(b_coverage_contractor)s + p / 3 + 1",
                "effective_at": "%(start)s::timestamptz + (p %% 3) * interval '365 days'",
                "expires_at": "%(start)s::timestamptz + (p %% 3 + 1) * interval '365 days'",
                "status": "CASE WHEN %(start)s::timestamptz + (p %% 3 + 1) * interval '365 days'"
                " < now() THEN 'expired' ELSE 'active' END",
                "term_number": "p %% 3 + 1",
                "created_at": "%(start)s::timestamptz + (p %% 3) * interval '365 days' - interval '1 day'",
                "contents_transaction_id": "NULL",
            },
            params,
        )
        step("policies")
        written["coverage_entity"] = _clone(
            cursor,
            "coverage_entity",
            "generate_series(0, %(customers)s - 1) e JOIN scale_tpl s ON s.t = e %% %(templates)s"
            " JOIN coverage_entity tpl ON tpl.id = s.entity_id",
            {
                "id": "%(b_coverage_entity)s + e + 1",
                "public_id": "'en_' || pg_temp.scale_hex(%(b_coverage_entity)s + e + 1, 10)",
                "name": "'Customer ' || e",
                "created_at": "%(start)s::timestamptz - interval '60 days'",
            },
            params,
        )
        step("customers")
        # Job j is contractor c = j % techs's (j / techs)-th; its customer is one of
        # the template's: e = t + templates * ((j / techs + c) % cpt).
        written["coverage_workjob"] = _clone(
            cursor,
            "coverage_workjob",
            "generate_series(0, %(jobs)s - 1) j"
            " JOIN scale_tpl s ON s.t = (j %% %(techs)s) %% %(templates)s"
            " JOIN coverage_workjob tpl ON tpl.id = s.job_id",
            {
                "id": "%(b_coverage_workjob)s + j + 1",
                "public_id": "'jb_' || pg_temp.scale_hex(%(b_coverage_workjob)s + j + 1, 10)",
                "name": "'Work order ' || j",
                "entity_id": "%(b_coverage_entity)s + s.t + %(templates)s"
                " * ((j / %(techs)s + j %% %(techs)s) %% %(cpt)s) + 1",
                "created_at": "%(start)s::timestamptz + ((j / %(techs)s) * %(per_job)s"
                " * %(days)s / %(per_tech)s) * interval '1 day' - interval '2 days'",
            },
            params,
        )
        step("jobs")
        # Dispatch i: contractor c = i % techs, its k-th (k = i / techs), on day
        # (k + (c % 100) / 100) * days / per_tech of the set, 06:00-15:45 UTC: a
        # contractor's days are at least days / per_tech >= 1 apart, and the
        # contractors' offsets spread every day's load evenly.
        cursor.execute(
            "CREATE TEMP TABLE scale_asg ON COMMIT DROP AS SELECT i, c, k, c %% %(templates)s AS t,"
            " %(b_coverage_assignment)s + i + 1 AS id,"
            " %(b_coverage_contractor)s + c + 1 AS contractor_id,"
            " %(b_coverage_workjob)s + (k / %(per_job)s) * %(techs)s + c + 1 AS job_id,"
            " %(b_coverage_entity)s + c %% %(templates)s + %(templates)s"
            "   * ((k / %(per_job)s + c) %% %(cpt)s) + 1 AS entity_id,"
            " %(b_policies_policy)s + 3 * c + least(day / 365, 2) + 1 AS policy_id,"
            " %(start)s::timestamptz + (least(day / 365, 2) + 1) * interval '365 days'"
            "   AS policy_expires_at,"
            " (%(first)s::text[])[c %% 10 + 1] || ' ' || (%(last)s::text[])[(c / 10) %% 8 + 1]"
            "   || ' ' || c AS tech_name,"
            " %(start)s::timestamptz + day * interval '1 day' + interval '6 hours'"
            "   + ((c * 7 + k) %% 10) * interval '1 hour' + (i %% 4) * interval '15 minutes'"
            "   AS effective_at,"
            " %(start)s::timestamptz + (day + 1) * interval '1 day' AS day_end,"
            " %(start)s::timestamptz + day * interval '1 day'"
            "   - (1 + k %% 3) * interval '1 day' + interval '17 hours' AS created_at"
            " FROM (SELECT i, i %% %(techs)s AS c, i / %(techs)s AS k,"
            "   ((i / %(techs)s) * 100 + i %% %(techs)s %% 100) * %(days)s"
            "   / (%(per_tech)s * 100) AS day"
            "   FROM generate_series(0::bigint, %(n)s - 1) i) g",
            params,
        )
        step("dispatch plan")
        written["coverage_assignment"] = _clone(
            cursor,
            "coverage_assignment",
            "scale_asg a JOIN scale_tpl s ON s.t = a.t"
            " JOIN coverage_assignment tpl ON tpl.id = s.assignment_id",
            {
                "id": "a.id",
                "public_id": "'an_' || pg_temp.scale_hex(a.id, 10)",
                "contractor_id": "a.contractor_id",
                "job_id": "a.job_id",
                "policy_id": "a.policy_id",
                "effective_at": "a.effective_at",
                # The template's window shape: end of its UTC day, work for its hours.
                "end_at": "a.day_end",
                "work_end_at": "a.effective_at + (tpl.work_end_at - tpl.effective_at)",
                "created_at": "a.created_at",
                "updated_at": "a.created_at",
            },
            params,
        )
        step("dispatches")
        # The ledger's hash chain trigger (coverage.ledger_chain) is off for the load:
        # the generated lines are chained as they are written, each a chain of its own.
        cursor.execute(
            f"ALTER TABLE coverage_ledgerentry DISABLE TRIGGER {LEDGER_CHAIN.trigger}"
        )
        written["coverage_ledgerentry"] = _clone_chained(
            cursor,
            LEDGER_CHAIN,
            "scale_asg a JOIN scale_tpl_ledger l ON l.t = a.t"
            " JOIN coverage_ledgerentry tpl ON tpl.id = l.id",
            {
                "id": "%(b_coverage_ledgerentry)s + 2 * a.i + l.o + 1",
                "assignment_id": "a.id",
                "contractor_id": "a.contractor_id",
                "entity_id": "a.entity_id",
                "books_on": "(a.effective_at AT TIME ZONE 'UTC')::date",
                "created_at": "a.created_at",
            },
            params,
            after_id=base["coverage_ledgerentry"],
        )
        cursor.execute(
            f"ALTER TABLE coverage_ledgerentry ENABLE TRIGGER {LEDGER_CHAIN.trigger}"
        )
        step("ledger")
        number = "'COI-' || upper(pg_temp.scale_hex(%(b_coverage_certificate)s + 2 * a.i + x.o + 1, 26))"
        written["coverage_certificate"] = _clone(
            cursor,
            "coverage_certificate",
            "scale_asg a JOIN scale_tpl_cert x ON x.t = a.t"
            " JOIN coverage_certificate tpl ON tpl.id = x.id",
            {
                "id": "%(b_coverage_certificate)s + 2 * a.i + x.o + 1",
                "number": number,
                "assignment_id": "a.id",
                "policy_id": "a.policy_id",
                "effective_at": "a.effective_at",
                "end_at": "a.day_end",
                "policy_expires_at": "a.policy_expires_at",
                "insured_name": "a.tech_name",
                "holder_name": "'Customer ' || (a.entity_id - %(b_coverage_entity)s - 1)",
                # The fields that differ per certificate (the rest is the template's,
                # an ACORD layout's static parts: see docs/architecture.md on sizes).
                "document": f"jsonb_build_object('number', {number}, 'issued_on',"
                " (a.created_at AT TIME ZONE 'UTC')::date::text, 'template', tpl.id)",
                "issued_at": "a.created_at",
                "render_pending": "false",
                "rendered_at": "a.created_at",
            },
            params,
        )
        step("certificates")
        for table in BULK_TABLES + [
            "coverage_contractor",
            "coverage_entity",
            "policies_policy",
        ]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        for entry in dropped:
            _restore(cursor, entry)
            step(f"indexes and constraints of {entry.table}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys again
    with connection.cursor() as cursor:
        for table in BULK_TABLES + [
            "coverage_contractor",
            "coverage_entity",
            "policies_policy",
        ]:
            cursor.execute(f"ANALYZE {table}")
    return written

"""Duplicate live dispatches booked before the database refused them (issue 14, item 6).

The exclusion constraint ``coverage_assignment_one_per_window`` cannot be added while
two live dispatches of one contractor on one job overlap. These helpers find them in
raw SQL (the migrations use them, so they name tables, not models): each later
dispatch that overlaps an earlier live one is a duplicate; the earliest is kept.
``manage.py resolve_duplicate_dispatches`` cancels the duplicates through the
cancellation service; the migration that adds the constraint refuses until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

CONSTRAINT = "coverage_assignment_one_per_window"

_LIVE = "{a}.cancelled_at IS NULL AND {a}.deleted_at IS NULL"
_WINDOW = "tstzrange({a}.effective_at, coalesce({a}.work_end_at, {a}.end_at), '[)')"

DUPLICATES_SQL = f"""
SELECT DISTINCT ON (d.id) d.id, d.public_id, k.id, k.public_id, c.public_id,
       j.public_id, d.effective_at, coalesce(d.work_end_at, d.end_at)
  FROM coverage_assignment d
  JOIN coverage_assignment k
    ON k.contractor_id = d.contractor_id AND k.job_id = d.job_id AND k.id < d.id
   AND {_LIVE.format(a="k")} AND {_WINDOW.format(a="k")} && {_WINDOW.format(a="d")}
  JOIN coverage_contractor c ON c.id = d.contractor_id
  JOIN coverage_workjob j ON j.id = d.job_id
 WHERE {_LIVE.format(a="d")}
 ORDER BY d.id, k.id
"""


@dataclass(frozen=True)
class Duplicate:
    id: int
    public_id: str
    kept_id: int
    kept_public_id: str
    contractor: str
    job: str
    starts: datetime
    ends: datetime

    def __str__(self) -> str:
        return (
            f"{self.public_id} duplicates {self.kept_public_id} (contractor "
            f"{self.contractor}, job {self.job}, {self.starts:%Y-%m-%d %H:%M} to "
            f"{self.ends:%Y-%m-%d %H:%M} UTC)"
        )


def find_duplicates(connection: Any) -> list[Duplicate]:
    """Every live dispatch that overlaps an earlier live one (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(DUPLICATES_SQL)
        return [Duplicate(*row) for row in cursor.fetchall()]


def refusal(duplicates: list[Duplicate]) -> str:
    listed = "\n".join(f"  {d}" for d in duplicates)
    return (
        f"{len(duplicates)} duplicate live dispatch(es): the same contractor on the same "
        "job in overlapping windows, booked before the database refused them. The rule "
        f"{CONSTRAINT} cannot be added while they stand:\n{listed}\n"
        "Run `manage.py resolve_duplicate_dispatches` (it keeps the earliest of each and "
        "cancels the later ones through the cancellation service: premium reversed in "
        "the ledger, certificates revoked, the platform told), then `manage.py migrate` "
        "again."
    )


def constraint_exists(connection: Any) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [CONSTRAINT])
        return cursor.fetchone() is not None

"""What the portal's pickers offer, and the rows matching what was typed (one query).

The forms' choices and the search endpoints start from the same querysets, so a
search never offers a row the form would refuse, nor the form accept one the search
would not show. The scope they start from (the platform) is the caller's:
``coverage.access.pickable`` for a request, the form's platform for a form.
"""

from __future__ import annotations

from coverage.models import Contractor, WorkJob
from coverage.models.base import one_of
from coverage.models.dispatch import WorkJobQuerySet
from coverage.models.parties import ContractorQuerySet, EntityQuerySet
from portal.pickers import SHOWN, Matches, Option, matches


def tech_label(contractor: Contractor) -> str:
    state = contractor.residence_state
    return f"{contractor.legal_name} ({state})" if state else contractor.legal_name


def job_label(job: WorkJob) -> str:
    where = ", ".join(p for p in (job.address_locality, job.address_region) if p)
    return f"{job.entity.name} — {job.name} ({where})" if where else job.name


def techs(scope: ContractorQuerySet) -> ContractorQuerySet:
    """Techs who can be dispatched: live, and not an underwriter's commercial account."""
    return scope.live().techs().order_by("last_name", "first_name", "pk")


def customers(scope: EntityQuerySet) -> EntityQuerySet:
    return scope.live().order_by("name", "pk")


def jobs(scope: WorkJobQuerySet) -> WorkJobQuerySet:
    return (
        scope.live()
        .select_related("entity", "category_code")
        .order_by("entity__name", "name", "pk")
    )


CANDIDATES = 1000


def tech_matches(scope: ContractorQuerySet, q: str) -> Matches:
    # One more than shown, to know whether there are more.
    found = (
        techs(scope)
        .search(q)
        .only(
            "public_id",
            "first_name",
            "middle_name",
            "last_name",
            "email",
            "address_region",
        )[: SHOWN + 1]
    )
    return matches([Option(c.public_id, tech_label(c), c.email) for c in found])


def customer_matches(scope: EntityQuerySet, q: str) -> Matches:
    found = (
        customers(scope)
        .search(q)
        .only("public_id", "name", "address_locality", "address_region")[: SHOWN + 1]
    )
    return matches(
        [
            Option(
                e.public_id,
                e.name,
                ", ".join(p for p in (e.address_locality, e.address_region) if p),
            )
            for e in found
        ]
    )


def job_matches(scope: WorkJobQuerySet, q: str, *, customer: str = "") -> Matches:
    found = scope.live().search(q)
    if customer:
        found = found.filter(entity__public_id=customer)
    # Sorted among at most CANDIDATES matches, found unordered (an index bitmap for a
    # rare word, the first rows of a scan for a common one) so that no word makes the
    # database sort a big platform's every job; past that many, the list says "type
    # more" and shows twenty of them in order. Still one query.
    candidates = found.order_by().values("pk")[:CANDIDATES]
    rows = jobs(scope.filter(one_of("pk", candidates))).only(
        "public_id",
        "name",
        "address_locality",
        "address_region",
        "entity__name",
        "category_code__name",
    )[: SHOWN + 1]
    return matches(
        [
            Option(
                j.public_id,
                job_label(j),
                j.category_code.name if j.category_code else "",
            )
            for j in rows
        ]
    )

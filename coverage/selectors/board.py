"""The dispatcher's board: one day's tickets, filtered, sorted, paged and summed. Reads only.

The board reads the precomputed columns (eligibility message, rating snapshot,
premium), so a page of tickets costs the same handful of queries whatever its size;
each row is a ``coverage.selectors.tickets.Ticket``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest

from coverage.models import Assignment, Certificate, contractor_named
from coverage.selectors.crews import group_crews
from coverage.selectors.tickets import (
    STATUS_FILTERS,
    Status,
    Ticket,
    for_display,
    ticket,
    visible_tickets,
    with_status,
)
from portal.models import Platform, User
from portal.pagination import Page
from portal.zones import UTC_ZONE, day_bounds

PAGE_SIZE = 100
# The page sizes the board offers (``per_page`` in its URL).
PAGE_SIZES = (25, 100, 500)


# Sort keys the board accepts, each with a tie-breaker so pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "start": ("effective_at", "pk"),
    "-start": ("-effective_at", "-pk"),
    "tech": ("contractor__last_name", "contractor__first_name", "effective_at", "pk"),
    "-tech": (
        "-contractor__last_name",
        "-contractor__first_name",
        "effective_at",
        "pk",
    ),
    "customer": ("job__entity__name", "effective_at", "pk"),
    "-customer": ("-job__entity__name", "effective_at", "pk"),
    "state": ("job__address_region", "effective_at", "pk"),
    "-state": ("-job__address_region", "effective_at", "pk"),
    "premium": ("premium", "effective_at", "pk"),
    "-premium": ("-premium", "effective_at", "pk"),
}
DEFAULT_SORT = "start"
CREW_SORTS = ("start", "-start")


@dataclass(frozen=True)
class BoardFilters:
    day: date
    platform: Platform | None = None
    state: str = ""
    status: str = ""
    tech: str = ""  # contractor public id
    customer: str = ""  # entity public id
    q: str = ""
    sort: str = DEFAULT_SORT
    # The dispatcher's zone: the board's day is their local day (a dispatch at 20:00
    # in New Jersey is on today's board, though it is tomorrow in UTC).
    zone: tzinfo = UTC_ZONE


def day_range(day: date, zone: tzinfo = UTC_ZONE) -> tuple[datetime, datetime]:
    """The instants a board day starts and ends in the dispatcher's zone."""
    return day_bounds(day, zone)


def board_queryset(
    user: User, filters: BoardFilters, *, at: datetime
) -> QuerySet[Assignment]:
    """The dispatches starting on ``filters.day`` that ``user`` may see, filtered."""
    first, after = day_range(filters.day, filters.zone)
    found = visible_tickets(user).filter(
        effective_at__gte=first, effective_at__lt=after
    )
    if filters.platform is not None:
        found = found.filter(platform=filters.platform)
    if filters.state:
        found = found.filter(job__address_region=filters.state)
    if filters.tech:
        found = found.filter(contractor__public_id=filters.tech)
    if filters.customer:
        found = found.filter(job__entity__public_id=filters.customer)
    for term in filters.q.split():
        found = found.filter(
            contractor_named(term, via="contractor__")
            | Q(job__entity__name__icontains=term)
            | Q(job__name__icontains=term)
            | Q(job__address_locality__icontains=term)
            | Q(public_id=term)
        )
    found = with_status(found, at=at)
    if filters.status:
        found = found.filter(STATUS_FILTERS[filters.status])
    return found


@dataclass(frozen=True)
class Summary:
    total: int
    covered: int
    pending: int
    not_covered: int
    cancelled: int
    premium: int
    last_change: datetime | None
    # A certificate issued, revoked (e.g. by a later policy cancellation, which does not
    # touch the dispatch) or its PDF rendered: the row's certificate links change.
    certificates_changed: datetime | None = None

    @property
    def version(self) -> str:
        """Changes whenever a ticket on the board is added, removed or changed.

        An opt-in link expiring changes ``pending`` without any write, so the counts
        are part of it, not only the latest change.
        """
        stamp = self.last_change.timestamp() if self.last_change else 0
        certificates = (
            self.certificates_changed.timestamp() if self.certificates_changed else 0
        )
        return "-".join(
            str(n)
            for n in (
                self.total,
                self.covered,
                self.pending,
                self.cancelled,
                self.premium,
                stamp,
                certificates,
            )
        )


def summarize(queryset: QuerySet[Assignment]) -> Summary:
    """Counts per status, premium and the latest change of the filtered board: one query."""
    # Per row, the latest certificate event; a subquery, because joining certificates
    # would multiply the counts and the premium.
    latest_certificate = Subquery(
        Certificate.objects.filter(assignment=OuterRef("pk"))
        .annotate(
            changed=Greatest(
                Coalesce("revoked_at", "issued_at"),
                Coalesce("rendered_at", "issued_at"),
            )
        )
        .order_by("-changed")
        .values("changed")[:1]
    )
    figures = (
        queryset.order_by()
        .annotate(certificate_change=latest_certificate)
        .aggregate(
            total=Count("pk"),
            covered=Count("pk", filter=STATUS_FILTERS[Status.COVERED]),
            pending=Count("pk", filter=STATUS_FILTERS[Status.PENDING]),
            not_covered=Count("pk", filter=STATUS_FILTERS[Status.NOT_COVERED]),
            cancelled=Count("pk", filter=STATUS_FILTERS[Status.CANCELLED]),
            premium=Sum("premium"),
            last_change=Max("updated_at"),
            certificates_changed=Max("certificate_change"),
        )
    )
    figures["premium"] = figures["premium"] or 0
    return Summary(**figures)


# What the board's rows never read of the five models fetched with each ticket (two
# thirds of their columns: contact details, tax ids, contract terms, metadata). A
# query-count test would catch a row reading one of them (a query per row).
BOARD_DEFERRED = (
    *(
        f"contractor__{name}"
        for name in (
            "address_line1",
            "address_line2",
            "address_locality",
            "address_postalcode",
            "address_country",
            "email",
            "phone",
            "company_name",
            "tax_identification",
            "custom_metadata",
            "withhold_premium",
            "created_at",
            "deleted_at",
        )
    ),
    *(
        f"job__entity__{name}"
        for name in (
            "address_line1",
            "address_line2",
            "address_locality",
            "address_region",
            "address_postalcode",
            "address_country",
            "aggregate_limit",
            "occurrence_limit",
            "minimum_limits",
            "additional_insureds",
            "waiver_of_subrogation",
            "primary_non_contributory",
            "certificate_holder",
            "created_at",
            "deleted_at",
        )
    ),
    *(
        f"job__{name}"
        for name in (
            "address_line1",
            "address_line2",
            "address_postalcode",
            "address_country",
            "description",
            "custom_metadata",
            "years_experience",
            "created_at",
            "deleted_at",
        )
    ),
    "job__category_code__description",
    "job__category_code__created_at",
    "platform__hosted_flow_allowed_redirect_hosts",
    "platform__default_insurance_requirement",
    "platform__created_at",
    "policy__contents_transaction",
)


def board_page(
    queryset: QuerySet[Assignment],
    *,
    sort: str,
    page: Page,
    at: datetime,
    since: datetime | None,
) -> list[Ticket]:
    rows = (
        for_display(queryset, at=at)
        .defer(*BOARD_DEFERRED)
        .order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    )
    found = [
        ticket(assignment, since=since)
        for assignment in rows[page.offset : page.offset + page.size]
    ]
    # In time order a crew (several techs on one job) shows under one ticket; sorted
    # by tech, customer, state or premium, each row keeps its place.
    return group_crews(found) if sort in CREW_SORTS else found


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def filter_options(
    user: User, filters: BoardFilters
) -> tuple[list[Option], list[Option]]:
    """The techs and customers of the day's tickets, for the board's pickers: one query.

    A tech or customer picked from elsewhere (the contractor page) stays selectable
    even on a day they have no ticket.
    """
    first, after = day_range(filters.day, filters.zone)
    scope = visible_tickets(user)
    if filters.platform is not None:
        scope = scope.filter(platform=filters.platform)
    wanted = Q(effective_at__gte=first, effective_at__lt=after)
    if filters.tech:
        wanted |= Q(contractor__public_id=filters.tech)
    if filters.customer:
        wanted |= Q(job__entity__public_id=filters.customer)
    rows = (
        scope.filter(wanted)
        .values_list(
            "contractor__public_id",
            "contractor__first_name",
            "contractor__last_name",
            "job__entity__public_id",
            "job__entity__name",
        )
        .order_by()
        .distinct()
    )
    techs: dict[str, str] = {}
    customers: dict[str, str] = {}
    for tech_id, first_name, last_name, customer_id, customer_name in rows:
        techs[tech_id] = f"{first_name} {last_name}"
        customers[customer_id] = customer_name
    return (
        [Option(k, v) for k, v in sorted(techs.items(), key=lambda kv: kv[1])],
        [Option(k, v) for k, v in sorted(customers.items(), key=lambda kv: kv[1])],
    )

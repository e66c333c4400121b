"""Demo data for the contractor side: the sample rate book, approved for the demo platform,
customers-of-record in NJ, PA and NY, techs, jobs, three techs who opted in a week ago,
and a realistic day of dispatches on the board — covered and not, one cancelled, one
with an opt-in link out — plus the past few days (for the premium chart) and tomorrow,
with the covered dispatches' certificates rendered.

Running it again the same day changes nothing; on a later day it adds that day's
tickets (``make run`` seeds every time, so the board is never empty)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from coverage import certificates
from coverage.models import Assignment, CategoryCode, Contractor, Entity, WorkJob
from coverage.rating.book import import_rate_book_file
from coverage.services import (
    bind_policy_from_quote,
    cancel_assignment,
    create_assignment,
    create_quote,
    send_opt_in,
)
from coverage.services.dates import start_of_day
from coverage.services.onboarding import ALL_TRADES, onboard_platform
from policies.lines import CoverageType
from portal.demo import DemoContext
from portal.models import Platform

# Labelled in the file and on every rate (source): SAMPLE — not filed rates.
SAMPLE_RATE_BOOK = Path(__file__).resolve().parent / "data" / "sample_rate_book.csv"

WC, GL = CoverageType.WORKERS_COMP.value, CoverageType.GENERAL.value
DEMO_ENTITY = "Harbor Property Group"
DEMO_TIME_ZONE = "America/New_York"
DEMO_REDIRECT_HOSTS = ["localhost", "127.0.0.1"]
HVAC = "HVAC service and repair"
CLEANING = "Commercial cleaning (janitorial)"
ELECTRICAL = "Electrical service and repair"
# (name, street, city, state, postal code, required coverage)
DEMO_ENTITIES = [
    (DEMO_ENTITY, "200 Broad St", "Newark", "NJ", "07102", [GL, WC]),
    ("Liberty Bell Offices", "1600 Market St", "Philadelphia", "PA", "19103", [GL, WC]),
    ("Empire Towers Management", "350 5th Ave", "New York", "NY", "10118", [GL]),
]
# (first, last, email, residence state)
DEMO_CONTRACTORS = [
    ("Terry", "Tech", "terry.tech@demo.example", "NJ"),
    ("Priya", "Patel", "priya.patel@demo.example", "NJ"),
    ("Pat", "Kowalski", "pat.kowalski@demo.example", "PA"),
    ("Nia", "Okafor", "nia.okafor@demo.example", "NY"),
]
# (name, customer, trade, state, city, wage in cents)
DEMO_JOBS = [
    ("HVAC tune-up, Newark office", DEMO_ENTITY, HVAC, "NJ", "Newark", 25_000),
    ("HVAC tune-up, Philadelphia office", "Liberty Bell Offices", HVAC, "PA", "Philadelphia", 25_000),
    ("Nightly cleaning, Newark lobby", DEMO_ENTITY, CLEANING, "NJ", "Newark", 18_000),
    ("Rooftop unit repair, Jersey City", DEMO_ENTITY, HVAC, "NJ", "Jersey City", 42_000),
    ("Panel upgrade, Brooklyn", "Empire Towers Management", ELECTRICAL, "NY", "Brooklyn", 60_000),
    ("Boiler service, Manhattan", "Empire Towers Management", HVAC, "NY", "New York", 38_000),
]  # fmt: skip
OPTED_IN_EMAIL = "terry.tech@demo.example"
# Who opted in a week before the demo's first day, and for which job's terms.
OPT_INS = [
    ("terry.tech@demo.example", "HVAC tune-up, Newark office"),
    ("pat.kowalski@demo.example", "HVAC tune-up, Philadelphia office"),
    ("nia.okafor@demo.example", "Panel upgrade, Brooklyn"),
]
# A day on the board: (start, hours, tech, job, what happens after). Seed 001's
# stories: Pat covered in PA but not on the NJ job (work state), Nia covered for
# electrical but not for HVAC (trade), Priya never opted in (a link goes out).
DAY_PLAN = [
    ("12:30", 2, "terry.tech@demo.example", "HVAC tune-up, Newark office", ""),
    ("13:00", 3, "pat.kowalski@demo.example", "HVAC tune-up, Philadelphia office", ""),
    ("13:30", 4, "nia.okafor@demo.example", "Panel upgrade, Brooklyn", ""),
    ("15:00", 2, "terry.tech@demo.example", "Rooftop unit repair, Jersey City", ""),
    ("17:30", 2, "pat.kowalski@demo.example", "HVAC tune-up, Newark office", ""),
    ("19:00", 2, "nia.okafor@demo.example", "Boiler service, Manhattan", ""),
    ("20:00", 2, "terry.tech@demo.example", "HVAC tune-up, Newark office", "cancel"),
    (
        "22:00",
        3,
        "priya.patel@demo.example",
        "Nightly cleaning, Newark lobby",
        "opt_in",
    ),
]
PAST_DAYS = 5
# Tomorrow so far: covered tickets and the two that need a new opt-in.
TOMORROW_PLAN = DAY_PLAN[:6]


def seed(context: DemoContext) -> None:
    platform = context.objects["platform"]
    assert isinstance(platform, Platform)
    # The same import `manage.py import_rates` runs; a second seed changes nothing.
    result = import_rate_book_file(path=SAMPLE_RATE_BOOK)
    context.out.write(
        f"Sample rate book (SAMPLE — not filed rates): {result.summary()}\n"
    )
    # The platform is onboarded as `manage.py onboard_platform` does it.
    onboard_platform(
        name=platform.name,
        trades=[ALL_TRADES],
        time_zone=DEMO_TIME_ZONE,
        redirect_hosts=DEMO_REDIRECT_HOSTS,
        default_requirement=[GL, WC],
    )
    _seed_dispatches(platform, context)


def _parties(platform: Platform) -> tuple[dict[str, Contractor], dict[str, WorkJob]]:
    entities = {}
    for name, street, city, state, postal, required in DEMO_ENTITIES:
        entities[name], _ = Entity.objects.get_or_create(
            platform=platform,
            name=name,
            defaults={
                "address_line1": street,
                "address_locality": city,
                "address_region": state,
                "address_postalcode": postal,
                "required_coverage": required,
                "aggregate_limit": 200_000_000,
                "occurrence_limit": 100_000_000,
            },
        )
    contractors = {}
    for first, last, email, state in DEMO_CONTRACTORS:
        contractors[email], _ = Contractor.objects.get_or_create(
            platform=platform,
            email=email,
            defaults={"first_name": first, "last_name": last, "address_region": state},
        )
    jobs = {}
    for name, customer, trade, state, city, wage in DEMO_JOBS:
        jobs[name], _ = WorkJob.objects.get_or_create(
            platform=platform,
            name=name,
            defaults={
                "entity": entities[customer],
                "category_code": CategoryCode.objects.get(name=trade),
                "wage": wage,
                "wage_type": WorkJob.WageType.FLATFEE,
                "address_locality": city,
                "address_region": state,
            },
        )
    return contractors, jobs


def _opt_in(
    contractors: dict[str, Contractor], jobs: dict[str, WorkJob], at: datetime
) -> None:
    """Quote and bind the techs' policies as if they had opted in at ``at`` (for a year)."""
    for email, job_name in OPT_INS:
        tech = contractors[email]
        if tech.quotes.exists():
            continue
        start = start_of_day(at.date() + timedelta(days=1))
        quote = create_quote(
            contractor=tech,
            job=jobs[job_name],
            lines=[WC, GL],
            effective_at=start,
            end_at=start + timedelta(days=364),
            now=at,
        )
        bind_policy_from_quote(quote=quote, now=at)


def _seed_day(
    platform: Platform,
    plan: list[tuple[str, int, str, str, str]],
    *,
    day: datetime,
    contractors: dict[str, Contractor],
    jobs: dict[str, WorkJob],
    now: datetime,
) -> int:
    """The day's tickets, reported the evening before, unless the day has some already."""
    first, after = day, day + timedelta(days=1)
    if Assignment.objects.filter(
        platform=platform, effective_at__gte=first, effective_at__lt=after
    ).exists():
        return 0
    reported_at = first - timedelta(hours=2)
    for start, hours, email, job_name, then in plan:
        starts = datetime.combine(first.date(), time.fromisoformat(start), first.tzinfo)
        ticket = create_assignment(
            contractor=contractors[email],
            job=jobs[job_name],
            lines=list(jobs[job_name].entity.required_coverage),
            effective_at=starts,
            end_at=starts + timedelta(hours=hours),
            now=reported_at,
        )
        if then == "cancel":
            cancel_assignment(
                assignment=ticket, reason="customer rescheduled", now=reported_at
            )
        elif then == "opt_in" and starts > now:
            # The portal shows the link built from the request's host; the demo
            # has no request, so the session stores the path.
            send_opt_in(
                assignment=ticket,
                url_for=lambda token: reverse("coverage:apply", args=[token]),
                now=now,
            )
    return len(plan)


def _seed_dispatches(platform: Platform, context: DemoContext) -> None:
    contractors, jobs = _parties(platform)
    now = timezone.now()
    # The plan's clock times are UTC, a New York working day (07:30 to 17:00 in
    # winter). "Today" is the platform's day, which the board shows: between midnight
    # UTC and midnight in New York the UTC date is already tomorrow there.
    today = start_of_day(timezone.localtime(now, ZoneInfo(DEMO_TIME_ZONE)).date())
    _opt_in(contractors, jobs, at=today - timedelta(days=PAST_DAYS + 2))
    created = 0
    for back in range(PAST_DAYS, 0, -1):
        # A different mix of the day's first six tickets each day, so the premium
        # chart has a shape.
        plan = [row for i, row in enumerate(DAY_PLAN[:6]) if (i + back) % 3 or i == 0]
        day = today - timedelta(days=back)
        created += _seed_day(
            platform, plan, day=day, contractors=contractors, jobs=jobs, now=now
        )
    created += _seed_day(
        platform, DAY_PLAN, day=today, contractors=contractors, jobs=jobs, now=now
    )
    created += _seed_day(
        platform,
        TOMORROW_PLAN,
        day=today + timedelta(days=1),
        contractors=contractors,
        jobs=jobs,
        now=now,
    )
    context.out.write(f"Demo dispatches: {created} tickets added\n")
    _seed_certificates(platform, context, now=now)


def _seed_certificates(
    platform: Platform, context: DemoContext, *, now: datetime
) -> None:
    covered = (
        Assignment.objects.filter(
            platform=platform,
            eligible=True,
            bind=True,
            cancelled_at__isnull=True,
            deleted_at__isnull=True,
        )
        .select_related("platform", "contractor", "job__entity", "policy")
        .order_by("pk")
    )
    for assignment in covered:
        # Issues only what is missing (a database seeded before certificates existed):
        # a second run finds nothing to do.
        certificates.issue_certificates(assignment=assignment, now=now)
    # Rendered here rather than left to the worker, which may not be running.
    rendered = certificates.render_pending_certificates()
    if rendered:
        context.out.write(f"Demo certificates: rendered {rendered} PDF(s)\n")

"""Demo data for the contractor side: the sample rate book, approved for the demo platform,
then a customer-of-record, techs in NJ and PA, jobs, and one tech who opted in and was
dispatched a few times (covered and not), with the covered dispatch's certificates
rendered. Running it again changes nothing."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from coverage import certificates
from coverage.models import Assignment, CategoryCode, Contractor, Entity, WorkJob
from coverage.rate_book import import_rate_book_file
from coverage.services import (
    bind_policy_from_quote,
    create_assignment,
    create_quote,
)
from policies.models import CoverageType
from portal.demo import DemoContext
from portal.models import Platform

# Labelled in the file and on every rate (source): SAMPLE — not filed rates.
SAMPLE_RATE_BOOK = Path(__file__).resolve().parent / "data" / "sample_rate_book.csv"

DEMO_ENTITY = "Harbor Property Group"
HVAC = "HVAC service and repair"
CLEANING = "Commercial cleaning (janitorial)"
# (first, last, email, residence state)
DEMO_CONTRACTORS = [
    ("Terry", "Tech", "terry.tech@demo.example", "NJ"),
    ("Priya", "Patel", "priya.patel@demo.example", "NJ"),
    ("Pat", "Kowalski", "pat.kowalski@demo.example", "PA"),
]
# (name, category, work state, city, wage in cents)
DEMO_JOBS = [
    ("HVAC tune-up, Newark office", HVAC, "NJ", "Newark", 25_000),
    ("HVAC tune-up, Philadelphia office", HVAC, "PA", "Philadelphia", 25_000),
    ("Nightly cleaning, Newark lobby", CLEANING, "NJ", "Newark", 18_000),
]
OPTED_IN_EMAIL = "terry.tech@demo.example"


def seed(context: DemoContext) -> None:
    platform = context.objects["platform"]
    assert isinstance(platform, Platform)
    # The same import `manage.py import_rates` runs; a second seed changes nothing.
    result = import_rate_book_file(path=SAMPLE_RATE_BOOK, approve_for=[platform])
    context.out.write(
        f"Sample rate book (SAMPLE — not filed rates): {result.summary()}\n"
    )
    _seed_dispatches(platform, context)


def _seed_dispatches(platform: Platform, context: DemoContext) -> None:
    entity, _ = Entity.objects.get_or_create(
        platform=platform,
        name=DEMO_ENTITY,
        defaults={
            "address_line1": "200 Broad St",
            "address_locality": "Newark",
            "address_region": "NJ",
            "address_postalcode": "07102",
            "required_coverage": [CoverageType.GENERAL, CoverageType.WORKERS_COMP],
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
    jobs = []
    for name, category, state, city, wage in DEMO_JOBS:
        job, _ = WorkJob.objects.get_or_create(
            platform=platform,
            name=name,
            defaults={
                "entity": entity,
                "category_code": CategoryCode.objects.get(name=category),
                "wage": wage,
                "wage_type": WorkJob.WageType.FLATFEE,
                "address_locality": city,
                "address_region": state,
            },
        )
        jobs.append(job)

    tech = contractors[OPTED_IN_EMAIL]
    if tech.quotes.exists():
        # Seeded before: the opt-in and its dispatches exist. A database seeded before
        # certificates existed gets them now.
        _seed_certificates(tech, context)
        return
    now = timezone.now()
    newark_hvac, philadelphia_hvac, newark_cleaning = jobs
    quote = create_quote(
        contractor=tech,
        job=newark_hvac,
        lines=[CoverageType.WORKERS_COMP, CoverageType.GENERAL],
        effective_at=None,
        end_at=None,
        now=now,
    )
    policy = bind_policy_from_quote(quote=quote, now=now)
    # Covered; then WC in another state and another trade, which need a new opt-in.
    for job in (newark_hvac, philadelphia_hvac, newark_cleaning):
        create_assignment(
            contractor=tech,
            job=job,
            lines=None,
            effective_at=None,
            end_at=None,
            now=now,
        )
    context.out.write(
        f"Demo dispatches: {tech.legal_name} opted in ({policy.number}), 3 assignments\n"
    )
    _seed_certificates(tech, context)


def _seed_certificates(tech: Contractor, context: DemoContext) -> None:
    now = timezone.now()
    covered = (
        Assignment.objects.filter(
            contractor=tech,
            eligible=True,
            bind=True,
            cancelled_at__isnull=True,
            deleted_at__isnull=True,
        )
        .select_related("platform", "contractor", "job__entity", "policy")
        .order_by("pk")
    )
    for assignment in covered:
        # Issues only what is missing: a second run finds nothing to do.
        certificates.issue_certificates(assignment=assignment, now=now)
    # Rendered here rather than left to the worker, which may not be running.
    rendered = certificates.render_pending_certificates()
    if rendered:
        context.out.write(f"Demo certificates: rendered {rendered} PDF(s)\n")

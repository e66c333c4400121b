"""Many tickets on one day, quickly: a few reported through the services (covered with
certificates, uncovered, pending with an opt-in link, cancelled), the rest bulk-created
copies with their own techs and jobs, for query-count tests and the benchmark."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coverage.models import (
    Assignment,
    CategoryCode,
    Contractor,
    Entity,
    LedgerEntry,
    WorkJob,
)
from coverage.services import cancel_assignment, send_opt_in
from portal.models import Platform
from tests.coverage.helpers import GL, WC, make_job
from tests.coverage.portal_helpers import at, opted_in, ticket, today
from tests.policies.helpers import make_contractor


def seed_day(platform: Platform, category: CategoryCode, n: int) -> list[Assignment]:
    """``n`` (at least 4) tickets starting today, every status represented."""
    terry = make_contractor(platform, email="terry@many.example")
    opted_in(terry, category)
    job = make_job(platform, category=category)
    covered = ticket(terry, job, hour=6)
    uncovered = ticket(make_contractor(platform, email="uma@many.example"), job, hour=6)
    later = ticket(make_contractor(platform, email="pia@many.example"), job, hour=23)
    send_opt_in(assignment=later, url_for=lambda t: f"http://x/{t}", now=timezone.now())
    gone = ticket(terry, job, hour=22)
    cancel_assignment(assignment=gone, now=gone.effective_at - timedelta(hours=1))
    made = [covered, uncovered, later, gone]
    made += _copies(platform, category, covered, uncovered, n - len(made))
    return made


def _copies(
    platform: Platform,
    category: CategoryCode,
    covered: Assignment,
    uncovered: Assignment,
    count: int,
) -> list[Assignment]:
    entities = Entity.objects.bulk_create(
        [Entity(platform=platform, name=f"Customer {i:03}") for i in range(count)]
    )
    techs = Contractor.objects.bulk_create(
        [
            Contractor(
                platform=platform,
                first_name=f"Tech{i:03}",
                last_name="Copy",
                email=f"copy{i}@many.example",
                address_region="NJ",
            )
            for i in range(count)
        ]
    )
    jobs = WorkJob.objects.bulk_create(
        [
            WorkJob(
                platform=platform,
                entity=entities[i],
                name=f"Job {i:03}",
                category_code=category,
                wage=20_000,
                wage_type=WorkJob.WageType.FLATFEE,
                address_region=("NJ", "PA", "NY")[i % 3],
            )
            for i in range(count)
        ]
    )
    copies = []
    for i in range(count):
        model = covered if i % 2 == 0 else uncovered
        start = at(today(), 7) + timedelta(minutes=i)
        copies.append(
            Assignment(
                platform=platform,
                contractor=techs[i],
                job=jobs[i],
                lines=list(model.lines),
                effective_at=start,
                end_at=start + timedelta(hours=2),
                eligible=model.eligible,
                eligibility_message=model.eligibility_message,
                rating=model.rating,
                net_rate=model.net_rate,
                premium=model.premium,
                policy_id=model.policy_id,
                pay=model.pay,
            )
        )
    made = Assignment.objects.bulk_create(copies)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                assignment=a,
                platform=platform,
                contractor=a.contractor,
                entity=a.job.entity,
                kind=LedgerEntry.Kind.CHARGE,
                line=line,
                amount=amount,
                books_on=today(),
            )
            for a in made
            if a.eligible
            for line, amount in ((WC, 826), (GL, 190))
        ]
    )
    return made

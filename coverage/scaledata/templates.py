"""The template dispatches the bulk load clones: made through the services, so every
cloned row has the shape, rating, ledger lines and certificates the product writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from coverage.demo import SAMPLE_RATE_BOOK
from coverage.models import Assignment, CategoryCode, Contractor, Entity, WorkJob
from coverage.rating.book import import_rate_book_file
from coverage.services import bind_policy_from_quote, create_assignment, create_quote
from coverage.services.onboarding import ALL_TRADES, onboard_platform
from policies.lines import CoverageType
from portal.models import Platform

WC, GL = CoverageType.WORKERS_COMP.value, CoverageType.GENERAL.value
# (state, trade, flat-fee wage in cents, hours): the mix every contractor, job and
# dispatch of the generated set is cloned from (contractor n takes template n % 6).
TEMPLATES = [
    ("NJ", "Commercial cleaning (janitorial)", 18_000, 3),
    ("NJ", "HVAC service and repair", 25_000, 2),
    ("PA", "HVAC service and repair", 25_000, 3),
    ("NY", "Electrical service and repair", 60_000, 4),
    ("PA", "Commercial cleaning (janitorial)", 20_000, 2),
    ("NY", "HVAC service and repair", 38_000, 3),
]
# The sample rate book's rates are in force from 2026-01-01: the templates are rated
# on a day of 2026 and their snapshots are cloned onto every date of the set.
TEMPLATE_DAY = datetime(2026, 3, 2, tzinfo=UTC)


@dataclass(frozen=True)
class Template:
    assignment: Assignment

    @property
    def state(self) -> str:
        return self.assignment.job.address_region


def make_templates(*, name: str) -> tuple[Platform, list[Template]]:
    """Onboard platform ``name`` and make one covered dispatch per template."""
    import_rate_book_file(path=SAMPLE_RATE_BOOK)
    platform = onboard_platform(
        name=name,
        trades=[ALL_TRADES],
        time_zone="America/New_York",
        default_requirement=[GL, WC],
    ).platform
    bound_at = TEMPLATE_DAY - timedelta(days=10)
    made = []
    for n, (state, trade, wage, hours) in enumerate(TEMPLATES):
        entity = Entity.objects.create(
            platform=platform,
            name=f"Template customer {n}",
            address_region=state,
            required_coverage=[GL, WC],
        )
        job = WorkJob.objects.create(
            platform=platform,
            entity=entity,
            name=f"Template job {n}",
            category_code=CategoryCode.objects.get(name=trade),
            wage=wage,
            wage_type=WorkJob.WageType.FLATFEE,
            address_region=state,
        )
        tech = Contractor.objects.create(
            platform=platform,
            first_name="Template",
            last_name=f"Tech {n}",
            email=f"template-{n}@scale.example",
            address_region=state,
        )
        start = TEMPLATE_DAY - timedelta(days=5)
        quote = create_quote(
            contractor=tech,
            job=job,
            lines=[WC, GL],
            effective_at=start,
            end_at=start + timedelta(days=365),
            now=bound_at,
        )
        bind_policy_from_quote(quote=quote, now=bound_at)
        begins = TEMPLATE_DAY + timedelta(hours=9)
        assignment = create_assignment(
            contractor=tech,
            job=job,
            lines=[WC, GL],
            effective_at=begins,
            end_at=begins + timedelta(hours=hours),
            now=TEMPLATE_DAY - timedelta(days=1),
        )
        made.append(Template(assignment=assignment))
    return platform, made

"""A large platform, fast: hundreds of techs and customers and tens of thousands of
jobs, bulk-created, for the pickers' size and query-count tests and their benchmark
(issue 15 measured the new-ticket page with 460 techs and 20,500 jobs)."""

from __future__ import annotations

from coverage.models import CategoryCode, Contractor, Entity, WorkJob
from portal.models import Platform

TECHS = 500
CUSTOMERS = 200
JOBS = 20_000
CITIES = ("Newark", "Jersey City", "Paterson", "Trenton", "Camden")


def seed_platform(
    platform: Platform,
    category: CategoryCode,
    *,
    techs: int = TECHS,
    customers: int = CUSTOMERS,
    jobs: int = JOBS,
) -> None:
    Contractor.objects.bulk_create(
        [
            Contractor(
                platform=platform,
                first_name=f"Bulk{i:04}",
                last_name="Worker",
                email=f"bulk{i}@big.example",
                address_region="NJ",
            )
            for i in range(techs)
        ],
        batch_size=1000,
    )
    made = Entity.objects.bulk_create(
        [
            Entity(platform=platform, name=f"Client {i:04}", address_region="NJ")
            for i in range(customers)
        ],
        batch_size=1000,
    )
    WorkJob.objects.bulk_create(
        [
            WorkJob(
                platform=platform,
                entity=made[i % customers],
                name=f"Site visit {i:05}",
                category_code=category,
                wage=20_000,
                wage_type=WorkJob.WageType.FLATFEE,
                address_locality=CITIES[i % len(CITIES)],
                address_region="NJ",
            )
            for i in range(jobs)
        ],
        batch_size=2000,
    )

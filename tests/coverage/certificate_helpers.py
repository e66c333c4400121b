"""A dispatch with full addresses, so its certificates have every box to fill, and readers
for what a certificate stores."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from urllib.parse import urlsplit

from django.core.files.storage import default_storage

from coverage.certificates.document import format_window
from coverage.models import CategoryCode, Contractor, Entity, WorkJob
from portal.models import Platform
from tests.coverage.certificate_samples import page_text

INSURED_NAME = "Terry Tech"
HOLDER_NAME = "Harbor Point Property Management LLC"


def addressed_contractor(
    platform: Platform, email: str = "terry@example.com"
) -> Contractor:
    return Contractor.objects.create(
        platform=platform,
        first_name="Terry",
        last_name="Tech",
        email=email,
        address_line1="41 Ferry Street",
        address_locality="Newark",
        address_region="NJ",
        address_postalcode="07105",
    )


def addressed_entity(platform: Platform, **fields: object) -> Entity:
    return Entity.objects.create(
        platform=platform,
        name=HOLDER_NAME,
        address_line1="200 Harbor Boulevard",
        address_locality="Weehawken",
        address_region="NJ",
        address_postalcode="07086",
        **fields,
    )


def addressed_job(
    platform: Platform, *, category: CategoryCode, entity: Entity
) -> WorkJob:
    return WorkJob.objects.create(
        platform=platform,
        entity=entity,
        name="Lobby deep clean",
        category_code=category,
        wage=20_000,
        wage_type=WorkJob.WageType.FLATFEE,
        address_line1="200 Harbor Boulevard",
        address_locality="Weehawken",
        address_region="NJ",
        address_postalcode="07086",
    )


def stored_text(name: str) -> str:
    """The first page's text of a PDF in storage, whitespace squeezed."""
    with default_storage.open(name, "rb") as handle:
        return page_text(handle.read())


def window_text(start: datetime, end: datetime, zone: tzinfo = UTC) -> str:
    """A certificate's window as it prints, in ``zone`` (the job site's)."""
    return format_window(start.astimezone(zone), end.astimezone(zone))


def path_of(url: str) -> str:
    """The path of an absolute URL the API returned (the test client speaks paths)."""
    return urlsplit(url).path

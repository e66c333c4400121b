"""Writes for the parties of a dispatch: entities (customers-of-record), contractors, jobs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from typing_extensions import TypedDict

from coverage.models import CategoryCode, Contractor, Entity, WorkJob
from coverage.services.assignments import (
    Repricing,
    preview_repricing,
    reprice_job_assignments,
)
from coverage.services.common import (
    apply_address,
    clean_lines,
    invalid,
    merge_metadata,
    require_approved,
    validate_fields,
)
from coverage.services.policies import end_coverage
from portal.models import Platform

DUPLICATE_EMAIL = (
    "You already have a contractor with that same email address in the system. Use a "
    "different email address or modify the existing contractor record."
)
INVALID_EMAIL = "Enter a valid email address."
REQUIRED = "This field is required."
LIMIT_TOO_LOW = "Coverage limits are in cents and at least 1000."
WAGE_OUT_OF_RANGE = "The wage is in cents, from 100 to 1000000000."
UNKNOWN_WAGE_TYPE = "The wage type is one of: flatfee, hourly, unit, blended."
INVOICE_EXISTS = (
    "You can't edit a job after the invoice for that job is created. Create a new job "
    "or modify the invoice instead."
)
JOB_IS_USED = (
    "This job is referenced by quotes, assignments or invoices and cannot be deleted."
)
MIN_LIMIT = 1000
MIN_WAGE, MAX_WAGE = 100, 1_000_000_000


class EntityData(TypedDict, total=False):
    name: str
    address: dict[str, Any] | None
    aggregate_limit: int | None
    occurrence_limit: int | None
    required_coverage: Sequence[str]


class ContractorData(TypedDict, total=False):
    first_name: str
    middle_name: str
    last_name: str
    email: str
    phone: str
    company_name: str
    tax_identification: str
    address: dict[str, Any] | None
    custom_metadata: dict[str, Any]
    withhold_premium: bool


class JobData(TypedDict, total=False):
    name: str
    description: str
    entity: Entity
    category_code: CategoryCode | None
    wage: int
    wage_type: str
    address: dict[str, Any] | None
    custom_metadata: dict[str, Any]
    years_experience: int | None
    withhold_premium: bool


# ---------------------------------------------------------------------------
# Entities


def _apply_entity(entity: Entity, data: EntityData) -> None:
    if "name" in data:
        if not (data["name"] or "").strip():
            raise invalid("name", REQUIRED)
        entity.name = data["name"].strip()
    if "address" in data:
        apply_address(entity, data["address"], region_required=False)
    for field in ("aggregate_limit", "occurrence_limit"):
        if field in data:
            value = data[field]  # type: ignore[literal-required]
            if value is not None and value < MIN_LIMIT:
                raise invalid(f"coverage_limit.{field}", LIMIT_TOO_LOW)
            setattr(entity, field, value)
    if "required_coverage" in data:
        lines = data["required_coverage"]
        entity.required_coverage = (
            clean_lines(lines, field="required_coverage") if lines else []
        )


@transaction.atomic
def create_entity(*, platform: Platform, data: EntityData) -> Entity:
    entity = Entity(platform=platform)
    if "name" not in data:
        raise invalid("name", REQUIRED)
    _apply_entity(entity, data)
    validate_fields(entity, exclude=["platform"])
    entity.save()
    return entity


@transaction.atomic
def update_entity(*, entity: Entity, data: EntityData) -> Entity:
    _apply_entity(entity, data)
    validate_fields(entity, exclude=["platform"])
    entity.save()
    return entity


@transaction.atomic
def delete_entity(*, entity: Entity, now: datetime) -> Entity:
    # The row stays for the jobs and ledger entries that name it; the API forgets it.
    entity.deleted_at = now
    entity.save(update_fields=["deleted_at"])
    return entity


# ---------------------------------------------------------------------------
# Contractors


def _email_taken(contractor: Contractor, email: str) -> bool:
    return (
        Contractor.objects.for_platform(contractor.platform)
        .live()
        .annotate(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .exclude(pk=contractor.pk)
        .exists()
    )


def _apply_contractor(contractor: Contractor, data: ContractorData) -> None:
    for field in ("first_name", "last_name"):
        if field in data:
            value = (data[field] or "").strip()  # type: ignore[literal-required]
            if not value:
                raise invalid(field, REQUIRED)
            setattr(contractor, field, value)
    for field in (
        "middle_name",
        "phone",
        "company_name",
        "tax_identification",
    ):
        if field in data:
            setattr(contractor, field, (data[field] or "").strip())  # type: ignore[literal-required]
    if "email" in data:
        email = (data["email"] or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            raise invalid("email", INVALID_EMAIL) from None
        if _email_taken(contractor, email):
            raise ValidationError(DUPLICATE_EMAIL, code="duplicate_email")
        contractor.email = email
    if "address" in data:
        apply_address(contractor, data["address"], region_required=False)
    if "custom_metadata" in data:
        contractor.custom_metadata = merge_metadata(
            contractor.custom_metadata, data["custom_metadata"] or {}
        )
    if "withhold_premium" in data:
        contractor.withhold_premium = bool(data["withhold_premium"])


def _save_contractor(contractor: Contractor) -> None:
    validate_fields(contractor, exclude=["platform"])
    # Two requests racing with one email both pass _email_taken; the unique index
    # lets one through and the other gets the same answer as a plain duplicate.
    try:
        with transaction.atomic():
            contractor.save()
    except IntegrityError:
        raise ValidationError(DUPLICATE_EMAIL, code="duplicate_email") from None


@transaction.atomic
def create_contractor(*, platform: Platform, data: ContractorData) -> Contractor:
    for field in ("first_name", "last_name", "email"):
        if field not in data:
            raise invalid(field, REQUIRED)
    contractor = Contractor(platform=platform)
    _apply_contractor(contractor, data)
    _save_contractor(contractor)
    return contractor


@transaction.atomic
def update_contractor(*, contractor: Contractor, data: ContractorData) -> Contractor:
    _apply_contractor(contractor, data)
    _save_contractor(contractor)
    return contractor


@transaction.atomic
def delete_contractor(*, contractor: Contractor, now: datetime) -> Contractor:
    """Delete a contractor: their active policies are cancelled at once (API §2.2)."""
    contractor = Contractor.objects.select_for_update(of=("self",)).get(
        pk=contractor.pk
    )
    for policy in contractor.policies.filter(status="active").order_by("pk"):
        end_coverage(policy=policy, now=now)
    contractor.deleted_at = now
    contractor.save(update_fields=["deleted_at"])
    return contractor


# ---------------------------------------------------------------------------
# Jobs


def _apply_job(job: WorkJob, data: JobData, *, platform_id: int) -> None:
    if "name" in data:
        if not (data["name"] or "").strip():
            raise invalid("name", REQUIRED)
        job.name = data["name"].strip()
    if "description" in data:
        job.description = data["description"] or ""
    if "entity" in data:
        job.entity = data["entity"]
    if "category_code" in data:
        require_approved(data["category_code"], platform_id=platform_id)
        job.category_code = data["category_code"]
    if "wage" in data:
        if not MIN_WAGE <= data["wage"] <= MAX_WAGE:
            raise invalid("wage", WAGE_OUT_OF_RANGE)
        job.wage = data["wage"]
    if "wage_type" in data:
        if data["wage_type"] not in WorkJob.WageType.values:
            raise invalid("wage_type", UNKNOWN_WAGE_TYPE)
        job.wage_type = data["wage_type"]
    if "address" in data:
        apply_address(job, data["address"], region_required=True)
    if "custom_metadata" in data:
        job.custom_metadata = merge_metadata(
            job.custom_metadata, data["custom_metadata"] or {}
        )
    if "years_experience" in data:
        job.years_experience = data["years_experience"]
    if "withhold_premium" in data:
        job.withhold_premium = bool(data["withhold_premium"])


@transaction.atomic
def create_job(*, platform: Platform, data: JobData) -> WorkJob:
    for field in ("name", "entity", "wage", "wage_type"):
        if field not in data:
            raise invalid(field, REQUIRED)
    if data.get("category_code") is None:
        require_approved(None, platform_id=platform.pk)
    job = WorkJob(platform=platform)
    _apply_job(job, data, platform_id=platform.pk)
    validate_fields(job, exclude=["platform", "entity", "category_code"])
    job.save()
    return job


def _refuse_if_invoiced(job: WorkJob) -> None:
    if job.invoices.filter(deleted_at__isnull=True).exists():
        raise ValidationError(INVOICE_EXISTS, code="invoice_exists")


def preview_wage_change(*, job: WorkJob, wage: int) -> list[Repricing]:
    """What ``update_job(data={"wage": wage})`` would do to each covered dispatch, writing nothing.

    Refuses exactly what ``update_job`` refuses, so a shown adjustment can be confirmed.
    """
    _refuse_if_invoiced(job)
    if not MIN_WAGE <= wage <= MAX_WAGE:
        raise invalid("wage", WAGE_OUT_OF_RANGE)
    return preview_repricing(job=job, wage=wage)


@transaction.atomic
def update_job(*, job: WorkJob, data: JobData, now: datetime) -> WorkJob:
    """Edit a job; a new wage re-prices its covered assignments (ledger adjustments)."""
    job = WorkJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
    _refuse_if_invoiced(job)
    old_wage = job.wage
    _apply_job(job, data, platform_id=job.platform_id)
    validate_fields(job, exclude=["platform", "entity", "category_code"])
    job.save()
    if job.wage != old_wage:
        reprice_job_assignments(job=job, now=now)
    return job


@transaction.atomic
def delete_job(*, job: WorkJob, now: datetime) -> WorkJob:
    job = WorkJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
    used = (
        job.quotes.exists()
        or job.assignments.filter(deleted_at__isnull=True).exists()
        or job.invoices.filter(deleted_at__isnull=True).exists()
    )
    if used:
        raise ValidationError(JOB_IS_USED, code="job_is_used")
    job.deleted_at = now
    job.save(update_fields=["deleted_at"])
    return job

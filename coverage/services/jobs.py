"""Writes for work jobs: create, change (a change to what a dispatch is decided on
re-decides the job's live dispatches: ``coverage.services.redecide``), delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from typing_extensions import TypedDict

from coverage.audit import Actor, AuditAction, audited
from coverage.audit import before as audit_before
from coverage.models import CategoryCode, Entity, WorkJob
from coverage.services.assignments import Repricing, preview_repricing
from coverage.services.inputs import (
    REQUIRED,
    apply_address,
    invalid,
    merge_metadata,
    validate_fields,
)
from coverage.services.redecide import redecide_job
from coverage.services.terms import require_approved
from portal.models import Platform

WAGE_OUT_OF_RANGE = "The wage is in cents, from 100 to 1000000000."
UNKNOWN_WAGE_TYPE = "The wage type is one of: flatfee, hourly, unit, blended."
DURATION_OUT_OF_RANGE = "The duration is a whole number of hours, from 1 to 8760."
MAX_DURATION_HOURS = 8760
INVOICE_EXISTS = (
    "You can't edit a job after the invoice for that job is created. Create a new job "
    "or modify the invoice instead."
)
JOB_IS_USED = (
    "This job is referenced by quotes, assignments or invoices and cannot be deleted."
)
MIN_WAGE, MAX_WAGE = 100, 1_000_000_000


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
    duration_hours: int | None


def check_wage(wage: int) -> None:
    """The one judgement of a wage (integer cents, within the product's range), for the API,
    the portal's forms and the previews alike."""
    if not MIN_WAGE <= wage <= MAX_WAGE:
        raise invalid("wage", WAGE_OUT_OF_RANGE)


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
        if data["wage"] is None:
            # A PUT may send null for a field; a job always has a wage.
            raise invalid("wage", REQUIRED)
        check_wage(data["wage"])
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
    if "duration_hours" in data:
        hours = data["duration_hours"]
        if hours is not None and not 1 <= hours <= MAX_DURATION_HOURS:
            raise invalid("duration_hours", DURATION_OUT_OF_RANGE)
        job.duration_hours = hours


def _decided_on(job: WorkJob) -> tuple[Any, ...]:
    """What a dispatch of the job is decided, rated or certified on."""
    return (
        job.name,
        tuple(job.address.values()),
        job.category_code_id,
        job.entity_id,
        job.wage,
        job.wage_type,
        job.duration_hours,
    )


@transaction.atomic
def create_job(
    *, platform: Platform, data: JobData, by: Actor = None, via: str | None = None
) -> WorkJob:
    for field in ("name", "entity", "wage", "wage_type"):
        if field not in data:
            raise invalid(field, REQUIRED)
    if data.get("category_code") is None:
        require_approved(None, platform_id=platform.pk)
    job = WorkJob(platform=platform)
    _apply_job(job, data, platform_id=platform.pk)
    validate_fields(job, exclude=["platform", "entity", "category_code"])
    job.save()
    audited(by=by, via=via, row=job, action=AuditAction.CREATED)
    return job


def _refuse_if_invoiced(job: WorkJob) -> None:
    if job.invoices.filter(deleted_at__isnull=True).exists():
        raise ValidationError(INVOICE_EXISTS, code="invoice_exists")


def preview_wage_change(*, job: WorkJob, wage: int, now: datetime) -> list[Repricing]:
    """What ``update_job(data={"wage": wage})`` would do to each covered dispatch, writing nothing.

    Refuses exactly what ``update_job`` refuses, so a shown adjustment can be confirmed.
    """
    _refuse_if_invoiced(job)
    check_wage(wage)
    return preview_repricing(job=job, wage=wage, now=now)


@transaction.atomic
def update_job(
    *,
    job: WorkJob,
    data: JobData,
    now: datetime,
    by: Actor = None,
    via: str | None = None,
) -> WorkJob:
    """Edit a job; its live dispatches are decided again when anything they are decided,
    rated or certified on changed (ledger adjustments, certificates, events)."""
    job = WorkJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
    _refuse_if_invoiced(job)
    before = _decided_on(job)
    was = audit_before(job)
    _apply_job(job, data, platform_id=job.platform_id)
    validate_fields(job, exclude=["platform", "entity", "category_code"])
    job.save()
    audited(by=by, via=via, row=job, before=was)
    if _decided_on(job) != before:
        redecide_job(job=job, now=now)
    return job


@transaction.atomic
def delete_job(
    *, job: WorkJob, now: datetime, by: Actor = None, via: str | None = None
) -> WorkJob:
    job = WorkJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
    used = (
        job.quotes.exists()
        or job.assignments.filter(deleted_at__isnull=True).exists()
        or job.invoices.filter(deleted_at__isnull=True).exists()
    )
    if used:
        raise ValidationError(JOB_IS_USED, code="job_is_used")
    was = audit_before(job)
    job.deleted_at = now
    job.save(update_fields=["deleted_at"])
    audited(by=by, via=via, row=job, action=AuditAction.DELETED, before=was)
    return job

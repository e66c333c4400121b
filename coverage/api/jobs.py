"""/api/v1/jobs (``WorkJob``) and /api/v1/category_codes."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Status

from coverage import services
from coverage.api.inputs import AddressIn, WireIn, address_dict, get_or_404
from coverage.api.serializers import (
    CategoryCodeJSON,
    JobJSON,
    category_code_json,
    job_json,
)
from coverage.api.site import api
from coverage.api.wire import DeletedJSON, deleted
from coverage.models import CategoryCode, Entity, WorkJob
from portal.api import ApiError, api_key_of, cursor_page, platform_of

UNKNOWN_CATEGORY = "No valid job category code: {id}"


class JobUpdate(WireIn):
    name: str | None = None
    description: str | None = None
    entity: str | None = None
    category_code: str | None = None
    wage: int | None = None
    wage_type: str | None = None
    address: AddressIn | None = None
    custom_metadata: dict[str, Any] | None = None
    years_experience: int | None = None
    withhold_premium: bool | None = None
    # Sent by the SDK's own example (not in the public docs): the hours one dispatch of
    # an hourly job takes, which its premium is rated on (services.terms.dispatch_pay).
    duration_hours: int | None = None


class JobCreate(JobUpdate):
    name: str
    entity: str
    wage: int
    wage_type: str


def _category(public_id: str | None) -> CategoryCode | None:
    if not public_id:
        return None
    category = CategoryCode.objects.filter(public_id=public_id).first()
    if category is None:
        raise ApiError(
            UNKNOWN_CATEGORY.format(id=public_id), code="invalid_job_category_code"
        )
    return category


def _data(request: HttpRequest, payload: JobUpdate) -> services.JobData:
    sent = payload.model_fields_set
    data: dict[str, Any] = {name: getattr(payload, name) for name in sent}
    if "address" in data:
        data["address"] = address_dict(payload.address)
    if "entity" in data:
        data["entity"] = get_or_404(
            Entity.objects.for_platform(platform_of(request)).live(),
            payload.entity,
            what="entity",
            code="invalid_entity_id",
        )
    if "category_code" in data:
        data["category_code"] = _category(payload.category_code)
    if data.get("years_experience") is not None and not (
        0 <= data["years_experience"] <= 100
    ):
        raise ApiError(
            {"years_experience": "Use a number of years from 0 to 100."},
            code="invalid_input",
        )
    # The keys are the payload's sent field names, which JobData mirrors one for one;
    # a comprehension over model_fields_set can't be checked key by key.
    return cast(services.JobData, data)


def job_or_404(request: HttpRequest, job_id: str | None) -> WorkJob:
    return get_or_404(
        WorkJob.objects.for_platform(platform_of(request))
        .live()
        .select_related("entity", "category_code"),
        job_id,
        what="job",
        code="invalid_job_id",
    )


@api.post("/jobs", response={201: JobJSON}, tags=["jobs"])
def create_job(request: HttpRequest, payload: JobCreate) -> Status:
    job = services.create_job(
        platform=platform_of(request),
        data=_data(request, payload),
        by=api_key_of(request),
    )
    return Status(201, job_json(job))


@api.get("/jobs", response=list[JobJSON], tags=["jobs"])
def list_jobs(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[JobJSON]:
    page = cursor_page(
        WorkJob.objects.for_platform(platform_of(request))
        .live()
        .select_related("entity", "category_code"),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [job_json(j) for j in page]


@api.get("/jobs/{job_id}", response=JobJSON, tags=["jobs"])
def get_job(request: HttpRequest, job_id: str) -> JobJSON:
    return job_json(job_or_404(request, job_id))


@api.put("/jobs/{job_id}", response=JobJSON, tags=["jobs"])
def update_job(request: HttpRequest, job_id: str, payload: JobUpdate) -> JobJSON:
    job = services.update_job(
        job=job_or_404(request, job_id),
        data=_data(request, payload),
        now=timezone.now(),
        by=api_key_of(request),
    )
    return job_json(job)


@api.delete("/jobs/{job_id}", response=DeletedJSON, tags=["jobs"])
def delete_job(request: HttpRequest, job_id: str) -> dict[str, Any]:
    job = services.delete_job(
        job=job_or_404(request, job_id), now=timezone.now(), by=api_key_of(request)
    )
    return deleted(job.public_id, "job", job.deleted_at)


@api.get("/category_codes", response=list[CategoryCodeJSON], tags=["category codes"])
@api.get(
    "/jobcategories",
    response=list[CategoryCodeJSON],
    tags=["category codes"],
    include_in_schema=False,  # the Node SDK's path for the same list
)
def list_category_codes(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[CategoryCodeJSON]:
    """The job category codes approved for your platform (approval is done by us)."""
    page = cursor_page(
        CategoryCode.objects.filter(approved_platforms=platform_of(request)),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [category_code_json(c) for c in page]


@api.get(
    "/category_codes/{category_code_id}",
    response=CategoryCodeJSON,
    tags=["category codes"],
)
@api.get(
    "/jobcategories/{category_code_id}",
    response=CategoryCodeJSON,
    tags=["category codes"],
    include_in_schema=False,
)
def get_category_code(request: HttpRequest, category_code_id: str) -> CategoryCodeJSON:
    """One job category code approved for your platform; any other is not found."""
    category = get_or_404(
        CategoryCode.objects.filter(approved_platforms=platform_of(request)),
        category_code_id,
        what="job category code",
        code="resource_not_found",
    )
    return category_code_json(category)

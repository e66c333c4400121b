"""Support's page for work jobs: an edit goes through ``services.update_job``, as the API's.

A wage changed here re-prices the job's covered dispatches (ledger adjustments) exactly as
``PUT /api/v1/jobs/{id}`` does, and is audited as the support user through the admin
(``coverage.admin.service_forms``). Jobs are created by the platforms (API) and
dispatchers (portal), not here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils import timezone

from coverage.admin.service_forms import ServiceAdmin, ServiceForm
from coverage.audit import Actor
from coverage.models import WorkJob
from coverage.services import JobData, update_job
from portal.admin_tools import cents_text

# The job's fields the service takes as they are stored; the rest are read-only here.
EDITABLE = [
    "name",
    "description",
    "entity",
    "category_code",
    "wage",
    "wage_type",
    "withhold_premium",
    "years_experience",
]


READ_ONLY = [
    "public_id",
    "platform",
    "address_line1",
    "address_line2",
    "address_locality",
    "address_region",
    "address_postalcode",
    "address_country",
    "custom_metadata",
    "created_at",
    "deleted_at",
]


def job_changes(form: forms.ModelForm) -> JobData:
    data: dict[str, Any] = {
        name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE
    }
    return JobData(**data)  # type: ignore[typeddict-item]


class WorkJobForm(ServiceForm):
    editable = tuple(EDITABLE)

    class Meta:
        model = WorkJob
        fields = EDITABLE

    def write(self, *, by: Actor, via: str | None) -> WorkJob:
        return update_job(
            job=self.instance,
            data=job_changes(self),
            now=timezone.now(),
            by=by,
            via=via,
        )


@admin.register(WorkJob)
class WorkJobAdmin(ServiceAdmin):
    form = WorkJobForm
    list_display = [
        "name",
        "public_id",
        "platform",
        "entity",
        "category_code",
        "address_region",
        "wage_text",
        "deleted_at",
    ]
    list_filter = ["platform", "wage_type", "address_region", "category_code"]
    list_select_related = ["platform", "entity", "category_code"]
    search_fields = ["name", "public_id", "entity__name", "entity__public_id"]
    fields = ["public_id", "platform", *EDITABLE, *READ_ONLY[2:], "history"]
    readonly_fields = [*READ_ONLY, "history"]
    raw_id_fields = ["entity"]

    @admin.display(description="Wage", ordering="wage")
    def wage_text(self, job: WorkJob) -> str:
        return cents_text(job.wage)

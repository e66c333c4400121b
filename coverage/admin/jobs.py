"""Support's page for work jobs: an edit goes through ``services.update_job``, as the API's.

A wage changed here re-prices the job's covered dispatches (ledger adjustments) exactly as
``PUT /api/v1/jobs/{id}`` does. The form asks the service first, inside a savepoint it
rolls back, so a refusal (a job already invoiced, a wage out of range) shows on the form
in the service's words and nothing is written; saving then calls the service for real.
Jobs are created by the platforms (API) and dispatchers (portal), not here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from coverage.models import WorkJob
from coverage.services import JobData, update_job
from portal.admin_tools import cents_text
from portal.forms import add_service_error

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


class _DryRun(Exception):
    """Rolls back the service's trial run inside the form's check."""


def job_changes(form: forms.ModelForm) -> JobData:
    data: dict[str, Any] = {
        name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE
    }
    return JobData(**data)  # type: ignore[typeddict-item]


class WorkJobForm(forms.ModelForm):
    class Meta:
        model = WorkJob
        fields = EDITABLE

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.errors or not self.changed_data:
            return cleaned
        try:
            with transaction.atomic():
                update_job(
                    job=self.instance, data=job_changes(self), now=timezone.now()
                )
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as exc:
            add_service_error(self, exc)
        return cleaned

    def _post_clean(self) -> None:
        # The service validates and saves; the form only parses.
        pass


@admin.register(WorkJob)
class WorkJobAdmin(admin.ModelAdmin):
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
    fields = ["public_id", "platform", *EDITABLE, *READ_ONLY[2:]]
    readonly_fields = READ_ONLY
    raw_id_fields = ["entity"]

    @admin.display(description="Wage", ordering="wage")
    def wage_text(self, job: WorkJob) -> str:
        return cents_text(job.wage)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a job is the API's DELETE (refused while it is used), not a row delete.
        return False

    def save_model(
        self, request: HttpRequest, obj: WorkJob, form: forms.ModelForm, change: bool
    ) -> None:
        if form.changed_data:
            update_job(job=obj, data=job_changes(form), now=timezone.now())

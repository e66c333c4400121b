"""Support's view of the contractor side's records: entities, contractors, work jobs, and
the rate book (loaded by `manage.py import_rates`, which validates the whole file;
support looks it up here)."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from coverage.admin.service_forms import ADDRESS_FIELDS, ServiceAdmin, ServiceForm
from coverage.audit import Actor
from coverage.models import (
    Assignment,
    CategoryCode,
    ClassCode,
    ClassMapping,
    Contractor,
    Entity,
    Invoice,
    LedgerEntry,
    Rate,
    WorkJob,
)
from coverage.services import update_contractor, update_entity
from portal.admin_tools import (
    ViewOnlyAdmin,
    ViewOnlyInline,
    changelist_link,
)

ENTITY_FIELDS = (
    "name",
    *ADDRESS_FIELDS,
    "required_coverage",
    "aggregate_limit",
    "occurrence_limit",
)


class EntityForm(ServiceForm):
    editable = ENTITY_FIELDS

    class Meta:
        model = Entity
        fields = ENTITY_FIELDS

    def write(self, *, by: Actor, via: str | None) -> Entity:
        return update_entity(
            entity=self.instance,
            data=self.changes(),  # type: ignore[arg-type]
            now=timezone.now(),
            by=by,
            via=via,
        )


@admin.register(Entity)
class EntityAdmin(ServiceAdmin):
    """Customers-of-record: support may correct an address or a required limit, through
    ``update_entity`` (new requirements re-decide the entity's dispatches)."""

    form = EntityForm
    fields = [
        "public_id",
        "platform",
        *ENTITY_FIELDS,
        # Read-only here (see readonly_fields).
        "minimum_limits",
        "additional_insureds",
        "waiver_of_subrogation",
        "primary_non_contributory",
        "certificate_holder",
        "created_at",
        "deleted_at",
        "related",
        "history",
    ]

    list_display = [
        "name",
        "public_id",
        "platform",
        "address_region",
        "required_coverage",
        "deleted_at",
    ]
    list_filter = ["platform", "address_region", "deleted_at"]
    list_select_related = ["platform"]
    search_fields = ["name", "public_id", "address_locality", "address_postalcode"]
    # The contract terms are set through /api/v1/entities or the portal's Customers page
    # (update_entity: validated, and live dispatches re-decided); support reads them here.
    readonly_fields = [
        "public_id",
        "platform",
        "created_at",
        "deleted_at",
        "related",
        "history",
        "minimum_limits",
        "additional_insureds",
        "waiver_of_subrogation",
        "primary_non_contributory",
        "certificate_holder",
    ]

    @admin.display(description="Related")
    def related(self, entity: Entity) -> SafeString:
        return format_html(
            "{} · {}",
            changelist_link(WorkJob, "Work jobs", entity__id__exact=entity.pk),
            changelist_link(LedgerEntry, "Premium ledger", entity__id__exact=entity.pk),
        )


CONTRACTOR_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "email",
    "phone",
    "company_name",
    *ADDRESS_FIELDS,
    "withhold_premium",
)


class ContractorForm(ServiceForm):
    editable = CONTRACTOR_FIELDS

    class Meta:
        model = Contractor
        fields = CONTRACTOR_FIELDS

    def write(self, *, by: Actor, via: str | None) -> Contractor:
        return update_contractor(
            contractor=self.instance,
            data=self.changes(),  # type: ignore[arg-type]
            now=timezone.now(),
            by=by,
            via=via,
        )


@admin.register(Contractor)
class ContractorAdmin(ServiceAdmin):
    """Contractors (the insureds): support may correct contact details through
    ``update_contractor`` (a new residence re-decides their dispatches); the tax id is
    write-only on the API: these pages show its last four only."""

    form = ContractorForm
    fields = [
        "public_id",
        "platform",
        *CONTRACTOR_FIELDS,
        "tax_id",
        "custom_metadata",
        "created_at",
        "deleted_at",
        "related",
        "history",
    ]

    list_display = [
        "legal_name",
        "public_id",
        "email",
        "company_name",
        "platform",
        "address_region",
        "deleted_at",
    ]
    list_filter = ["platform", "address_region", "deleted_at"]
    list_select_related = ["platform"]
    search_fields = [
        "public_id",
        "email",
        "first_name",
        "last_name",
        "company_name",
        "phone",
    ]
    exclude = ["tax_identification"]
    readonly_fields = [
        "public_id",
        "platform",
        "tax_id",
        "custom_metadata",
        "created_at",
        "deleted_at",
        "related",
        "history",
    ]

    @admin.display(description="Tax id")
    def tax_id(self, contractor: Contractor) -> str:
        # Support sees the last four, as everyone does; the value itself is write-only.
        return contractor.tax_identification_masked or "—"

    @admin.display(description="Related")
    def related(self, contractor: Contractor) -> SafeString:
        from policies.models import Policy

        pk = contractor.pk
        return format_html(
            "{} · {} · {} · {}",
            changelist_link(Policy, "Policies", contractor__id__exact=pk),
            changelist_link(Assignment, "Assignments", contractor__id__exact=pk),
            changelist_link(LedgerEntry, "Premium ledger", contractor__id__exact=pk),
            changelist_link(Invoice, "Invoices", contractor__id__exact=pk),
        )


_CLASS_MAPPING_INLINE_FIELDS = (
    "jurisdiction",
    "line",
    "class_code",
)


class ClassMappingInline(ViewOnlyInline):
    model = ClassMapping
    fields = _CLASS_MAPPING_INLINE_FIELDS
    readonly_fields = _CLASS_MAPPING_INLINE_FIELDS


@admin.register(CategoryCode)
class CategoryCodeAdmin(admin.ModelAdmin):
    list_display = ["name", "public_id", "created_at"]
    search_fields = ["name", "public_id"]
    filter_horizontal = ["approved_platforms"]
    readonly_fields = ["public_id", "created_at"]
    inlines = [ClassMappingInline]


_RATE_INLINE_FIELDS = (
    "effective_date",
    "rate",
    "source",
)


class RateInline(ViewOnlyInline):
    model = Rate
    fields = _RATE_INLINE_FIELDS
    readonly_fields = _RATE_INLINE_FIELDS
    show_change_link = False


@admin.register(ClassCode)
class ClassCodeAdmin(ViewOnlyAdmin):
    list_display = ["code", "jurisdiction", "line", "description"]
    list_filter = ["line", "jurisdiction"]
    search_fields = ["code", "description", "jurisdiction"]
    inlines = [RateInline]


@admin.register(ClassMapping)
class ClassMappingAdmin(ViewOnlyAdmin):
    list_display = ["category_code", "jurisdiction", "line", "class_code"]
    list_filter = ["line", "jurisdiction", "category_code"]
    list_select_related = ["category_code", "class_code"]
    search_fields = ["category_code__name", "class_code__code", "jurisdiction"]


@admin.register(Rate)
class RateAdmin(ViewOnlyAdmin):
    list_display = ["class_code", "effective_date", "rate", "source"]
    list_filter = ["class_code__line", "class_code__jurisdiction"]
    list_select_related = ["class_code"]
    search_fields = ["class_code__code", "class_code__jurisdiction", "source"]
    date_hierarchy = "effective_date"

"""Support's view of the contractor side's records: entities, contractors, work jobs, and
the rate book (loaded by `manage.py import_rates`, which validates the whole file;
support looks it up here)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString

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
from portal.admin_tools import (
    ViewOnlyAdmin,
    ViewOnlyInline,
    changelist_link,
)


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    """Customers-of-record: support may correct an address or a required limit."""

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
        "created_at",
        "related",
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


@admin.register(Contractor)
class ContractorAdmin(admin.ModelAdmin):
    """Contractors (the insureds): support may correct contact details; the tax id is
    write-only on the API and stays off these pages."""

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
    readonly_fields = ["public_id", "created_at", "related"]

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

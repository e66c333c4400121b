"""Reference data support may fix here: products, coinsurer organizations and their
producer codes."""

from __future__ import annotations

from django.contrib import admin

from policies.models import (
    Organization,
    ProducerCode,
    Product,
)

# ---------------------------------------------------------------------------
# Reference data


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "lines",
        "section_types",
        "location_named_insureds",
        "supports_coinsurance",
        "supports_layers",
    ]
    list_filter = ["location_named_insureds", "supports_coinsurance", "supports_layers"]
    search_fields = ["name", "code"]


class ProducerCodeInline(admin.TabularInline):
    model = ProducerCode
    extra = 0
    fields = ["code", "public_id"]
    readonly_fields = ["public_id"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "public_id"]
    search_fields = ["name", "public_id", "producer_codes__code"]
    readonly_fields = ["public_id"]
    inlines = [ProducerCodeInline]


@admin.register(ProducerCode)
class ProducerCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "public_id", "organization"]
    list_select_related = ["organization"]
    list_filter = ["organization"]
    search_fields = ["code", "public_id", "organization__name"]
    readonly_fields = ["public_id"]

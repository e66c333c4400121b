from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from portal.admin_tools import ViewOnlyAdmin
from portal.api_keys import revoke_api_key
from portal.models import (
    ApiKey,
    ApiKeyQuerySet,
    IdempotencyRecord,
    Platform,
    User,
    WorkerHeartbeat,
)

admin.site.site_header = "Dispatch coverage — support"
admin.site.site_title = "Support admin"


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "public_id", "created_at"]
    search_fields = ["name", "public_id"]
    readonly_fields = ["public_id", "created_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "platform", "is_active", "last_login"]
    list_filter = ["role", "platform", "is_active"]
    list_select_related = ["platform"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Role", {"fields": ("role", "platform")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Role", {"fields": ("role", "platform")}),
    )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued by `manage.py create_api_key`; here support can only look and revoke."""

    list_display = [
        "name",
        "display_prefix",
        "kind",
        "mode",
        "platform",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["kind", "mode", "revoked_at"]
    list_select_related = ["platform"]
    search_fields = ["name", "display_prefix", "public_id", "platform__name"]
    # The digest is not the key, but there is no reason to show it either.
    fields = (
        "public_id",
        "name",
        "kind",
        "mode",
        "platform",
        "display_prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke selected keys")
    def revoke(self, request: HttpRequest, queryset: ApiKeyQuerySet) -> None:
        keys = list(queryset.active())
        for key in keys:
            revoke_api_key(key=key)
        self.message_user(request, f"Revoked {len(keys)} key(s).", messages.SUCCESS)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ViewOnlyAdmin):
    """The first answer to an idempotent POST, replayed for a day: support looks up
    why a retried request got the answer it got."""

    list_display = ["key", "scope", "status_code", "content_type", "created_at"]
    list_filter = ["status_code"]
    search_fields = ["key", "scope"]
    date_hierarchy = "created_at"
    exclude = ["body"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ViewOnlyAdmin):
    """Background workers and when each last checked in: support sees whether work is
    being picked up (a worker silent past the staleness period counts as dead)."""

    list_display = ["worker_id", "hostname", "pid", "queues", "started_at", "seen_at"]
    search_fields = ["worker_id", "hostname"]
    ordering = ["-seen_at"]

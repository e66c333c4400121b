from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models, transaction
from django.http import HttpRequest

from portal import audit
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


class AuditedAdmin(admin.ModelAdmin):
    """Support's edits of portal's records go into the audit history (old → new), as
    the support user through the admin, in the save's own transaction."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        with transaction.atomic():
            # The form has already changed ``obj``: what it was is in the database.
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            was = audit.before(stored) if change and stored is not None else None
            super().save_model(request, obj, form, change)
            audit.record(
                by=request.user,
                via=audit.ADMIN,
                row=obj,
                action=audit.CHANGED if change else audit.CREATED,
                before=was,
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            audit.record(
                by=request.user, via=audit.ADMIN, row=obj, action=audit.DELETED
            )
            super().delete_model(request, obj)


@admin.register(Platform)
class PlatformAdmin(AuditedAdmin):
    list_display = ["name", "public_id", "time_zone_in_force", "created_at"]
    search_fields = ["name", "public_id"]
    readonly_fields = ["public_id", "time_zone_in_force", "created_at"]

    @admin.display(description="time zone in force")
    def time_zone_in_force(self, obj: Platform) -> str:
        # Blank time zone: the one of the platform's address, else UTC.
        return str(obj.zone)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "email", "role", "platform", "is_active", "last_login"]
    list_filter = ["role", "platform", "is_active"]
    list_select_related = ["platform"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Role", {"fields": ("role", "platform", "time_zone")}),
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
            revoke_api_key(key=key, by=request.user, via=audit.ADMIN)
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

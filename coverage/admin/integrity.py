"""Support's view of ``verify_ledger``'s checkpoints (view-only: they are append-only)."""

from __future__ import annotations

from django.contrib import admin

from coverage.models import ChainCheckpoint, ChainHead
from portal.admin_tools import ViewOnlyAdmin


@admin.register(ChainCheckpoint)
class ChainCheckpointAdmin(ViewOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "ledger_entries",
        "ledger_chains",
        "audit_entries",
        "audit_chains",
        "heads_recorded",
        "digest",
    ]
    search_fields = ["digest"]
    date_hierarchy = "created_at"


@admin.register(ChainHead)
class ChainHeadAdmin(ViewOnlyAdmin):
    list_display = ["id", "checkpoint", "family", "chain", "seq", "entry_id"]
    list_filter = ["family"]
    search_fields = ["chain"]
    list_select_related = ["checkpoint"]

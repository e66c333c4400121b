"""Support's view of the closed premium days and months (``manage.py
close_premium_days``): view-only, since only that command writes them and the
premium report reads them in place of the ledger."""

from __future__ import annotations

from django.contrib import admin

from coverage.models import ClosedPremiumDay, PremiumDay, PremiumMonth
from portal.admin_tools import ViewOnlyAdmin


@admin.register(ClosedPremiumDay)
class ClosedPremiumDayAdmin(ViewOnlyAdmin):
    list_display = ["day", "platform", "total", "entries", "through_entry", "closed_at"]
    list_filter = ["platform"]
    list_select_related = ["platform"]
    date_hierarchy = "day"


@admin.register(PremiumDay)
class PremiumDayAdmin(ViewOnlyAdmin):
    list_display = ["day", "platform", "kind", "line", "state", "amount", "entries"]
    list_filter = ["platform", "kind", "line"]
    list_select_related = ["platform"]
    date_hierarchy = "day"


@admin.register(PremiumMonth)
class PremiumMonthAdmin(ViewOnlyAdmin):
    list_display = ["month", "platform", "contractor", "amount", "entries"]
    list_filter = ["platform"]
    list_select_related = ["platform", "contractor"]
    date_hierarchy = "month"

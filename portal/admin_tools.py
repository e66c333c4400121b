"""What the support admin's model pages share: links between related records and
view-only pages for history and for records only the services may change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from portal.money import amount_text


def admin_url(obj: models.Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def admin_link(obj: models.Model | None, label: object = None) -> SafeString | str:
    """A link to ``obj``'s admin page (or a dash), so support can follow a record to
    the ones it refers to."""
    if obj is None:
        return "—"
    try:
        url = admin_url(obj)
    except NoReverseMatch:
        return str(label if label is not None else obj)
    return format_html('<a href="{}">{}</a>', url, label if label is not None else obj)


def changelist_link(
    model: type[models.Model], label: str, **filters: Any
) -> SafeString:
    """A link to the list of ``model`` rows matching ``filters`` (field__exact=value)."""
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, label)


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records support looks at but does not edit here: history (it is what happened)
    and records whose rules live in the services (a party's share, a ledger line),
    which the underwriter workspace and the APIs change with their rules applied."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ViewOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def cents_text(value: int | None) -> str:
    """Integer cents as support reads them in a list: 123456 → "$1,234.56"; None → "—"."""
    # Decimal, never float: cents stay exact, and portal.money writes them as everywhere.
    return "—" if value is None else amount_text(Decimal(value) / 100)

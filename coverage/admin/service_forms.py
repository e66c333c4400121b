"""Admin edit forms for records the services own (entities, contractors, work jobs).

Support's edit goes through the same service as the API's and the portal's, so a
wage changed here re-prices, a new address re-decides, and the change is audited as
the support user through the admin. The form asks the service first, inside a
savepoint it rolls back, so a refusal shows on the form in the service's words and
nothing is written; saving then calls the service for real.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from coverage.audit import Actor, AuditVia, history_of
from portal.forms import add_service_error

ADDRESS_FIELDS = {
    "address_line1": "line1",
    "address_line2": "line2",
    "address_locality": "locality",
    "address_region": "region",
    "address_postalcode": "postalcode",
    "address_country": "country",
}


class _DryRun(Exception):
    """Rolls back the service's trial run inside the form's check."""


class ServiceForm(forms.ModelForm):
    """A model form that parses; ``write`` calls the service that judges and saves."""

    editable: ClassVar[tuple[str, ...]] = ()

    def changes(self) -> dict[str, Any]:
        """The service's data from what support changed (an address as one dict)."""
        changed = [name for name in self.changed_data if name in self.editable]
        data: dict[str, Any] = {
            name: self.cleaned_data[name]
            for name in changed
            if name not in ADDRESS_FIELDS
        }
        if any(name in ADDRESS_FIELDS for name in changed):
            data["address"] = {
                key: self.cleaned_data.get(name, getattr(self.instance, name))
                for name, key in ADDRESS_FIELDS.items()
            }
        return data

    def write(self, *, by: Actor, via: str | None) -> models.Model:
        raise NotImplementedError

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.errors or not self.changed_data:
            return cleaned
        try:
            with transaction.atomic():
                self.write(by=None, via=None)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as exc:
            add_service_error(self, exc)
        return cleaned

    def _post_clean(self) -> None:
        # The service validates and saves; the form only parses.
        pass


class ServiceAdmin(admin.ModelAdmin):
    """Saves through the form's service, as the support user through the admin; shows
    the record's audit history. Records are created and deleted through the APIs."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        if form.changed_data:
            assert isinstance(form, ServiceForm)
            form.write(by=request.user, via=AuditVia.ADMIN)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting is the API's DELETE (with its rules), not a row delete.
        return False

    @admin.display(description="History")
    def history(self, obj: models.Model) -> SafeString | str:
        """Who changed what, when, through what: the record's audit entries."""
        entries = history_of(obj) if obj.pk else []
        if not entries:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    e.actor_label,
                    e.get_via_display(),
                    e.get_action_display(),
                    "; ".join(
                        f"{c['label']}: {c['old'] if c['old'] is not None else '—'} → "
                        f"{c['new'] if c['new'] is not None else '—'}"
                        for c in e.changes
                    ),
                )
                for e in entries
            ),
        )
        return format_html(
            '<table class="audit-history"><thead><tr><th>When</th><th>Who</th>'
            "<th>Through</th><th>What</th><th>Changes</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

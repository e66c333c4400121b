"""The admin's "Onboard a platform" page: the same one step as `manage.py onboard_platform`.

The Platform admin is portal's; the contractor side extends it here with the onboarding
page (trades are coverage's job categories, and portal imports nothing from coverage).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from coverage.audit import AuditVia
from coverage.models import CategoryCode
from coverage.services.onboarding import (
    clean_redirect_hosts,
    clean_time_zone,
    onboard_platform,
)
from coverage.uploads.requirements import parse_requirement
from portal.admin import PlatformAdmin
from portal.api_keys import issue_api_key
from portal.forms import add_service_error
from portal.models import ApiKey, Platform, User


class OnboardForm(forms.Form):
    """Parses the page; ``onboard_platform`` judges (its refusals land on these fields)."""

    name = forms.CharField(max_length=200)
    trades = forms.ModelMultipleChoiceField(
        queryset=CategoryCode.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Added to those already approved; none is withdrawn.",
    )
    all_trades = forms.BooleanField(required=False, label="Approve every trade")
    time_zone = forms.CharField(required=False, help_text="e.g. America/New_York")
    hosted_flow_allowed_redirect_hosts = forms.CharField(
        required=False,
        label="Redirect hosts",
        help_text="Hosts hosted flows may return to, separated by spaces or commas "
        "(replaces the list; blank leaves it as it is).",
    )
    default_insurance_requirement = forms.CharField(
        required=False,
        help_text="Coverage types, e.g. general,workers-comp (blank leaves it as it is).",
    )


def _words(text: str) -> list[str] | None:
    """The words of a list field; None (leave the setting as it is) when it is blank."""
    words = [w for w in text.replace(",", " ").split() if w]
    return words or None


HOSTS_NOT_A_LIST = 'Give the hosts as a JSON list, e.g. ["dispatch.example.com"].'


def _checked(rule: Any, value: Any) -> Any:
    """A service rule's refusal as this form field's error."""
    try:
        return rule(value)
    except ValidationError as exc:
        raise forms.ValidationError(exc.messages) from exc


class PlatformForm(forms.ModelForm):
    class Meta:
        model = Platform
        fields = [
            "name",
            "time_zone",
            "hosted_flow_allowed_redirect_hosts",
            "default_insurance_requirement",
        ]

    def clean_time_zone(self) -> str:
        return _checked(clean_time_zone, self.cleaned_data.get("time_zone") or "")

    def clean_hosted_flow_allowed_redirect_hosts(self) -> list[str]:
        value = self.cleaned_data.get("hosted_flow_allowed_redirect_hosts") or []
        if not isinstance(value, list):
            raise forms.ValidationError(HOSTS_NOT_A_LIST)
        return _checked(clean_redirect_hosts, [str(host) for host in value])

    def clean_default_insurance_requirement(self) -> Any:
        value = self.cleaned_data.get("default_insurance_requirement")
        if value is not None:
            # The review's own reading of it: what support saves is what it applies.
            parse_requirement(value)
        return value


class OnboardingPlatformAdmin(PlatformAdmin):
    form = PlatformForm
    change_list_template = "admin/coverage/platform_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "onboard/",
                self.admin_site.admin_view(self.onboard_view),
                name="portal_platform_onboard",
            )
        ]
        return own + super().get_urls()

    def onboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OnboardForm(request.POST or None)
        raw_key = None
        result = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            trades = (
                ["all"] if data["all_trades"] else [c.public_id for c in data["trades"]]
            )
            # The admin only lets staff in: a signed-in user.
            support = request.user if isinstance(request.user, User) else None
            try:
                with transaction.atomic():
                    result = onboard_platform(
                        name=data["name"],
                        trades=trades,
                        time_zone=data["time_zone"] or None,
                        redirect_hosts=_words(
                            data["hosted_flow_allowed_redirect_hosts"]
                        ),
                        default_requirement=_words(
                            data["default_insurance_requirement"]
                        ),
                        by=support,
                        via=AuditVia.ADMIN,
                    )
                    if result.created:
                        _, raw_key = issue_api_key(
                            kind=ApiKey.Kind.PLATFORM,
                            name=f"{result.platform.name} key",
                            platform=result.platform,
                            by=request.user,
                            via=AuditVia.ADMIN,
                        )
            except ValidationError as exc:
                add_service_error(form, exc)
                result = None
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Onboard a platform",
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "raw_key": raw_key,
        }
        return TemplateResponse(
            request, "admin/coverage/onboard_platform.html", context
        )


admin.site.unregister(Platform)
admin.site.register(Platform, OnboardingPlatformAdmin)

"""A customer's contract requirements in the portal: the dispatcher of its platform sets
the additional insureds, waiver, primary and non-contributory wording, certificate holder
and per-line minimum limits (the same ``update_entity`` service as ``/api/v1/entities``).

Parties are typed one per line, ``Name | street | city | state | ZIP`` (only the name is
required); limits in whole dollars."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from coverage import services
from coverage.access import dispatcher_platform, dispatcher_required
from coverage.models import Entity
from coverage.services.contract import COVERAGE_LIMIT_KEYS
from coverage.uploads.requirements import LIMIT_LABELS
from portal.forms import add_service_error
from portal.http import PortalRequest

SAVED = "Saved. Live dispatches for this customer were checked again."
PARTY_PARTS = ("line1", "locality", "region", "postalcode")
# The form's limit fields: "<line>__<limit>", in dollars.
LIMIT_FIELDS = {
    f"{line.replace('-', '_')}__{limit}": (line, limit, label)
    for line, limits in LIMIT_LABELS.items()
    for limit, label in limits.items()
    if not (line == "general" and limit in COVERAGE_LIMIT_KEYS)
}


def parse_party(text: str) -> dict[str, Any]:
    name, *rest = [part.strip() for part in text.split("|")]
    return {"name": name, "address": dict(zip(PARTY_PARTS, rest, strict=False))}


def party_text(party: dict[str, Any] | None) -> str:
    if not party:
        return ""
    address = party.get("address") or {}
    parts = [party["name"], *(address.get(key, "") for key in PARTY_PARTS)]
    while parts and not parts[-1]:
        parts.pop()
    return " | ".join(parts)


class ContractForm(forms.Form):
    additional_insureds = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line: Name | street | city | state | ZIP.",
    )
    certificate_holder = forms.CharField(
        required=False,
        max_length=400,
        help_text="Leave empty for the customer itself. Name | street | city | state | ZIP.",
    )
    waiver_of_subrogation = forms.BooleanField(required=False)
    primary_non_contributory = forms.BooleanField(
        required=False, label="Primary and non-contributory"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (line, _, label) in LIMIT_FIELDS.items():
            prefix = "GL" if line == "general" else "WC"
            self.fields[name] = forms.IntegerField(
                required=False, min_value=10, label=f"{prefix}: {label} ($)"
            )

    @classmethod
    def of(cls, entity: Entity) -> ContractForm:
        initial: dict[str, Any] = {
            "additional_insureds": "\n".join(
                party_text(p) for p in entity.additional_insureds
            ),
            "certificate_holder": party_text(entity.certificate_holder),
            "waiver_of_subrogation": entity.waiver_of_subrogation,
            "primary_non_contributory": entity.primary_non_contributory,
        }
        for name, (line, limit, _) in LIMIT_FIELDS.items():
            cents = (entity.minimum_limits or {}).get(line, {}).get(limit)
            initial[name] = cents // 100 if cents else None
        return cls(initial=initial)

    def data_for_service(self) -> services.EntityData:
        """What was typed, parsed: the service judges it."""
        data = self.cleaned_data
        minimums: dict[str, dict[str, int]] = {}
        for name, (line, limit, _) in LIMIT_FIELDS.items():
            if data.get(name) is not None:
                minimums.setdefault(line, {})[limit] = data[name] * 100
        holder = data["certificate_holder"].strip()
        return {
            "additional_insureds": [
                parse_party(row)
                for row in data["additional_insureds"].splitlines()
                if row.strip()
            ],
            "certificate_holder": parse_party(holder) if holder else None,
            "waiver_of_subrogation": data["waiver_of_subrogation"],
            "primary_non_contributory": data["primary_non_contributory"],
            "minimum_limits": minimums,
        }


def _entity(request: PortalRequest, public_id: str) -> Entity:
    found = (
        Entity.objects.for_platform(dispatcher_platform(request))
        .live()
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


@login_required
@dispatcher_required
@require_http_methods(["GET"])
def customer_list(request: PortalRequest) -> HttpResponse:
    entities = (
        Entity.objects.for_platform(dispatcher_platform(request))
        .live()
        .order_by("name")
    )
    return render(request, "coverage/customer_list.html", {"entities": entities})


@login_required
@dispatcher_required
@require_http_methods(["GET", "POST"])
def customer_contract(request: PortalRequest, public_id: str) -> HttpResponse:
    entity = _entity(request, public_id)
    if request.method == "GET":
        form = ContractForm.of(entity)
    else:
        form = ContractForm(request.POST)
        if form.is_valid():
            try:
                services.update_entity(
                    entity=entity, data=form.data_for_service(), now=timezone.now()
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                response = redirect("coverage:customer_contract", public_id=public_id)
                response["Location"] += "?saved=1"
                return response
    return render(
        request,
        "coverage/customer_contract.html",
        {
            "entity": entity,
            "form": form,
            "main_fields": [form[n] for n in form.fields if n not in LIMIT_FIELDS],
            "limit_fields": [form[name] for name in LIMIT_FIELDS],
            "saved": request.GET.get("saved") == "1" and request.method == "GET",
            "saved_message": SAVED,
        },
        status=200 if request.method == "GET" or not form.errors else 422,
    )

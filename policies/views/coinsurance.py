"""Coinsurance (seed 003): the coinsurance page and its agreements at policy and
section level, with their sections. Their parties are in ``coinsurance_parties``,
towers and layers in ``towers``, the live share meter in ``meter``.

The page is one HTMX region (``workspace``): every write re-renders it, so what
one change does to the rest (a section now taken, a layer with an agreement) shows
at once; a refusal comes back inline beside the form that caused it, in the
services' words. The meter is its own small region, refreshed as the underwriter
types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from policies import services
from policies.access import get_transaction, underwriter_required
from policies.forms import (
    AgreementForm,
    AgreementSectionForm,
    AgreementTermsForm,
    LayerForm,
    PartyEditForm,
    PartyForm,
    TowerForm,
)
from policies.models import (
    CoinsuranceAgreement,
    CoinsuranceParty,
    Layer,
    PolicySection,
    PolicyTransaction,
    Tower,
)
from policies.selectors.coinsurance import AgreementView, agreements_of, producer_codes
from policies.selectors.contents import sections_of, towers_of
from policies.services.drafts import checksum
from policies.views.meter import ShareMeter, build_meter
from policies.views.responses import REFUSED
from policies.views.transactions import not_draft_note
from portal.htmx import render_page
from portal.http import PortalRequest

# ---------------------------------------------------------------------------
# What the page shows


@dataclass
class PartyRow:
    party: CoinsuranceParty
    form: PartyEditForm


@dataclass
class AgreementCard:
    view: AgreementView
    terms_form: AgreementTermsForm
    party_form: PartyForm
    party_rows: list[PartyRow]
    section_form: AgreementSectionForm
    free_sections: list[PolicySection]
    meter: ShareMeter
    error: str = ""

    @property
    def agreement(self) -> CoinsuranceAgreement:
        return self.view.agreement

    @property
    def meter_id(self) -> str:
        return f"meter-{self.agreement.number}"


@dataclass
class LayerRow:
    layer: Layer
    agreement_form: AgreementTermsForm | None


@dataclass
class TowerCard:
    tower: Tower
    sections: list[PolicySection]
    free_sections: list[PolicySection]
    layers: list[LayerRow]
    section_form: AgreementSectionForm
    layer_form: LayerForm
    error: str = ""


@dataclass
class Overrides:
    """What one request left behind: the bound form that failed, or a refusal, by key."""

    forms: dict[str, Form] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _terms_initial(agreement: CoinsuranceAgreement) -> dict[str, Any]:
    return {
        "model": agreement.model,
        "our_role": agreement.our_role,
        "our_share": agreement.our_share,
        "leaders_fee": agreement.leaders_fee,
        "policy_number_suffix": agreement.policy_number_suffix,
    }


def meter_for(view: AgreementView) -> ShareMeter:
    return build_meter(
        our_share=view.agreement.our_share,
        parties=[(p.producer_code.organization.name, p.share) for p in view.parties],
    )


def live_meter(form: Form, field: str, url: str, target: str) -> None:
    """Refresh the meter ``target`` from ``url`` as ``field`` is typed in."""
    form.fields[field].widget.attrs.update(
        {
            "hx-get": url,
            "hx-trigger": "input changed delay:300ms",
            "hx-target": f"#{target}",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        }
    )


def _card(
    txn: PolicyTransaction,
    view: AgreementView,
    sections: list[PolicySection],
    overrides: Overrides,
) -> AgreementCard:
    n = view.agreement.number
    forms = overrides.forms
    meter_url = reverse("policies:agreement_meter", args=[txn.public_id, n])
    rows = [
        PartyRow(
            party=p,
            form=forms.get(f"party-{p.number}")  # type: ignore[arg-type]
            or PartyEditForm(
                initial={
                    "role": p.role,
                    "share": p.share,
                    "checksum": checksum(p),
                },
                auto_id=f"party{p.number}_%s",
            ),
        )
        for p in view.parties
    ]
    card = AgreementCard(
        view=view,
        terms_form=forms.get(f"terms-{n}")  # type: ignore[arg-type]
        or AgreementTermsForm(
            initial=_terms_initial(view.agreement), auto_id=f"terms{n}_%s"
        ),
        party_form=forms.get(f"add-party-{n}")  # type: ignore[arg-type]
        or PartyForm(auto_id=f"addparty{n}_%s"),
        party_rows=rows,
        section_form=forms.get(f"section-{n}")  # type: ignore[arg-type]
        or AgreementSectionForm(auto_id=f"section{n}_%s"),
        free_sections=[s for s in sections if s.coinsurance_agreement_id is None],
        meter=meter_for(view),
        error=overrides.errors.get(f"agreement-{n}", ""),
    )
    live_meter(card.terms_form, "our_share", f"{meter_url}?as=terms", card.meter_id)
    live_meter(card.party_form, "share", f"{meter_url}?as=new", card.meter_id)
    for row in rows:
        live_meter(
            row.form, "share", f"{meter_url}?as=party-{row.party.number}", card.meter_id
        )
    return card


def _tower_card(
    tower: Tower, sections: list[PolicySection], overrides: Overrides
) -> TowerCard:
    t = tower.number
    forms = overrides.forms
    layers = []
    for layer in tower.layers.all():
        has_agreement = hasattr(layer, "coinsurance_agreement")
        layers.append(
            LayerRow(
                layer=layer,
                agreement_form=None
                if has_agreement
                else forms.get(f"layer-agreement-{layer.number}")  # type: ignore[arg-type]
                or AgreementTermsForm(auto_id=f"layeragreement{layer.number}_%s"),
            )
        )
    return TowerCard(
        tower=tower,
        sections=list(tower.sections.all()),
        free_sections=[s for s in sections if s.tower_id is None],
        layers=layers,
        section_form=forms.get(f"tower-section-{t}")  # type: ignore[arg-type]
        or AgreementSectionForm(auto_id=f"towersection{t}_%s"),
        layer_form=forms.get(f"layer-{t}")  # type: ignore[arg-type]
        or LayerForm(auto_id=f"layer{t}_%s"),
        error=overrides.errors.get(f"tower-{t}", ""),
    )


def _refusal(check: Callable[[Any], None], product: Any) -> str:
    try:
        check(product)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def page_context(
    txn: PolicyTransaction, overrides: Overrides | None = None
) -> dict[str, Any]:
    overrides = overrides or Overrides()
    sections = sections_of(txn.pk)
    agreements = agreements_of(txn.pk)
    new_form = overrides.forms.get("new") or AgreementForm(auto_id="new_%s")
    tower_form = overrides.forms.get("tower") or TowerForm(auto_id="tower_%s")
    # Offer the job's own sections; the field still accepts any section type, so a
    # stale choice is refused by the service, in its words.
    on_transaction = [
        (s.section_type, f"{s.get_section_type_display()} ({s.section_type})")
        for s in sections
    ]
    new_form.fields["section_types"].widget.choices = on_transaction
    tower_form.fields["section_types"].widget.choices = on_transaction
    live_meter(
        new_form,
        "our_share",
        reverse("policies:new_agreement_meter", args=[txn.public_id]),
        "meter-new",
    )
    return {
        "txn": txn,
        "editable": txn.is_draft,
        "not_draft": not_draft_note(txn),
        "coinsurance_refusal": _refusal(services.require_coinsurance, txn.product),
        "layers_refusal": _refusal(services.require_layers, txn.product),
        "sections": sections,
        "cards": [_card(txn, view, sections, overrides) for view in agreements],
        "towers": [
            _tower_card(tower, sections, overrides) for tower in towers_of(txn.pk)
        ],
        "new_form": new_form,
        "new_meter": build_meter(our_share=Decimal(0), parties=[]),
        "tower_form": tower_form,
        "workspace_error": overrides.errors.get("workspace", ""),
        "producer_codes": producer_codes(),
    }


def _workspace(
    request: PortalRequest,
    txn: PolicyTransaction,
    overrides: Overrides | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render_page(
        request,
        "policies/coinsurance.html",
        page_context(txn, overrides),
        partial="workspace",
        status=status,
    )


@underwriter_required
@require_GET
def coinsurance(request: PortalRequest, transaction_id: str) -> HttpResponse:
    return _workspace(request, get_transaction(transaction_id))


def workspace_write(
    request: PortalRequest,
    txn: PolicyTransaction,
    key: str,
    write: Callable[[], object],
    form: Any = None,
) -> HttpResponse:
    """Run one write; answer with the refreshed workspace, or the refusal inline.

    With a form, the form must be valid first and a refusal lands on its fields;
    without, a refusal is shown on the card ``key`` names.
    """
    overrides = Overrides()
    if form is not None and not form.is_valid():
        overrides.forms[key] = form
    else:
        try:
            write()
        except ValidationError as exc:
            if form is not None:
                form.add_service_error(exc)
                overrides.forms[key] = form
            else:
                overrides.errors[key] = " ".join(exc.messages)
        else:
            if not request.htmx:
                return redirect("policies:coinsurance", transaction_id=txn.public_id)
            return _workspace(request, get_transaction(txn.public_id))
    return _workspace(request, txn, overrides, status=REFUSED)


def agreement_of(txn: PolicyTransaction, number: int) -> CoinsuranceAgreement:
    return get_object_or_404(CoinsuranceAgreement, transaction=txn, number=number)


def agreement_terms(form: AgreementTermsForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "model": data["model"],
        "our_role": data["our_role"],
        "our_share": data["our_share"],
        "leaders_fee": data["leaders_fee"],
        "policy_number_suffix": data["policy_number_suffix"],
    }


# ---------------------------------------------------------------------------
# Agreements


@underwriter_required
@require_POST
def agreement_create(request: PortalRequest, transaction_id: str) -> HttpResponse:
    txn = get_transaction(transaction_id)
    form = AgreementForm(request.POST, auto_id="new_%s")
    return workspace_write(
        request,
        txn,
        "new",
        lambda: services.create_coinsurance_agreement(
            txn=txn,
            section_types=form.cleaned_data["section_types"],
            by=request.user,
            **agreement_terms(form),
        ),
        form,
    )


@underwriter_required
@require_POST
def agreement_update(
    request: PortalRequest, transaction_id: str, number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    agreement = agreement_of(txn, number)
    form = AgreementTermsForm(
        request.POST, initial=_terms_initial(agreement), auto_id=f"terms{number}_%s"
    )

    def write() -> object:
        # Only what changed: an unchanged share must not be re-judged against parties
        # added since the page was drawn.
        changes = {
            k: v for k, v in agreement_terms(form).items() if k in form.changed_data
        }
        return services.update_coinsurance_agreement(
            agreement=agreement, by=request.user, **changes
        )

    return workspace_write(request, txn, f"terms-{number}", write, form)


@underwriter_required
@require_POST
def agreement_delete(
    request: PortalRequest, transaction_id: str, number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    agreement = agreement_of(txn, number)
    return workspace_write(
        request,
        txn,
        f"agreement-{number}",
        lambda: services.delete_coinsurance_agreement(
            agreement=agreement, by=request.user
        ),
    )


@underwriter_required
@require_POST
def agreement_section_add(
    request: PortalRequest, transaction_id: str, number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    agreement = agreement_of(txn, number)
    form = AgreementSectionForm(request.POST, auto_id=f"section{number}_%s")
    return workspace_write(
        request,
        txn,
        f"section-{number}",
        lambda: services.add_agreement_section(
            agreement=agreement,
            section_type=form.cleaned_data["section_type"],
            by=request.user,
        ),
        form,
    )


@underwriter_required
@require_POST
def agreement_section_remove(
    request: PortalRequest, transaction_id: str, number: int, code: str
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    agreement = agreement_of(txn, number)
    get_object_or_404(
        PolicySection,
        transaction=txn,
        section_type=code,
        coinsurance_agreement=agreement,
    )
    return workspace_write(
        request,
        txn,
        f"agreement-{number}",
        lambda: services.remove_agreement_section(
            agreement=agreement, section_type=code, by=request.user
        ),
    )

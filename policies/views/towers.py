"""Towers and layers on the coinsurance page (seed 003): a tower, its sections, its
layers and a layer's coinsurance agreement. Each write re-renders the workspace."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from policies import services
from policies.access import get_transaction, underwriter_required
from policies.forms import (
    AgreementSectionForm,
    AgreementTermsForm,
    LayerForm,
    TowerForm,
)
from policies.models import (
    Layer,
    PolicySection,
    PolicyTransaction,
    Tower,
)
from policies.views.coinsurance import agreement_terms, workspace_write
from portal.http import PortalRequest

# ---------------------------------------------------------------------------
# Towers and layers


def _tower(txn: PolicyTransaction, number: int) -> Tower:
    return get_object_or_404(Tower, transaction=txn, number=number)


@underwriter_required
@require_POST
def tower_create(request: PortalRequest, transaction_id: str) -> HttpResponse:
    txn = get_transaction(transaction_id)
    form = TowerForm(request.POST, auto_id="tower_%s")
    return workspace_write(
        request,
        txn,
        "tower",
        lambda: services.create_tower(
            txn=txn, section_types=form.cleaned_data["section_types"], by=request.user
        ),
        form,
    )


@underwriter_required
@require_POST
def tower_delete(
    request: PortalRequest, transaction_id: str, number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    tower = _tower(txn, number)
    return workspace_write(
        request,
        txn,
        f"tower-{number}",
        lambda: services.delete_tower(tower=tower, by=request.user),
    )


@underwriter_required
@require_POST
def tower_section_add(
    request: PortalRequest, transaction_id: str, number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    tower = _tower(txn, number)
    form = AgreementSectionForm(request.POST, auto_id=f"towersection{number}_%s")
    return workspace_write(
        request,
        txn,
        f"tower-section-{number}",
        lambda: services.add_tower_section(
            tower=tower, section_type=form.cleaned_data["section_type"], by=request.user
        ),
        form,
    )


@underwriter_required
@require_POST
def tower_section_remove(
    request: PortalRequest, transaction_id: str, number: int, code: str
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    tower = _tower(txn, number)
    get_object_or_404(PolicySection, transaction=txn, section_type=code, tower=tower)
    return workspace_write(
        request,
        txn,
        f"tower-{number}",
        lambda: services.remove_tower_section(
            tower=tower, section_type=code, by=request.user
        ),
    )


@underwriter_required
@require_POST
def layer_create(
    request: PortalRequest, transaction_id: str, number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    tower = _tower(txn, number)
    form = LayerForm(request.POST, auto_id=f"layer{number}_%s")
    return workspace_write(
        request,
        txn,
        f"layer-{number}",
        lambda: services.create_layer(
            tower=tower,
            attachment=form.money("attachment"),
            limit=form.money("limit"),
            by=request.user,
        ),
        form,
    )


def _layer(txn: PolicyTransaction, number: int) -> Layer:
    return get_object_or_404(
        Layer.objects.select_related("tower"), transaction=txn, number=number
    )


@underwriter_required
@require_POST
def layer_delete(
    request: PortalRequest, transaction_id: str, number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    layer = _layer(txn, number)
    return workspace_write(
        request,
        txn,
        f"tower-{layer.tower.number}",
        lambda: services.delete_layer(layer=layer, by=request.user),
    )


@underwriter_required
@require_POST
def layer_agreement_create(
    request: PortalRequest, transaction_id: str, number: int
) -> HttpResponse:
    """A layer-level agreement: the layer's own terms (seed 003, Create a tower with layers)."""
    txn = get_transaction(transaction_id)
    layer = _layer(txn, number)
    form = AgreementTermsForm(request.POST, auto_id=f"layeragreement{number}_%s")
    return workspace_write(
        request,
        txn,
        f"layer-agreement-{number}",
        lambda: services.update_layer(
            layer=layer, coinsurance=agreement_terms(form), by=request.user
        ),
        form,
    )

"""Parties of a coinsurance agreement on the coinsurance page (seed 003): add, edit and
remove a coinsurer, and the producer codes a party form offers."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from policies import services
from policies.access import get_transaction, underwriter_required
from policies.forms import (
    PartyEditForm,
    PartyForm,
)
from policies.models import (
    CoinsuranceParty,
    PolicyTransaction,
    ProducerCode,
)
from policies.selectors.coinsurance import producer_codes
from policies.views.coinsurance import agreement_of, workspace_write
from portal.http import PortalRequest

# ---------------------------------------------------------------------------
# Parties


@underwriter_required
@require_POST
def party_add(request: PortalRequest, transaction_id: str, number: int) -> HttpResponse:
    txn = get_transaction(transaction_id)
    agreement = agreement_of(txn, number)
    form = PartyForm(request.POST, auto_id=f"addparty{number}_%s")

    def write() -> object:
        code_id = form.cleaned_data["producer_code"]
        return services.add_coinsurance_party(
            agreement=agreement,
            producer_code=ProducerCode.objects.filter(public_id=code_id).first(),
            producer_code_id=code_id,
            role=form.cleaned_data["role"],
            share=form.cleaned_data["share"],
            by=request.user,
        )

    return workspace_write(request, txn, f"add-party-{number}", write, form)


def _party(txn: PolicyTransaction, number: int, party_number: int) -> CoinsuranceParty:
    return get_object_or_404(
        CoinsuranceParty.objects.select_related("agreement"),
        transaction=txn,
        agreement__number=number,
        number=party_number,
    )


@underwriter_required
@require_POST
def party_update(
    request: PortalRequest, transaction_id: str, number: int, party_number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    party = _party(txn, number, party_number)
    form = PartyEditForm(
        request.POST,
        initial={"role": party.role, "share": party.share},
        auto_id=f"party{party_number}_%s",
    )

    def write() -> object:
        changes = {
            name: form.cleaned_data[name]
            for name in ("role", "share")
            if name in form.changed_data
        }
        return services.update_coinsurance_party(
            party=party,
            checksum_supplied=form.cleaned_data["checksum"] or None,
            by=request.user,
            **changes,
        )

    return workspace_write(request, txn, f"party-{party_number}", write, form)


@underwriter_required
@require_POST
def party_delete(
    request: PortalRequest, transaction_id: str, number: int, party_number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    party = _party(txn, number, party_number)
    return workspace_write(
        request,
        txn,
        f"agreement-{number}",
        lambda: services.delete_coinsurance_party(party=party, by=request.user),
    )


@underwriter_required
@require_GET
def producer_code_search(request: PortalRequest) -> HttpResponse:
    """Producer codes whose code or organization matches ``q``: the options of a
    party form's producer code list."""
    q = request.GET.get("q", "").replace("\x00", "").strip()
    return render(
        request,
        "policies/coinsurance.html#producer-options",
        {"producer_codes": producer_codes(q)},
    )

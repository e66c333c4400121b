"""Editing a draft's locations and contacts in place: one form per row, prefilled,
posted to the row's own URL; a refusal comes back inline on that row (422)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_POST

from policies import services
from policies.access import get_transaction, underwriter_required
from policies.forms import ContactForm, LocationForm
from policies.models import Contact, PolicyLocation, PolicyTransaction
from policies.views.content_rows import contact_prefix, location_prefix
from policies.views.transactions import content_write
from portal.http import PortalRequest


def _location(txn: PolicyTransaction, number: int) -> PolicyLocation:
    found = PolicyLocation.objects.filter(transaction=txn, number=number).first()
    if found is None:
        raise Http404("No such location on this job.")
    return found


def _contact(txn: PolicyTransaction, contact_id: str) -> Contact:
    found = Contact.objects.filter(public_id=contact_id, roles__transaction=txn).first()
    if found is None:
        raise Http404("No such contact on this job.")
    return found


@underwriter_required
@require_POST
def location_edit(
    request: PortalRequest, transaction_id: str, location_number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    location = _location(txn, location_number)
    form = LocationForm(request.POST, prefix=location_prefix(location))

    def write() -> object:
        data = form.cleaned_data
        return services.update_location(
            txn=txn,
            location=location,
            address_line1=data["address_line1"],
            address_line2=data["address_line2"],
            city=data["city"],
            state=data["state"],
            postal_code=data["postal_code"],
            by=request.user,
        )

    return content_write(
        request,
        txn,
        "location_edit",
        form,
        write,
        partial="locations",
        key=location.number,
    )


@underwriter_required
@require_POST
def contact_edit(
    request: PortalRequest, transaction_id: str, contact_id: str
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    contact = _contact(txn, contact_id)
    form = ContactForm(request.POST, prefix=contact_prefix(contact))

    def write() -> object:
        data = form.cleaned_data
        return services.update_contact(
            txn=txn,
            contact=contact,
            kind=data["kind"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            company_name=data["company_name"],
            email=data["email"],
            phone=data["phone"],
            roles=data["roles"],
            by=request.user,
        )

    return content_write(
        request,
        txn,
        "contact_edit",
        form,
        write,
        partial="locations",
        key=contact.public_id,
    )

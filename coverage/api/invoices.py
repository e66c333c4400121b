"""/api/v1/invoices: premium due per pay period; editable until paid."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Status

from coverage import services
from coverage.api.contractors import contractor_or_404
from coverage.api.inputs import WireIn, get_or_404, required, timestamp
from coverage.api.jobs import job_or_404
from coverage.api.serializers import InvoiceJSON, invoice_json
from coverage.api.site import api
from coverage.api.wire import DeletedJSON, deleted
from coverage.models import Invoice
from portal.api import cursor_page, platform_of


class InvoiceUpdate(WireIn):
    contractor: str | None = None
    contractor_id: str | None = None  # alias of contractor
    job: str | None = None
    job_id: str | None = None  # alias of job
    gross_pay: int | None = None
    paycycle_startdate: int | None = None
    paycycle_enddate: int | None = None
    # Left out: the job's custom_metadata.purchase_order_number; "": none.
    purchase_order_number: str | None = Field(None, max_length=100)


class InvoiceCreate(InvoiceUpdate):
    gross_pay: int
    paycycle_startdate: int
    paycycle_enddate: int


def _invoice(request: HttpRequest, invoice_id: str) -> Invoice:
    return get_or_404(
        Invoice.objects.for_platform(platform_of(request))
        .live()
        .select_related("contractor", "job", "policy"),
        invoice_id,
        what="invoice",
        code="invalid_invoice_id",
    )


@api.post("/invoices", response={201: InvoiceJSON}, tags=["invoices"])
def create_invoice(request: HttpRequest, payload: InvoiceCreate) -> Status:
    contractor = contractor_or_404(
        request, required(payload.contractor or payload.contractor_id, "contractor")
    )
    job = job_or_404(request, required(payload.job or payload.job_id, "job"))
    invoice = services.create_invoice(
        contractor=contractor,
        job=job,
        gross_pay=payload.gross_pay,
        paycycle_start=timestamp(
            payload.paycycle_startdate,
            "paycycle_startdate",
            "invalid_paycycle_startdate",
        ),
        paycycle_end=timestamp(
            payload.paycycle_enddate, "paycycle_enddate", "invalid_paycycle_enddate"
        ),
        purchase_order_number=payload.purchase_order_number
        if "purchase_order_number" in payload.model_fields_set
        else None,
    )
    return Status(201, invoice_json(invoice))


@api.get("/invoices", response=list[InvoiceJSON], tags=["invoices"])
def list_invoices(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
    contractor: str | None = None,
) -> list[InvoiceJSON]:
    invoices = Invoice.objects.for_platform(platform_of(request)).live()
    if contractor is not None:
        invoices = invoices.filter(contractor__public_id=contractor)
    page = cursor_page(
        invoices.select_related("contractor", "job", "policy"),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [invoice_json(i) for i in page]


@api.get("/invoices/{invoice_id}", response=InvoiceJSON, tags=["invoices"])
def get_invoice(request: HttpRequest, invoice_id: str) -> InvoiceJSON:
    return invoice_json(_invoice(request, invoice_id))


@api.put("/invoices/{invoice_id}", response=InvoiceJSON, tags=["invoices"])
def update_invoice(
    request: HttpRequest, invoice_id: str, payload: InvoiceUpdate
) -> InvoiceJSON:
    sent = payload.model_fields_set
    changes: services.InvoiceChanges = {}
    contractor_id = payload.contractor or payload.contractor_id
    if contractor_id:
        changes["contractor"] = contractor_or_404(request, contractor_id)
    job_id = payload.job or payload.job_id
    if job_id:
        changes["job"] = job_or_404(request, job_id)
    if payload.gross_pay is not None:
        changes["gross_pay"] = payload.gross_pay
    if payload.paycycle_startdate is not None:
        changes["paycycle_start"] = timestamp(
            payload.paycycle_startdate,
            "paycycle_startdate",
            "invalid_paycycle_startdate",
        )
    if payload.paycycle_enddate is not None:
        changes["paycycle_end"] = timestamp(
            payload.paycycle_enddate, "paycycle_enddate", "invalid_paycycle_enddate"
        )
    if "purchase_order_number" in sent:
        changes["purchase_order_number"] = payload.purchase_order_number
    invoice = services.update_invoice(
        invoice=_invoice(request, invoice_id),
        changes=changes,
    )
    return invoice_json(invoice)


@api.delete("/invoices/{invoice_id}", response=DeletedJSON, tags=["invoices"])
def delete_invoice(request: HttpRequest, invoice_id: str) -> dict[str, Any]:
    invoice = services.delete_invoice(
        invoice=_invoice(request, invoice_id), now=timezone.now()
    )
    return deleted(invoice.public_id, "invoice", invoice.deleted_at)

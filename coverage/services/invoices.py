"""Invoices: premium due for a pay period, for premium the platform withholds or remits.

premium_due = the pay period's gross pay × the policy's net rate (rated as the policy
was, by coverage.rating), rounded half-up to a cent, and never below the documented
minimum of 100 cents. An invoice is editable and deletable until it is paid.

Its gross pay is the actual pay of the dispatches it pays: creating, changing or
deleting an invoice trues their premium up to it (``coverage.services.actuals``).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from typing_extensions import TypedDict

from coverage.api.serializers import invoice_json
from coverage.models import Contractor, Invoice, WorkJob
from coverage.services.actuals import audit_invoice
from coverage.services.eligibility import Terms, mismatches
from coverage.services.inputs import invalid
from coverage.services.terms import rate_terms
from coverage.webhooks import events
from policies.models import Policy, PolicyStatus
from portal.jurisdictions import normalize_state

MIN_PREMIUM_DUE = 100
MIN_GROSS_PAY, MAX_GROSS_PAY = 100, 100_000_000
GROSS_PAY_OUT_OF_RANGE = "gross_pay is in cents, from 100 to 100000000."
PAYCYCLE_START_INVALID = "The pay cycle start date is not a valid date."
PAYCYCLE_END_BEFORE_START = "The pay cycle must end after it starts."
NO_POLICY_FOR_PERIOD = (
    "No active policy covers this contractor for this job during the pay period."
)
INVOICE_PAID = "This invoice has been paid; it can no longer be changed or deleted."


class InvoiceChanges(TypedDict, total=False):
    contractor: Contractor
    job: WorkJob
    gross_pay: int
    paycycle_start: datetime
    paycycle_end: datetime
    purchase_order_number: str | None


def covering_policy(
    *, contractor: Contractor, job: WorkJob, start: datetime, end: datetime
) -> Policy:
    """The contractor's most recent active policy for this job's terms overlapping the period."""
    candidates = Policy.objects.filter(
        platform_id=contractor.platform_id,
        contractor=contractor,
        status=PolicyStatus.ACTIVE,
        effective_at__lt=end,
        expires_at__gt=start,
    ).order_by("-effective_at", "-pk")
    for policy in candidates:
        terms = Terms(
            lines=tuple(policy.lines),
            work_state=normalize_state(job.work_state),
            residence_state=normalize_state(contractor.residence_state),
            category_code_id=job.category_code_id,
        )
        if not mismatches(policy, terms):
            return policy
    raise ValidationError(NO_POLICY_FOR_PERIOD, code="no_active_policy")


def premium_due(*, policy: Policy, gross_pay: int) -> int:
    # Rated as the policy was bound (its lines, states, category and start day), so
    # the invoice prices at the policy's net rate.
    rating = rate_terms(
        category_code=policy.category_code,
        lines=policy.lines,
        work_state=policy.wc_state,
        residence_state=policy.gl_state,
        starts_at=policy.effective_at,
    )
    return max(rating.premium_cents(gross_pay), MIN_PREMIUM_DUE)


def _price(invoice: Invoice) -> None:
    if not MIN_GROSS_PAY <= invoice.gross_pay <= MAX_GROSS_PAY:
        raise invalid("gross_pay", GROSS_PAY_OUT_OF_RANGE)
    if invoice.paycycle_start.timestamp() <= 0:
        raise ValidationError(PAYCYCLE_START_INVALID, code="invalid_paycycle_startdate")
    if invoice.paycycle_end <= invoice.paycycle_start:
        raise ValidationError(
            PAYCYCLE_END_BEFORE_START, code="invalid_paycycle_enddate"
        )
    invoice.policy = covering_policy(
        contractor=invoice.contractor,
        job=invoice.job,
        start=invoice.paycycle_start,
        end=invoice.paycycle_end,
    )
    invoice.premium_due = premium_due(
        policy=invoice.policy, gross_pay=invoice.gross_pay
    )


def _emit(invoice: Invoice, type: str) -> None:
    events.emit(platform=invoice.platform, type=type, data=invoice_json(invoice))


@transaction.atomic
def create_invoice(
    *,
    contractor: Contractor,
    job: WorkJob,
    gross_pay: int,
    paycycle_start: datetime,
    paycycle_end: datetime,
    purchase_order_number: str | None = None,
) -> Invoice:
    """``purchase_order_number`` None inherits the job's; "" means none."""
    if purchase_order_number is None:
        purchase_order_number = str(
            job.custom_metadata.get("purchase_order_number", "")
        )
    invoice = Invoice(
        platform_id=contractor.platform_id,
        contractor=contractor,
        job=job,
        gross_pay=gross_pay,
        paycycle_start=paycycle_start,
        paycycle_end=paycycle_end,
        purchase_order_number=purchase_order_number,
    )
    _price(invoice)
    invoice.save()
    audit_invoice(invoice=invoice)
    _emit(invoice, "invoice.created")
    return invoice


def _locked_unpaid(invoice: Invoice) -> Invoice:
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor", "job", "policy")
        .get(pk=invoice.pk)
    )
    if invoice.paid_at is not None:
        raise ValidationError(INVOICE_PAID, code="invoice_already_paid")
    return invoice


@transaction.atomic
def update_invoice(*, invoice: Invoice, changes: InvoiceChanges) -> Invoice:
    invoice = _locked_unpaid(invoice)
    # The dispatches it paid go back to their estimates, then those it now pays
    # (often the same ones) are audited to the new gross pay.
    audit_invoice(invoice=invoice, revert=True)
    for field in ("contractor", "job", "gross_pay", "paycycle_start", "paycycle_end"):
        if field in changes:
            setattr(invoice, field, changes[field])
    if "purchase_order_number" in changes:
        # A value sets it, "" (or null) clears it; leaving it out keeps it.
        invoice.purchase_order_number = changes["purchase_order_number"] or ""
    _price(invoice)
    invoice.save()
    audit_invoice(invoice=invoice)
    _emit(invoice, "invoice.updated")
    return invoice


@transaction.atomic
def delete_invoice(*, invoice: Invoice, now: datetime) -> Invoice:
    invoice = _locked_unpaid(invoice)
    invoice.deleted_at = now
    invoice.save(update_fields=["deleted_at"])
    audit_invoice(invoice=invoice)
    return invoice


@transaction.atomic
def mark_invoice_paid(*, invoice: Invoice, at: datetime) -> Invoice:
    """Record payment in full (billing / support); the invoice is frozen from then on."""
    invoice = _locked_unpaid(invoice)
    invoice.paid_at = at
    invoice.save(update_fields=["paid_at", "updated_at"])
    _emit(invoice, "invoice.updated")
    return invoice

"""Each resource as the contractor API shows it (and as events carry it).

One typed function per resource. They read related objects' public ids, so list
callers ``select_related`` what each function touches (noted on each).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from typing_extensions import TypedDict

from coverage.api.wire import unix
from coverage.certificates import (
    api_pdf_url,
    assignment_urls,
    policy_certificates,
    wire_urls,
)
from coverage.models import (
    Addressed,
    ApplicationSession,
    Assignment,
    CategoryCode,
    Contractor,
    Entity,
    Invoice,
    Quote,
    WorkJob,
)
from policies.models import Policy, PolicyStatus


class AddressJSON(TypedDict):
    line1: str
    line2: str | None
    locality: str
    region: str
    postalcode: str
    country: str | None


class CoverageLimitJSON(TypedDict):
    aggregate_limit: int | None
    occurrence_limit: int | None


class PartyJSON(TypedDict):
    name: str
    address: dict[str, str]


class EntityJSON(TypedDict):
    id: str
    created: int
    name: str
    address: AddressJSON
    coverage_limit: CoverageLimitJSON
    required_coverage: list[str]
    minimum_limits: dict[str, dict[str, int]]
    additional_insureds: list[PartyJSON]
    waiver_of_subrogation: bool
    primary_non_contributory: bool
    certificate_holder: PartyJSON | None


class ContractorJSON(TypedDict):
    id: str
    created: int
    first_name: str
    middle_name: str | None
    last_name: str
    email: str
    phone: str
    company_name: str | None
    address: AddressJSON
    custom_metadata: dict[str, Any]
    withhold_premium: bool


class JobJSON(TypedDict):
    id: str
    created: int
    name: str
    description: str
    entity: str
    category_code: str | None
    wage: int
    wage_type: str
    address: AddressJSON | None
    custom_metadata: dict[str, Any]
    years_experience: int | None
    withhold_premium: bool
    duration_hours: int | None


class CategoryCodeJSON(TypedDict):
    category_code: str
    name: str


class QuoteJSON(TypedDict):
    id: str
    contractor: str
    job: str
    coverage_type: list[str]
    created: int
    effective_date: int
    end_date: int
    eligible: bool
    # Our addition: why not, when ``eligible`` is false (else null).
    eligibility_message: str | None
    net_rate: int
    gl_net_rate: int | None
    wc_net_rate: int | None
    quote_json: dict[str, Any]
    # Our addition: per line, the jurisdiction, class code and rate used.
    rating: dict[str, Any]
    policy: str | None


class SessionJSON(TypedDict):
    id: str
    quote: str
    contractor: str
    job: str
    url: str
    success_url: str | None
    cancel_url: str | None
    created: int
    expires_at: int
    expired: bool
    step: str
    completed: int | None
    policy: str | None


class PolicyJSON(TypedDict):
    id: str
    object: str
    quote: str | None
    contractor: str
    status: str
    is_active: bool
    coverage_type: list[str]
    created: int
    effective_date: int
    expiration_date: int
    cancelled_at: int | None
    pdf_url: str | None
    certificates: dict[str, Any]


class EligibleJSON(TypedDict):
    result: bool
    message: str


class AssignmentJSON(TypedDict):
    id: str
    contractor: str
    job: str
    policy: str | None
    bind: bool
    coverage_type: list[str]
    created: int
    effective_date: int
    end_date: int
    net_rate: int
    eligible: EligibleJSON
    certificates: dict[str, Any]
    # Lines the tech's own approved certificates cover: line → ``ci_`` id.
    own_certificates: dict[str, str]
    rating: dict[str, Any] | None
    # Our addition: the dispatch's premium in cents (its ledger balance).
    premium: int
    # Our additions: the pay (cents) the premium was estimated on, and the pay reported
    # as really earned (an invoice's gross pay) once known — the audit's basis.
    pay: int
    actual_pay: int | None
    cancelled: bool
    cancellation_date: int | None
    cancellation_reason: str | None


class InvoiceJSON(TypedDict):
    id: str
    contractor: str
    job: str
    policy: str
    gross_pay: int
    paycycle_startdate: int
    paycycle_enddate: int
    premium_due: int
    created: int
    purchase_order_number: str | None
    paid: bool


def address_json(obj: Addressed) -> AddressJSON:
    """``obj.address`` with its shape typed."""
    return AddressJSON(
        line1=obj.address_line1,
        line2=obj.address_line2 or None,
        locality=obj.address_locality,
        region=obj.address_region,
        postalcode=obj.address_postalcode,
        country=obj.address_country or None,
    )


def entity_json(entity: Entity) -> EntityJSON:
    return EntityJSON(
        id=entity.public_id,
        created=unix(entity.created_at),
        name=entity.name,
        address=address_json(entity),
        coverage_limit=CoverageLimitJSON(
            aggregate_limit=entity.aggregate_limit,
            occurrence_limit=entity.occurrence_limit,
        ),
        required_coverage=list(entity.required_coverage),
        minimum_limits=dict(entity.minimum_limits or {}),
        additional_insureds=[
            PartyJSON(name=p["name"], address=dict(p.get("address") or {}))
            for p in entity.additional_insureds or []
        ],
        waiver_of_subrogation=entity.waiver_of_subrogation,
        primary_non_contributory=entity.primary_non_contributory,
        certificate_holder=(
            PartyJSON(
                name=entity.certificate_holder["name"],
                address=dict(entity.certificate_holder.get("address") or {}),
            )
            if entity.certificate_holder
            else None
        ),
    )


def contractor_json(contractor: Contractor) -> ContractorJSON:
    return ContractorJSON(
        id=contractor.public_id,
        created=unix(contractor.created_at),
        first_name=contractor.first_name,
        middle_name=contractor.middle_name or None,
        last_name=contractor.last_name,
        email=contractor.email,
        phone=contractor.phone,
        company_name=contractor.company_name or None,
        address=address_json(contractor),
        custom_metadata=contractor.custom_metadata,
        withhold_premium=contractor.withhold_premium,
    )


def job_json(job: WorkJob) -> JobJSON:
    """Touches job.entity and job.category_code."""
    has_address = any(job.address.values())
    return JobJSON(
        id=job.public_id,
        created=unix(job.created_at),
        name=job.name,
        description=job.description,
        entity=job.entity.public_id,
        category_code=job.category_code.public_id if job.category_code else None,
        wage=job.wage,
        wage_type=job.wage_type,
        address=address_json(job) if has_address else None,
        custom_metadata=job.custom_metadata,
        years_experience=job.years_experience,
        withhold_premium=job.withhold_premium,
        duration_hours=job.duration_hours,
    )


def category_code_json(category: CategoryCode) -> CategoryCodeJSON:
    return CategoryCodeJSON(category_code=category.public_id, name=category.name)


def quote_json(quote: Quote) -> QuoteJSON:
    """Touches quote.contractor, quote.job and quote.policy."""
    rating = quote.rating
    lines_json: dict[str, Any] = {}
    for key, line in rating.items():
        lines_json[key] = {"net_rate": line["net_rate"]}
        if key == "gl":
            lines_json[key].update(stamping_fee=None, risk_purchasing_group_fee=None)
    return QuoteJSON(
        id=quote.public_id,
        contractor=quote.contractor.public_id,
        job=quote.job.public_id,
        coverage_type=list(quote.lines),
        created=unix(quote.created_at),
        effective_date=unix(quote.effective_at),
        end_date=unix(quote.end_at),
        eligible=quote.eligible,
        eligibility_message=quote.eligibility_message or None,
        net_rate=quote.net_rate,
        gl_net_rate=quote.net_rate_for("gl"),
        wc_net_rate=quote.net_rate_for("wc"),
        quote_json=lines_json,
        rating=rating,
        policy=quote.policy.public_id if quote.policy else None,
    )


def session_json(session: ApplicationSession, *, at: Any) -> SessionJSON:
    """Touches session.quote and its contractor, job and policy."""
    quote = session.quote
    return SessionJSON(
        id=session.public_id,
        quote=quote.public_id,
        contractor=quote.contractor.public_id,
        job=quote.job.public_id,
        url=session.url,
        success_url=session.success_url or None,
        cancel_url=session.cancel_url or None,
        created=unix(session.created_at),
        expires_at=unix(session.expires_at),
        expired=session.is_expired(at),
        step=session.step,
        completed=unix(session.completed_at),
        policy=quote.policy.public_id
        if session.completed_at and quote.policy
        else None,
    )


def policy_quote_id(policy: Policy) -> str | None:
    try:
        return policy.quote.public_id
    except ObjectDoesNotExist:
        return None  # bound by an underwriter, not from a quote


def policy_json(policy: Policy) -> PolicyJSON:
    """Touches policy.contractor, the reverse policy.quote and its latest certificates
    (lists prefetch ``certificates.policy_prefetch()``)."""
    latest = policy_certificates(policy)
    urls = wire_urls(latest)
    return PolicyJSON(
        id=policy.public_id,
        object="policy",
        quote=policy_quote_id(policy),
        contractor=policy.contractor.public_id,
        status=policy.status,
        is_active=policy.status == PolicyStatus.ACTIVE,
        coverage_type=list(policy.lines),
        created=unix(policy.created_at),
        effective_date=unix(policy.effective_at),
        expiration_date=unix(policy.expires_at),
        cancelled_at=unix(policy.cancelled_at),
        # The public API's pdf_url is a certificate PDF (its example is a COI): the
        # policy's most recent certificate in force, of whichever line.
        pdf_url=api_pdf_url(max(latest, key=lambda c: c.pk).number) if latest else None,
        certificates=urls,
    )


def assignment_json(assignment: Assignment) -> AssignmentJSON:
    """Touches assignment.contractor, assignment.job, assignment.policy and its
    certificates (lists read them ``certificates.with_certificate_urls``)."""
    return AssignmentJSON(
        id=assignment.public_id,
        contractor=assignment.contractor.public_id,
        job=assignment.job.public_id,
        policy=assignment.policy.public_id if assignment.policy else None,
        bind=assignment.bind,
        coverage_type=list(assignment.lines),
        created=unix(assignment.created_at),
        effective_date=unix(assignment.effective_at),
        end_date=unix(assignment.end_at),
        net_rate=assignment.net_rate,
        eligible=EligibleJSON(
            result=assignment.eligible, message=assignment.eligibility_message
        ),
        certificates=assignment_urls(assignment),
        own_certificates=assignment.own_certificate_ids,
        rating=assignment.rating,
        premium=assignment.premium,
        pay=assignment.pay,
        actual_pay=assignment.actual_pay,
        cancelled=assignment.is_cancelled,
        cancellation_date=unix(assignment.cancelled_at),
        cancellation_reason=assignment.cancellation_reason or None,
    )


def invoice_json(invoice: Invoice) -> InvoiceJSON:
    """Touches invoice.contractor, invoice.job and invoice.policy."""
    return InvoiceJSON(
        id=invoice.public_id,
        contractor=invoice.contractor.public_id,
        job=invoice.job.public_id,
        policy=invoice.policy.public_id,
        gross_pay=invoice.gross_pay,
        paycycle_startdate=unix(invoice.paycycle_start),
        paycycle_enddate=unix(invoice.paycycle_end),
        premium_due=invoice.premium_due,
        created=unix(invoice.created_at),
        purchase_order_number=invoice.purchase_order_number or None,
        paid=invoice.paid_at is not None,
    )

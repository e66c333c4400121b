"""Jobs (the Cloud API's name for policy transactions): submissions, reading and
changing a draft's terms, and the job actions (quote, bind, make draft, withdraw);
and how a transaction renders on the wire. Policies are in ``policies``, products
and producer codes in ``reference``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field, StrictBool

from policies import services
from policies.api.base import job_api, router
from policies.api.listing import (
    check_query,
    code_field,
    collection,
    text_field,
)
from policies.api.wire import (
    JOB_ROOT,
    POLICY_ROOT,
    DateText,
    Envelope,
    In,
    Ref,
    RefIn,
    SectionRefIn,
    TypeKey,
    TypeKeyIn,
    actor,
    element,
    envelope,
    envelopes,
    given,
    iso_date,
    iso_datetime,
    link,
    one,
    supplied_checksum,
    transaction_owner,
    typekey,
)
from policies.lines import CoverageType
from policies.models import (
    Policy,
    PolicyTransaction,
    Product,
    TransactionKind,
    TransactionStatus,
)
from policies.models.accounts import (
    Account,
    AccountCategory,
    account_model,
    category_code_model,
)
from policies.services.drafts import checksum
from portal.api import ApiError
from portal.jurisdictions import US_STATES

UNKNOWN_ACCOUNT = "No contractor {id}: the account is the insured contractor's cn_ id."
UNKNOWN_PRODUCT = "No product {id}."
UNKNOWN_CATEGORY = "No category code {id}."

# The Cloud API's typecodes for our transaction kinds and statuses.
JOB_TYPES: dict[str, str] = {  # keyed by the stored value
    TransactionKind.SUBMISSION: "Submission",
    TransactionKind.POLICY_CHANGE: "PolicyChange",
    TransactionKind.RENEWAL: "Renewal",
    TransactionKind.CANCELLATION: "Cancellation",
    TransactionKind.REINSTATEMENT: "Reinstatement",
}
JOB_STATUSES: dict[str, str] = {  # keyed by the stored value
    TransactionStatus.DRAFT: "Draft",
    TransactionStatus.QUOTED: "Quoted",
    TransactionStatus.BOUND: "Bound",
    TransactionStatus.WITHDRAWN: "Withdrawn",
}
CONTENT_COLLECTIONS = (
    "locations",
    "contacts",
    "policy-sections",
    "coinsurance-agreements",
    "towers",
    "prior-policies",
)

jobs = router("Jobs")


# ---------------------------------------------------------------------------
# Schemas


class SubmissionAttributes(In):
    account: RefIn = Field(description="The insured contractor, by its cn_ id.")
    product: RefIn = Field(
        description="The product, by its code (GET /job/v1/products)."
    )
    jobEffectiveDate: DateText
    expirationDate: DateText | None = Field(
        None, description="Defaults to one year after the effective date."
    )
    lines: list[TypeKeyIn] = Field(
        default_factory=list,
        description="Contractor lines (workers-comp, general, ...) the product writes.",
    )
    wcState: TypeKeyIn | None = Field(
        None, description="Work state the WC line is rated for."
    )
    glState: TypeKeyIn | None = Field(None, description="Residence state for GL.")
    categoryCode: RefIn | None = Field(
        None, description="A job category, by its jc_ id."
    )
    autoRenew: StrictBool = True
    policySections: list[SectionRefIn] = Field(
        default_factory=list, description="Sections to start with (section products)."
    )


class JobPatchAttributes(In):
    lines: list[TypeKeyIn] | None = None
    wcState: TypeKeyIn | None = None
    glState: TypeKeyIn | None = None
    categoryCode: RefIn | None = None
    expirationDate: DateText | None = None
    autoRenew: StrictBool | None = None


# Each body is the named class envelope() makes (ninja reads it from the
# annotation); to the type checker it is the Envelope it subclasses.
if TYPE_CHECKING:
    SubmissionRequest = Envelope[SubmissionAttributes]
    JobPatchRequest = Envelope[JobPatchAttributes]
else:
    SubmissionRequest = envelope("Submission", SubmissionAttributes)
    JobPatchRequest = envelope("JobPatch", JobPatchAttributes)


class JobAttributes(Schema):
    id: str
    jobNumber: str
    jobType: TypeKey
    jobStatus: TypeKey
    account: Ref
    product: Ref
    jobEffectiveDate: str
    periodStart: str
    periodEnd: str
    lines: list[TypeKey]
    wcState: TypeKey | None = None
    glState: TypeKey | None = None
    categoryCode: Ref | None = None
    autoRenew: bool
    policy: Ref | None = None
    policyNumber: str | None = None
    createdDate: str


JobOne, JobList = envelopes("Job", JobAttributes)

# ---------------------------------------------------------------------------
# Rendering


def state_typekey(code: str) -> dict[str, str] | None:
    return typekey(code, US_STATES[code]) if code else None


def line_typekeys(lines: list[str]) -> list[dict[str, str]]:
    return [
        typekey(line, CoverageType(line).label if line in CoverageType.values else line)
        for line in lines
    ]


def account_ref(contractor: Account) -> dict[str, Any]:
    return {
        "id": contractor.public_id,
        "displayName": contractor.legal_name,
        "type": "Contractor",
    }


def product_ref(product: Product) -> dict[str, Any]:
    return {"id": product.code, "displayName": product.name, "type": "Product"}


def category_ref(category: AccountCategory | None) -> dict[str, Any] | None:
    if category is None:
        return None
    return {
        "id": category.public_id,
        "displayName": category.name,
        "type": "CategoryCode",
    }


def policy_ref(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.public_id,
        "displayName": policy.number,
        "type": "Policy",
        "uri": f"{POLICY_ROOT}/policies/{policy.public_id}",
    }


def transaction_resource(txn: PolicyTransaction) -> dict[str, Any]:
    base = f"{JOB_ROOT}/jobs/{txn.public_id}"
    policy = txn.policy  # None, without a query, when policy_id is None
    attributes = {
        "id": txn.public_id,
        "jobNumber": txn.public_id,
        "jobType": typekey(JOB_TYPES[txn.kind], txn.get_kind_display()),
        "jobStatus": typekey(JOB_STATUSES[txn.status], txn.get_status_display()),
        "account": account_ref(txn.contractor),
        "product": product_ref(txn.product),
        "jobEffectiveDate": iso_date(txn.effective_at),
        "periodStart": iso_datetime(txn.effective_at),
        "periodEnd": iso_datetime(txn.expires_at),
        "lines": line_typekeys(txn.lines),
        "wcState": state_typekey(txn.wc_state),
        "glState": state_typekey(txn.gl_state),
        "categoryCode": category_ref(txn.category_code),
        "autoRenew": txn.auto_renew,
        "policy": policy_ref(policy) if policy is not None else None,
        "policyNumber": policy.number if policy is not None else None,
        "createdDate": iso_datetime(txn.created_at),
    }
    draft = txn.status == TransactionStatus.DRAFT
    quoted = txn.status == TransactionStatus.QUOTED
    links: dict[str, Any] = {"self": link(base, "get", *(["patch"] if draft else []))}
    if draft:
        links["quote"] = link(f"{base}/quote", "post")
    if quoted:
        links["bind-and-issue"] = link(f"{base}/bind-and-issue", "post")
        links["make-draft"] = link(f"{base}/make-draft", "post")
    if draft or quoted:
        links["withdraw"] = link(f"{base}/withdraw", "post")
    for name in CONTENT_COLLECTIONS:
        writable = draft or (name == "prior-policies" and txn.is_open)
        links[name] = link(f"{base}/{name}", "get", *(["post"] if writable else []))
    return element(attributes, checksum(txn), links)


def transaction_rows() -> QuerySet[PolicyTransaction]:
    return PolicyTransaction.objects.select_related(
        "contractor", "product", "category_code", "policy"
    )


def _transaction(transaction_id: str) -> PolicyTransaction:
    return transaction_rows().get(public_id=transaction_id)


def fresh_transaction(txn: PolicyTransaction) -> dict[str, Any]:
    return one(transaction_resource(transaction_rows().get(pk=txn.pk)))


# ---------------------------------------------------------------------------
# Reading the body


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _state_code(value: TypeKeyIn | None) -> str:
    # validate_terms judges the code; a missing state is "" (not rated there).
    return value.code.upper() if value is not None else ""


def _category_code(ref: RefIn | None) -> AccountCategory | None:
    if ref is None:
        return None
    category = category_code_model().objects.filter(public_id=ref.id).first()
    if category is None:
        raise ApiError(UNKNOWN_CATEGORY.format(id=ref.id))
    return category


# ---------------------------------------------------------------------------
# Operations


JOB_FILTERS = {
    "jobStatus": code_field("status", {c: k for k, c in JOB_STATUSES.items()}),
    "jobType": code_field("kind", {c: k for k, c in JOB_TYPES.items()}),
    "product": text_field("product__code"),
    "policyNumber": text_field("policy__number"),
    "account": text_field("contractor__public_id"),
}


@jobs.post("/submissions", response={201: JobOne}, summary="Create a submission")
def create_submission(request: HttpRequest, payload: SubmissionRequest) -> Status:
    attrs: SubmissionAttributes = payload.data.attributes
    contractor = (
        account_model().objects.live().filter(public_id=attrs.account.id).first()
    )
    if contractor is None:
        raise ApiError(UNKNOWN_ACCOUNT.format(id=attrs.account.id))
    product = Product.objects.filter(code=attrs.product.id).first()
    if product is None:
        raise ApiError(UNKNOWN_PRODUCT.format(id=attrs.product.id))
    expiration = attrs.expirationDate or _one_year_after(attrs.jobEffectiveDate)
    txn = services.start_submission(
        by=actor(request),
        platform=contractor.platform,
        contractor=contractor,
        product=product,
        lines=[line.code for line in attrs.lines],
        effective_at=start_of_day(attrs.jobEffectiveDate),
        expires_at=start_of_day(expiration),
        wc_state=_state_code(attrs.wcState),
        gl_state=_state_code(attrs.glState),
        category_code=_category_code(attrs.categoryCode),
        auto_renew=attrs.autoRenew,
        section_types=[s.sectionType.code for s in attrs.policySections],
    )
    return Status(201, fresh_transaction(txn))


@jobs.get("/jobs", response=JobList, summary="List jobs")
def list_jobs(request: HttpRequest) -> dict[str, Any]:
    return collection(
        request,
        transaction_rows().order_by("-pk"),
        transaction_resource,
        fields=JOB_FILTERS,
    )


@jobs.get("/jobs/{jobId}", response=JobOne, summary="Get a job")
def get_job(request: HttpRequest, jobId: str) -> dict[str, Any]:
    check_query(request)
    return one(transaction_resource(_transaction(jobId)))


@jobs.patch("/jobs/{jobId}", response=JobOne, summary="Change a draft job's terms")
def patch_job(
    request: HttpRequest, jobId: str, payload: JobPatchRequest
) -> dict[str, Any]:
    txn = transaction_owner(jobId).txn
    attrs: JobPatchAttributes = payload.data.attributes
    sent = given(payload)
    changes: dict[str, Any] = {}
    if "lines" in sent:
        changes["lines"] = [line.code for line in attrs.lines or []]
    if "wcState" in sent:
        changes["wc_state"] = _state_code(attrs.wcState)
    if "glState" in sent:
        changes["gl_state"] = _state_code(attrs.glState)
    if "categoryCode" in sent:
        changes["category_code"] = _category_code(attrs.categoryCode)
    if "expirationDate" in sent and attrs.expirationDate is not None:
        changes["expires_at"] = start_of_day(attrs.expirationDate)
    if "autoRenew" in sent and attrs.autoRenew is not None:
        changes["auto_renew"] = attrs.autoRenew
    assert txn is not None
    services.update_transaction_terms(
        by=actor(request),
        txn=txn,
        checksum_supplied=supplied_checksum(request, payload),
        **changes,
    )
    return fresh_transaction(txn)


def _action(request: HttpRequest, transaction_id: str, action: Any) -> dict[str, Any]:
    txn = transaction_owner(transaction_id).txn
    action(txn=txn, by=actor(request))
    assert txn is not None
    return fresh_transaction(txn)


@jobs.post("/jobs/{jobId}/quote", response=JobOne, summary="Quote a draft job")
def quote(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return _action(request, jobId, services.quote_transaction)


@jobs.post("/jobs/{jobId}/bind-and-issue", response=JobOne, summary="Bind a quoted job")
def bind_and_issue(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return _action(request, jobId, services.bind_transaction)


@jobs.post(
    "/jobs/{jobId}/make-draft", response=JobOne, summary="Make a quoted job a draft"
)
def make_draft(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return _action(request, jobId, services.make_draft)


@jobs.post("/jobs/{jobId}/withdraw", response=JobOne, summary="Withdraw a job")
def withdraw(request: HttpRequest, jobId: str) -> dict[str, Any]:
    return _action(request, jobId, services.withdraw_transaction)


job_api.add_router("", jobs)

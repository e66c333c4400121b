"""Jobs (policy transactions) and policies: submissions, the job actions, policy
changes, renewals and cancellations; products and producer codes to refer to."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field, StrictBool

from policies import services
from policies.api.base import job_api, policy_api, router
from policies.api.wire import (
    JOB_ROOT,
    POLICY_ROOT,
    DateText,
    In,
    Ref,
    RefIn,
    SectionRefIn,
    TypeKey,
    TypeKeyIn,
    actor,
    body_schema,
    check_query,
    code_field,
    collection,
    element,
    envelope,
    envelopes,
    given,
    iso_date,
    iso_datetime,
    link,
    one,
    optional_body,
    policy_owner,
    supplied_checksum,
    text_field,
    transaction_owner,
    typekey,
)
from policies.lines import CoverageType
from policies.models import (
    Policy,
    PolicyStatus,
    PolicyTransaction,
    ProducerCode,
    Product,
    SectionType,
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
JOB_TYPES = {
    TransactionKind.SUBMISSION: "Submission",
    TransactionKind.POLICY_CHANGE: "PolicyChange",
    TransactionKind.RENEWAL: "Renewal",
    TransactionKind.CANCELLATION: "Cancellation",
    TransactionKind.REINSTATEMENT: "Reinstatement",
}
JOB_STATUSES = {
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
policies = router("Policies")
reference = router("Reference data")


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


class EmptyAttributes(In):
    pass


class CancelAttributes(In):
    jobEffectiveDate: DateText | None = Field(
        None, description="When cover stops; defaults to now."
    )


SubmissionRequest = envelope("Submission", SubmissionAttributes)
JobPatchRequest = envelope("JobPatch", JobPatchAttributes)
ChangeRequest = envelope("PolicyChange", EmptyAttributes)
CancelRequest = envelope("Cancel", CancelAttributes)


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


class PolicyAttributes(Schema):
    id: str
    policyNumber: str
    account: Ref
    product: Ref
    periodStart: str
    periodEnd: str
    status: TypeKey
    lines: list[TypeKey]
    wcState: TypeKey | None = None
    glState: TypeKey | None = None
    categoryCode: Ref | None = None
    autoRenew: bool
    termNumber: int
    cancellationDate: str | None = None


class ProductAttributes(Schema):
    id: str
    displayName: str
    lines: list[TypeKey]
    sectionTypes: list[TypeKey]
    locationNamedInsureds: TypeKey
    supportsCoinsurance: bool
    supportsLayers: bool


class ProducerCodeAttributes(Schema):
    id: str
    code: str
    organization: Ref


JobOne, JobList = envelopes("Job", JobAttributes)
PolicyOne, PolicyList = envelopes("Policy", PolicyAttributes)
ProductOne, ProductList = envelopes("Product", ProductAttributes)
ProducerCodeOne, ProducerCodeList = envelopes("ProducerCode", ProducerCodeAttributes)


# ---------------------------------------------------------------------------
# Rendering


def _state(code: str) -> dict[str, str] | None:
    return typekey(code, US_STATES[code]) if code else None


def _lines(lines: list[str]) -> list[dict[str, str]]:
    return [
        typekey(line, CoverageType(line).label if line in CoverageType.values else line)
        for line in lines
    ]


def _account(contractor: Account) -> dict[str, Any]:
    return {
        "id": contractor.public_id,
        "displayName": contractor.legal_name,
        "type": "Contractor",
    }


def _product(product: Product) -> dict[str, Any]:
    return {"id": product.code, "displayName": product.name, "type": "Product"}


def _category(category: AccountCategory | None) -> dict[str, Any] | None:
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
    attributes = {
        "id": txn.public_id,
        "jobNumber": txn.public_id,
        "jobType": typekey(JOB_TYPES[txn.kind], txn.get_kind_display()),
        "jobStatus": typekey(JOB_STATUSES[txn.status], txn.get_status_display()),
        "account": _account(txn.contractor),
        "product": _product(txn.product),
        "jobEffectiveDate": iso_date(txn.effective_at),
        "periodStart": iso_datetime(txn.effective_at),
        "periodEnd": iso_datetime(txn.expires_at),
        "lines": _lines(txn.lines),
        "wcState": _state(txn.wc_state),
        "glState": _state(txn.gl_state),
        "categoryCode": _category(txn.category_code),
        "autoRenew": txn.auto_renew,
        "policy": policy_ref(txn.policy) if txn.policy_id else None,
        "policyNumber": txn.policy.number if txn.policy_id else None,
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


def policy_resource(policy: Policy) -> dict[str, Any]:
    base = f"{POLICY_ROOT}/policies/{policy.public_id}"
    attributes = {
        "id": policy.public_id,
        "policyNumber": policy.number,
        "account": _account(policy.contractor),
        "product": _product(policy.product),
        "periodStart": iso_datetime(policy.effective_at),
        "periodEnd": iso_datetime(policy.expires_at),
        "status": typekey(policy.status, policy.get_status_display()),
        "lines": _lines(policy.lines),
        "wcState": _state(policy.wc_state),
        "glState": _state(policy.gl_state),
        "categoryCode": _category(policy.category_code),
        "autoRenew": policy.auto_renew,
        "termNumber": policy.term_number,
        "cancellationDate": iso_datetime(policy.cancelled_at),
    }
    links: dict[str, Any] = {"self": link(base, "get")}
    if policy.status == PolicyStatus.ACTIVE:
        links["change"] = link(f"{base}/change", "post")
        links["cancel"] = link(f"{base}/cancel", "post")
    if policy.status != PolicyStatus.CANCELLED:
        links["renew"] = link(f"{base}/renew", "post")
    for name in CONTENT_COLLECTIONS:
        methods = ["get", "post"] if name == "prior-policies" else ["get"]
        links[name] = link(f"{base}/{name}", *methods)
    return element(attributes, checksum(policy), links)


def _transactions() -> QuerySet[PolicyTransaction]:
    return PolicyTransaction.objects.select_related(
        "contractor", "product", "category_code", "policy"
    )


def _policies() -> QuerySet[Policy]:
    return Policy.objects.select_related("contractor", "product", "category_code")


def _transaction(transaction_id: str) -> PolicyTransaction:
    return _transactions().get(public_id=transaction_id)


def _fresh_transaction(txn: PolicyTransaction) -> dict[str, Any]:
    return one(transaction_resource(_transactions().get(pk=txn.pk)))


def _policy_by_id(policy_id: str) -> Policy:
    policy = policy_owner(policy_id).policy
    assert policy is not None
    return _policies().get(pk=policy.pk)


# ---------------------------------------------------------------------------
# Reading the body


def _start_of(day: date) -> datetime:
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
        effective_at=_start_of(attrs.jobEffectiveDate),
        expires_at=_start_of(expiration),
        wc_state=_state_code(attrs.wcState),
        gl_state=_state_code(attrs.glState),
        category_code=_category_code(attrs.categoryCode),
        auto_renew=attrs.autoRenew,
        section_types=[s.sectionType.code for s in attrs.policySections],
    )
    return Status(201, _fresh_transaction(txn))


@jobs.get("/jobs", response=JobList, summary="List jobs")
def list_jobs(request: HttpRequest) -> dict[str, Any]:
    return collection(
        request,
        _transactions().order_by("-pk"),
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
        changes["expires_at"] = _start_of(attrs.expirationDate)
    if "autoRenew" in sent and attrs.autoRenew is not None:
        changes["auto_renew"] = attrs.autoRenew
    assert txn is not None
    services.update_transaction_terms(
        by=actor(request),
        txn=txn,
        checksum_supplied=supplied_checksum(request, payload),
        **changes,
    )
    return _fresh_transaction(txn)


def _action(request: HttpRequest, transaction_id: str, action: Any) -> dict[str, Any]:
    txn = transaction_owner(transaction_id).txn
    action(txn=txn, by=actor(request))
    assert txn is not None
    return _fresh_transaction(txn)


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


POLICY_FILTERS = {
    "status": code_field("status", {v: v for v in PolicyStatus.values}),
    "policyNumber": text_field("number"),
    "product": text_field("product__code"),
    "account": text_field("contractor__public_id"),
}


@policies.get("/policies", response=PolicyList, summary="List policies")
def list_policies(request: HttpRequest) -> dict[str, Any]:
    return collection(
        request, _policies().order_by("-pk"), policy_resource, fields=POLICY_FILTERS
    )


@policies.get("/policies/{policyId}", response=PolicyOne, summary="Get a policy")
def get_policy(request: HttpRequest, policyId: str) -> dict[str, Any]:
    check_query(request)
    return one(policy_resource(_policy_by_id(policyId)))


@policies.get("/policies/{policyId}/jobs", response=JobList, summary="Jobs of a policy")
def policy_jobs(request: HttpRequest, policyId: str) -> dict[str, Any]:
    policy = policy_owner(policyId).policy
    return collection(
        request,
        _transactions().filter(policy=policy).order_by("-pk"),
        transaction_resource,
        fields=JOB_FILTERS,
    )


@policies.post(
    "/policies/{policyId}/change",
    response=JobOne,
    summary="Start a policy change",
    openapi_extra=body_schema(ChangeRequest),
)
def change(request: HttpRequest, policyId: str) -> dict[str, Any]:
    optional_body(request, ChangeRequest)
    txn = services.start_policy_change(
        by=actor(request), policy=_policy_by_id(policyId)
    )
    return _fresh_transaction(txn)


@policies.post(
    "/policies/{policyId}/renew",
    response=JobOne,
    summary="Start a renewal",
    openapi_extra=body_schema(ChangeRequest),
)
def renew(request: HttpRequest, policyId: str) -> dict[str, Any]:
    optional_body(request, ChangeRequest)
    txn = services.start_renewal(by=actor(request), policy=_policy_by_id(policyId))
    return _fresh_transaction(txn)


@policies.post(
    "/policies/{policyId}/cancel", response=PolicyOne, summary="Cancel a policy"
)
def cancel(
    request: HttpRequest,
    policyId: str,
    payload: CancelRequest | None = None,
) -> dict[str, Any]:
    at = None
    if payload is not None:
        day = payload.data.attributes.jobEffectiveDate
        at = _start_of(day) if day else None
    policy = services.cancel_policy(
        by=actor(request), policy=_policy_by_id(policyId), at=at
    )
    return one(policy_resource(_policies().get(pk=policy.pk)))


def product_resource(product: Product) -> dict[str, Any]:
    attributes = {
        "id": product.code,
        "displayName": product.name,
        "lines": _lines(product.lines),
        "sectionTypes": [
            typekey(c, SectionType(c).label) for c in product.section_types
        ],
        "locationNamedInsureds": typekey(
            product.location_named_insureds,
            product.get_location_named_insureds_display(),
        ),
        "supportsCoinsurance": product.supports_coinsurance,
        "supportsLayers": product.supports_layers,
    }
    return element(
        attributes,
        checksum(product),
        {"self": link(f"{JOB_ROOT}/products/{product.code}", "get")},
    )


@reference.get(
    "/products", response=ProductList, summary="Products (lines of business)"
)
def list_products(request: HttpRequest) -> dict[str, Any]:
    return collection(
        request,
        Product.objects.order_by("code"),
        product_resource,
        fields={"id": text_field("code")},
    )


@reference.get("/products/{productId}", response=ProductOne, summary="Get a product")
def get_product(request: HttpRequest, productId: str) -> dict[str, Any]:
    check_query(request)
    return one(product_resource(Product.objects.get(code=productId)))


def producer_code_resource(code: ProducerCode) -> dict[str, Any]:
    attributes = {
        "id": code.public_id,
        "code": code.code,
        "organization": {
            "id": code.organization.public_id,
            "displayName": code.organization.name,
            "type": "Organization",
        },
    }
    return element(
        attributes,
        checksum(code),
        {"self": link(f"{JOB_ROOT}/producer-codes/{code.public_id}", "get")},
    )


@reference.get(
    "/producer-codes", response=ProducerCodeList, summary="Producer codes of coinsurers"
)
def list_producer_codes(request: HttpRequest) -> dict[str, Any]:
    return collection(
        request,
        ProducerCode.objects.select_related("organization").order_by("code"),
        producer_code_resource,
        fields={
            "code": text_field("code"),
            "organization": text_field("organization__name"),
        },
    )


@reference.get(
    "/producer-codes/{producerCodeId}",
    response=ProducerCodeOne,
    summary="Get a producer code",
)
def get_producer_code(request: HttpRequest, producerCodeId: str) -> dict[str, Any]:
    check_query(request)
    code = ProducerCode.objects.select_related("organization").get(
        public_id=producerCodeId
    )
    return one(producer_code_resource(code))


job_api.add_router("", jobs)
job_api.add_router("", reference)
policy_api.add_router("", policies)

"""A transaction's page and what changes it: the transaction actions (quote, bind, make draft,
withdraw), new submissions, locations, contacts, location named insureds (seed 002)
and policy sections. Each action has its own URL and view; each calls the policies
service the API calls, and shows its refusal inline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from policies import services
from policies.access import get_transaction, underwriter_required
from policies.forms import (
    ContactForm,
    LocationForm,
    NamedInsuredForm,
    SectionForm,
    SubmissionForm,
    TermsForm,
)
from policies.models import (
    Contact,
    LocationNamedInsured,
    PolicyLocation,
    PolicySection,
    PolicyTransaction,
    Product,
)
from policies.models.accounts import account_model
from policies.selectors.audit import history_of_transaction
from policies.selectors.contents import contacts_of, locations_of, sections_of
from policies.services.contents import LNI_NOT_ALLOWED, LNI_NOT_DRAFT
from policies.services.drafts import TRANSACTION_NOT_DRAFT
from policies.views.content_rows import contact_rows, location_rows
from policies.views.policies import Action
from policies.views.responses import REFUSED, done
from portal.htmx import render_page
from portal.http import PortalRequest

UNKNOWN_INSURED = "No contractor {id}: the insured is the contractor's cn_ id."
QUOTED = "Quoted {job}."
BOUND = "Bound {job}: policy {policy} is in force on these terms."
MADE_DRAFT = "{job} is a draft again."
WITHDRAWN = "Withdrew {job}."
SUBMISSION_STARTED = "Submission {job} started."
TERMS_SAVED = "Saved the terms of {job}."

# Each job action: the label, its URL name, the service and the confirmation.
ACTIONS: dict[str, tuple[str, str, Callable[..., Any], str]] = {
    "quote": (
        "Quote",
        "policies:transaction_quote",
        services.quote_transaction,
        QUOTED,
    ),
    "bind-and-issue": (
        "Bind and issue",
        "policies:transaction_bind",
        services.bind_transaction,
        BOUND,
    ),
    "make-draft": (
        "Make draft",
        "policies:transaction_make_draft",
        services.make_draft,
        MADE_DRAFT,
    ),
    "withdraw": (
        "Withdraw",
        "policies:transaction_withdraw",
        services.withdraw_transaction,
        WITHDRAWN,
    ),
}


def transaction_actions(txn: PolicyTransaction) -> list[Action]:
    return [
        Action(
            label,
            reverse(url_name, args=[txn.public_id]),
            services.action_refusal(action=action, txn=txn),
            primary=action in ("quote", "bind-and-issue"),
        )
        for action, (label, url_name, _, _) in ACTIONS.items()
    ]


def not_draft_note(txn: PolicyTransaction) -> str:
    """Why contents cannot change now, in the services' words (empty for a draft)."""
    if txn.is_draft:
        return ""
    return TRANSACTION_NOT_DRAFT.format(status=txn.get_status_display().lower())


def page_context(txn: PolicyTransaction, **overrides: Any) -> dict[str, Any]:
    product: Product = txn.product
    contacts = contacts_of(txn.pk)
    context: dict[str, Any] = {
        "txn": txn,
        "actions": transaction_actions(txn),
        "action_error": "",
        "not_draft": not_draft_note(txn),
        "locations": locations_of(txn.pk),
        "contacts": contacts,
        # Seed 002: the primary or secondary named insured cannot be associated.
        "associable": [c for c in contacts if not c.is_primary_or_secondary],
        "lni_allowed": product.location_named_insureds != Product.NamedInsureds.NONE,
        "lni_not_allowed": LNI_NOT_ALLOWED.format(product=product.name),
        "lni_not_draft": LNI_NOT_DRAFT,
        "sections": sections_of(txn.pk),
        "history": history_of_transaction(txn),
        "location_form": LocationForm(),
        "contact_form": ContactForm(),
        "section_form": SectionForm(),
        "terms_form": TermsForm(initial=_terms_initial(txn)),
        "lni_form": None,
        "lni_location": None,
    }
    editing = {
        name: overrides.pop(name, None) for name in ("location_edit", "contact_edit")
    }
    context.update(overrides)
    context["location_rows"] = location_rows(
        context["locations"], editing["location_edit"]
    )
    context["contact_rows"] = contact_rows(context["contacts"], editing["contact_edit"])
    return context


def _terms_initial(txn: PolicyTransaction) -> dict[str, Any]:
    return {
        "expiration_date": txn.expires_at.date(),
        "lines": txn.lines,
        "wc_state": txn.wc_state,
        "gl_state": txn.gl_state,
        "auto_renew": txn.auto_renew,
    }


def _page(
    request: PortalRequest,
    txn: PolicyTransaction,
    *,
    partial: str = "actions",
    status: int = 200,
    **overrides: Any,
) -> HttpResponse:
    return render_page(
        request,
        "policies/transaction_detail.html",
        page_context(txn, **overrides),
        partial=partial,
        status=status,
    )


@underwriter_required
@require_GET
def transaction_detail(request: PortalRequest, transaction_id: str) -> HttpResponse:
    return _page(request, get_transaction(transaction_id))


def _act(request: PortalRequest, transaction_id: str, action: str) -> HttpResponse:
    txn = get_transaction(transaction_id)
    _, _, service, confirmation = ACTIONS[action]
    try:
        result = service(txn=txn, by=request.user)
    except ValidationError as exc:
        txn = get_transaction(transaction_id)
        return _page(
            request,
            txn,
            action_error=" ".join(exc.messages),
            status=REFUSED,
        )
    policy = getattr(result, "number", "")
    messages.success(request, confirmation.format(job=txn.public_id, policy=policy))
    return done(request, reverse("policies:transaction_detail", args=[transaction_id]))


@underwriter_required
@require_POST
def transaction_quote(request: PortalRequest, transaction_id: str) -> HttpResponse:
    return _act(request, transaction_id, "quote")


@underwriter_required
@require_POST
def transaction_bind(request: PortalRequest, transaction_id: str) -> HttpResponse:
    return _act(request, transaction_id, "bind-and-issue")


@underwriter_required
@require_POST
def transaction_make_draft(request: PortalRequest, transaction_id: str) -> HttpResponse:
    return _act(request, transaction_id, "make-draft")


@underwriter_required
@require_POST
def transaction_withdraw(request: PortalRequest, transaction_id: str) -> HttpResponse:
    return _act(request, transaction_id, "withdraw")


# ---------------------------------------------------------------------------
# New submissions


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@underwriter_required
@require_http_methods(["GET", "POST"])
def submission_new(request: PortalRequest) -> HttpResponse:
    form = SubmissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contractor = (
            account_model()
            .objects.live()
            .select_related("platform")
            .filter(public_id=data["contractor"])
            .first()
        )
        if contractor is None:
            form.add_error("contractor", UNKNOWN_INSURED.format(id=data["contractor"]))
        else:
            try:
                txn = services.start_submission(
                    platform=contractor.platform,
                    contractor=contractor,
                    product=data["product"],
                    lines=data["lines"],
                    wc_state=data["wc_state"],
                    gl_state=data["gl_state"],
                    effective_at=_start_of(data["effective_date"]),
                    expires_at=_start_of(data["expiration_date"]),
                    section_types=data["section_types"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, SUBMISSION_STARTED.format(job=txn.public_id))
                return done(
                    request,
                    reverse("policies:transaction_detail", args=[txn.public_id]),
                )
    status = 200 if request.method == "GET" else REFUSED
    return render(
        request, "policies/submission_new.html", {"form": form}, status=status
    )


# ---------------------------------------------------------------------------
# Contents: locations, contacts, location named insureds, sections


def content_write(
    request: PortalRequest,
    txn: PolicyTransaction,
    form_name: str,
    form: Any,
    write: Callable[[], object],
    *,
    partial: str,
    extra: dict[str, Any] | None = None,
    key: object = None,
) -> HttpResponse:
    """Run a write for a valid form; re-render its region, with the refusal inline.

    ``key``: the row an edit form belongs to (its refusal shows on that row)."""
    if form.is_valid():
        try:
            write()
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            return _page(request, get_transaction(txn.public_id), partial=partial)
    shown = form if key is None else (key, form)
    overrides = {form_name: shown, **(extra or {})}
    return _page(request, txn, partial=partial, status=REFUSED, **overrides)


@underwriter_required
@require_POST
def location_add(request: PortalRequest, transaction_id: str) -> HttpResponse:
    txn = get_transaction(transaction_id)
    form = LocationForm(request.POST)

    def write() -> object:
        data = form.cleaned_data
        return services.add_location(
            txn=txn,
            address_line1=data["address_line1"],
            address_line2=data["address_line2"],
            city=data["city"],
            state=data["state"],
            postal_code=data["postal_code"],
            by=request.user,
        )

    return content_write(
        request, txn, "location_form", form, write, partial="locations"
    )


@underwriter_required
@require_POST
def contact_add(request: PortalRequest, transaction_id: str) -> HttpResponse:
    txn = get_transaction(transaction_id)
    form = ContactForm(request.POST)

    def write() -> object:
        data = form.cleaned_data
        return services.add_contact(
            txn=txn,
            kind=data["kind"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            company_name=data["company_name"],
            email=data["email"],
            phone=data["phone"],
            roles=data["roles"],
            by=request.user,
        )

    return content_write(request, txn, "contact_form", form, write, partial="locations")


@underwriter_required
@require_POST
def named_insured_add(
    request: PortalRequest, transaction_id: str, location_number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    location = get_object_or_404(
        PolicyLocation, transaction=txn, number=location_number
    )
    form = NamedInsuredForm(request.POST)

    def write() -> object:
        # An unknown contact is the service's to refuse, in seed 002's words.
        contact = Contact.objects.filter(public_id=form.cleaned_data["contact"]).first()
        return services.associate_location_named_insured(
            txn=txn, location=location, contact=contact, by=request.user
        )

    return content_write(
        request,
        txn,
        "lni_form",
        form,
        write,
        partial="locations",
        extra={"lni_location": location.number},
    )


@underwriter_required
@require_POST
def named_insured_delete(
    request: PortalRequest, transaction_id: str, location_number: int, number: int
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    named_insured = get_object_or_404(
        LocationNamedInsured,
        transaction=txn,
        location__number=location_number,
        number=number,
    )
    # No input to read; the form only carries a refusal back to this location.
    form = NamedInsuredForm({"contact": named_insured.contact_id})

    def write() -> object:
        services.delete_location_named_insured(
            named_insured=named_insured, by=request.user
        )
        return None

    return content_write(
        request,
        txn,
        "lni_form",
        form,
        write,
        partial="locations",
        extra={"lni_location": location_number},
    )


@underwriter_required
@require_POST
def section_add(request: PortalRequest, transaction_id: str) -> HttpResponse:
    txn = get_transaction(transaction_id)
    form = SectionForm(request.POST)

    def write() -> object:
        return services.add_section(
            txn=txn, section_type=form.cleaned_data["section_type"], by=request.user
        )

    return content_write(request, txn, "section_form", form, write, partial="sections")


@underwriter_required
@require_POST
def section_delete(
    request: PortalRequest, transaction_id: str, code: str
) -> HttpResponse:
    txn = get_transaction(transaction_id)
    section = get_object_or_404(PolicySection, transaction=txn, section_type=code)
    form = SectionForm({"section_type": section.section_type})

    def write() -> object:
        services.delete_section(section=section, by=request.user)
        return None

    return content_write(request, txn, "section_form", form, write, partial="sections")


@underwriter_required
@require_POST
def terms_update(request: PortalRequest, transaction_id: str) -> HttpResponse:
    """Change a draft's terms (the API's PATCH of a job): only what the form changed."""
    txn = get_transaction(transaction_id)
    form = TermsForm(request.POST, initial=_terms_initial(txn))
    if form.is_valid():
        changes: dict[str, Any] = {
            name: form.cleaned_data[name]
            for name in ("lines", "wc_state", "gl_state", "auto_renew")
            if name in form.changed_data
        }
        if "expiration_date" in form.changed_data:
            changes["expires_at"] = _start_of(form.cleaned_data["expiration_date"])
        try:
            services.update_transaction_terms(txn=txn, by=request.user, **changes)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, TERMS_SAVED.format(job=txn.public_id))
            return done(
                request, reverse("policies:transaction_detail", args=[transaction_id])
            )
    return _page(
        request,
        txn,
        partial="terms",
        status=REFUSED,
        terms_form=form,
    )

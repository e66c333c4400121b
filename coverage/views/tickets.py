"""Tickets: dispatch one (with a live preview), see everything about one, act on it.

Every decision is a coverage service's: the preview calls ``preview_assignment`` (the
path ``create_assignment`` takes, writing nothing), "Dispatch" calls ``create_job`` and
``create_assignment`` as the API does, and the actions call ``cancel_assignment``,
``extend_assignment``, ``update_job`` (a new wage), ``send_opt_in`` and
``update_assignment`` (decide again). A refusal comes back as the service's message,
inline, next to the action that caused it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote as urlquote

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from coverage import services
from coverage.access import (
    can_act,
    dispatcher_required,
    get_ticket,
    viewer_required,
)
from coverage.forms import (
    CancelForm,
    ExtendForm,
    WageForm,
)
from coverage.models import (
    ApplicationSession,
    Assignment,
    Certificate,
    Charge,
    Event,
    LedgerEntry,
)
from coverage.rating import Rating
from coverage.selectors import crews, tickets
from coverage.views import formatting
from coverage.wording import in_portal_words
from portal.forms import add_service_error
from portal.htmx import is_partial, render_page
from portal.http import PortalRequest

TICKET_DISPATCHED = "Ticket {id} dispatched: {status}."
TICKET_CANCELLED = "Ticket {id} cancelled; its premium was reversed."
TICKET_EXTENDED = "Ticket {id} now ends {end}."
WAGE_CHANGED = "The wage of {job} is now {wage}; its covered tickets were re-priced."
OPT_IN_READY = (
    "Opt-in link ready for {tech}. Send it to them: the ticket turns covered when "
    "they complete it."
)
DECIDED_COVERED = "Coverage decided again: the ticket is covered."
DECIDED_NOT_COVERED = "Coverage decided again: still not covered. {reason}"
PREVIEW_HINT = (
    "Choose the tech, the customer, a job (or the new job's trade, state and wage) "
    "and the window: coverage and premium show here as you type."
)
OPT_IN_MAIL_SUBJECT = "Your coverage for work with {platform}"
OPT_IN_MAIL_BODY = (
    "Hi {first_name},\n\nTo be covered for your upcoming dispatch, review your quote "
    "and opt in here (once; later dispatches on the same terms are covered "
    "automatically):\n{url}\n"
)
EVENTS_SHOWN = 50
CREW_SHOWN = 50

# A service's refusal, by its error code or field, lands on this form field.
FIELD_OF_CODE = {"effective_date_invalid": "starts_at", "end_date_invalid": "ends_at"}
# Services key refusals by model field; only these differ from the form's names.
FIELD_OF_KEY = {"address_region": "site_state", "name": "job_name"}


def attach_errors(
    form: forms.Form, exc: ValidationError, *, fields: dict[str, str]
) -> None:
    """Put a service's ValidationError on the form: on a field where it names one."""
    add_service_error(form, exc, fields=fields, codes=FIELD_OF_CODE)


def preview_lines(rating: Rating, pay: int) -> list[dict[str, Any]]:
    premiums = rating.line_premiums(pay)
    return [
        {
            "line": line.line,
            "state": line.state,
            "class_code": line.class_code,
            "rate": line.rate,
            "net_rate": line.net_rate,
            "premium": premiums[line.line],
        }
        for line in rating.lines
    ]


# ---------------------------------------------------------------------------
# One ticket


def _opt_in_panel(
    request: PortalRequest, session: ApplicationSession
) -> dict[str, Any]:
    """The hosted link to send the tech, as text, a QR code and a ready e-mail."""
    url = request.build_absolute_uri(reverse("coverage:apply", args=[session.token]))
    contractor = session.quote.contractor
    subject = OPT_IN_MAIL_SUBJECT.format(platform=session.platform.name)
    body = OPT_IN_MAIL_BODY.format(first_name=contractor.first_name, url=url)
    return {
        "session": session,
        "url": url,
        # A data: URI: the CSP allows images from data: and nothing else outside.
        "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2),
        "mailto": f"mailto:{urlquote(contractor.email)}?subject={urlquote(subject)}"
        f"&body={urlquote(body)}",
    }


def _ticket_context(
    request: PortalRequest, assignment: Assignment, **extra: Any
) -> dict[str, Any]:
    # Queries: the ticket (with its open opt-ins and certificates), ledger lines,
    # certificates, events, card charges, the ticket's opt-in history, the rest of its
    # crew (with their opt-ins and certificates), and for an uncovered ticket the rate
    # book once.
    now = timezone.now()
    shown = (
        tickets.for_display(Assignment.objects.filter(pk=assignment.pk), at=now)
        .select_related("policy")
        .get()
    )
    ticket = tickets.ticket(shown)
    started = now >= shown.effective_at
    ledger = list(
        LedgerEntry.objects.filter(assignment=shown).order_by("created_at", "pk")
    )
    context: dict[str, Any] = {
        "ticket": ticket,
        "a": shown,
        "coverage_rows": tickets.coverage_rows(ticket, ledger),
        "ledger": ledger,
        "ledger_total": sum(entry.amount for entry in ledger),
        # Estimate → actual (the audit): what the audit entries moved.
        "audit_total": sum(
            e.amount for e in ledger if e.kind == LedgerEntry.Kind.AUDIT
        ),
        "pay_difference": (
            None if shown.actual_pay is None else shown.actual_pay - shown.pay
        ),
        "certificates": tickets.certificate_rows(
            Certificate.objects.filter(assignment=shown)
            .defer("document")
            .order_by("line", "-pk"),
            at=now,
        ),
        "events": list(
            Event.objects.filter(
                platform_id=shown.platform_id, data__id=shown.public_id
            ).order_by("-pk")[:EVENTS_SHOWN]
        ),
        # A card payer's premium: pending, charged, declined or refunded (one query).
        "charges": list(
            Charge.objects.filter(assignment=shown)
            .select_related("card")
            .exclude(status=Charge.Status.CANCELLED, refunded=0, failed_at=None)
            .order_by("pk")
        ),
        "opt_in_history": list(
            ApplicationSession.objects.filter(assignment=shown)
            .select_related("quote__policy")
            .order_by("-pk")
        ),
        "can_act": can_act(request.user) and not shown.is_cancelled,
        "can_cancel": not started,
        "can_extend": shown.end_at > now,
        "started": started,
        "now": now,
        "Status": tickets.Status,
        "extend_form": ExtendForm(initial={"end_at": shown.job_end_at}),
        "cancel_form": CancelForm(),
        "wage_form": WageForm(
            initial={"wage": formatting.plain_dollars(shown.job.wage)}
        ),
        "version": ticket_version(ticket),
    }
    if ticket.opt_in is not None:
        context["opt_in"] = _opt_in_panel(request, ticket.opt_in)
    if not shown.is_covered and not shown.is_cancelled:
        try:
            rating = services.opt_in_rating(assignment=shown, now=now)
        except ValidationError as exc:
            context["opt_in_rating_error"] = " ".join(exc.messages)
        else:
            context["opt_in_lines"] = preview_lines(rating, shown.pay)
            context["opt_in_premium"] = rating.premium_cents(shown.pay)
    context["premium_estimate"] = shown.premium - context["audit_total"]
    # The rest of the crew (other techs on the job at the same start), each with its coverage.
    others = [
        tickets.ticket(member)
        for member in tickets.for_display(crews.crew_of(shown), at=now)[:CREW_SHOWN]
    ]
    if others and not shown.is_cancelled:
        context["crew"] = sorted(
            [ticket, *others],
            key=lambda t: (t.assignment.effective_at, t.assignment.pk),
        )
    context.update(extra)
    return context


def ticket_version(ticket: tickets.Ticket) -> str:
    """Changes when anything the ticket page shows changes (a pending opt-in's poll)."""
    return f"{ticket.assignment.updated_at.timestamp()}-{ticket.status}"


def _ticket_page(
    request: PortalRequest, assignment: Assignment, *, status: int = 200, **extra: Any
) -> HttpResponse:
    return render_page(
        request,
        "coverage/ticket_detail.html",
        _ticket_context(request, assignment, **extra),
        partial="ticket",
        status=status,
    )


def _done(
    request: PortalRequest,
    assignment: Assignment,
    notice: str,
    *,
    level: int = messages.SUCCESS,
) -> HttpResponse:
    """After an action: HTMX gets the ticket again with the notice; a browser, PRG.

    ``level`` is the colour of what happened: success only when the ticket is better
    off, a warning when it is still not covered, info for a cancellation.
    """
    if is_partial(request):
        tag = messages.DEFAULT_TAGS[level]
        return _ticket_page(request, assignment, notice=notice, notice_level=tag)
    messages.add_message(request, level, notice)
    return redirect("coverage:ticket_detail", public_id=assignment.public_id)


@login_required
@viewer_required
@require_GET
def ticket_detail(request: PortalRequest, public_id: str) -> HttpResponse:
    assignment = get_ticket(request, public_id)
    polled = request.GET.get("v")
    if polled and is_partial(request):
        # While an opt-in is pending the page polls; nothing changed, nothing to swap.
        shown = tickets.for_display(
            Assignment.objects.filter(pk=assignment.pk), at=timezone.now()
        ).get()
        if ticket_version(tickets.ticket(shown)) == polled:
            return HttpResponse(status=204)
    return _ticket_page(request, assignment)


@login_required
@dispatcher_required
@require_POST
def ticket_cancel(request: PortalRequest, public_id: str) -> HttpResponse:
    assignment = get_ticket(request, public_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_assignment(
                assignment=assignment,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _done(
                request,
                assignment,
                TICKET_CANCELLED.format(id=assignment.public_id),
                level=messages.INFO,
            )
    return _ticket_page(request, assignment, status=422, cancel_form=form)


@login_required
@dispatcher_required
@require_POST
def ticket_extend(request: PortalRequest, public_id: str) -> HttpResponse:
    assignment = get_ticket(request, public_id)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            extended = services.extend_assignment(
                assignment=assignment,
                end_at=form.cleaned_data["end_at"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            form.add_error("end_at", exc.messages)
        else:
            notice = TICKET_EXTENDED.format(
                id=assignment.public_id, end=formatting.end_moment(extended.job_end_at)
            )
            return _done(request, assignment, notice)
    return _ticket_page(request, assignment, status=422, extend_form=form)


@login_required
@dispatcher_required
@require_POST
def ticket_wage_preview(request: PortalRequest, public_id: str) -> HttpResponse:
    """The adjustment a new wage would post, for the dispatcher to confirm or leave."""
    assignment = get_ticket(request, public_id)
    form = WageForm(request.POST)
    if form.is_valid():
        try:
            repricing = services.preview_wage_change(
                job=assignment.job, wage=form.cleaned_data["wage"], now=timezone.now()
            )
        except ValidationError as exc:
            attach_errors(form, in_portal_words(exc), fields={"wage": "wage"})
        else:
            return _ticket_page(
                request,
                assignment,
                wage_form=form,
                repricing=repricing,
                new_wage=form.cleaned_data["wage"],
                repricing_total=sum(r.adjustment for r in repricing),
            )
    return _ticket_page(request, assignment, status=422, wage_form=form)


@login_required
@dispatcher_required
@require_POST
def ticket_wage(request: PortalRequest, public_id: str) -> HttpResponse:
    assignment = get_ticket(request, public_id)
    form = WageForm(request.POST)
    if form.is_valid():
        wage = form.cleaned_data["wage"]
        try:
            # The API's job update: it locks the job and re-prices each covered ticket.
            services.update_job(
                job=assignment.job,
                data={"wage": wage},
                now=timezone.now(),
                by=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, in_portal_words(exc), fields={"wage": "wage"})
        else:
            notice = WAGE_CHANGED.format(
                job=assignment.job.name, wage=formatting.money(wage)
            )
            return _done(request, assignment, notice)
    return _ticket_page(request, assignment, status=422, wage_form=form)


@login_required
@dispatcher_required
@require_POST
def ticket_opt_in(request: PortalRequest, public_id: str) -> HttpResponse:
    """Not covered → fix it: a quote and a hosted application for the ticket's tech."""
    assignment = get_ticket(request, public_id)
    try:
        services.send_opt_in(
            assignment=assignment,
            url_for=lambda token: request.build_absolute_uri(
                reverse("coverage:apply", args=[token])
            ),
            now=timezone.now(),
        )
    except ValidationError as exc:
        return _ticket_page(
            request, assignment, status=422, action_error=" ".join(exc.messages)
        )
    return _done(
        request,
        assignment,
        OPT_IN_READY.format(tech=assignment.contractor.legal_name),
    )


@login_required
@dispatcher_required
@require_POST
def ticket_recheck(request: PortalRequest, public_id: str) -> HttpResponse:
    """Decide the ticket's coverage again, as a PUT of the assignment would."""
    assignment = get_ticket(request, public_id)
    try:
        decided = services.update_assignment(
            assignment=assignment,
            changes=services.AssignmentChanges(),
            now=timezone.now(),
        )
    except ValidationError as exc:
        return _ticket_page(
            request, assignment, status=422, action_error=" ".join(exc.messages)
        )
    if decided.is_covered:
        return _done(request, assignment, DECIDED_COVERED)
    reason = tickets.ticket(decided).advice
    notice = DECIDED_NOT_COVERED.format(reason=reason)
    return _done(request, assignment, notice, level=messages.WARNING)

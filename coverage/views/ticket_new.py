"""The new-ticket screen: the form, its live preview (the same rules the dispatch
commits, writing nothing) and the dispatch itself. A ticket can send a crew: the
preview decides each tech on their own, and Dispatch creates one assignment per tech
on the one job, all or none. One ticket's page and actions are in
``coverage.views.tickets``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from coverage import services
from coverage.access import (
    dispatcher_platform,
    dispatcher_required,
)
from coverage.forms.crew import CrewTicketForm
from coverage.models import (
    Assignment,
)
from coverage.selectors import tickets
from coverage.views.tickets import (
    FIELD_OF_KEY,
    PREVIEW_HINT,
    TICKET_DISPATCHED,
    attach_errors,
    preview_lines,
)
from coverage.wording import coverage_advice
from portal.htmx import is_partial, render_page
from portal.http import PortalRequest

CREW_DISPATCHED = "Crew of {n} dispatched to {job}: {statuses}."


def _initial(request: PortalRequest, now: datetime) -> dict[str, Any]:
    # The next whole hour after the next one: a window the dispatcher can keep.
    start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    start += timedelta(hours=2)
    initial: dict[str, Any] = {
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    # "Dispatch this tech" from a contractor page, "same job again" from a ticket.
    for name in ("tech", "customer", "job"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    return initial


def _dispatch(
    form: CrewTicketForm, request: PortalRequest, now: datetime
) -> list[Assignment]:
    data = form.cleaned_data
    return services.dispatch_crew(
        platform=dispatcher_platform(request),
        techs=form.techs,
        job=None if form.creates_job else data["job"],
        new_job=form.job_data() if form.creates_job else None,
        lines=data["lines"],
        effective_at=data["starts_at"],
        end_at=data["ends_at"],
        by=request.user,
        now=now,
    )


def _dispatched(crew: list[Assignment]) -> tuple[int, str]:
    """The notice after Dispatch: the ticket's status, or each status of the crew.

    A dispatch that is not covered is not a success: a warning, and why; a crew's
    notice is a warning when any member is not covered.
    """
    shown = [tickets.ticket(a) for a in crew]
    level = (
        messages.SUCCESS
        if all(t.status == tickets.Status.COVERED for t in shown)
        else messages.WARNING
    )
    statuses = [t.status_label.lower() for t in shown]
    if len(crew) == 1:
        text = TICKET_DISPATCHED.format(id=crew[0].public_id, status=statuses[0])
        if shown[0].reason:
            text = f"{text} {shown[0].reason}"
        return level, text
    counted = {status: statuses.count(status) for status in statuses}
    return level, CREW_DISPATCHED.format(
        n=len(crew),
        job=crew[0].job.name,
        statuses=", ".join(f"{n} {status}" for status, n in counted.items()),
    )


@login_required
@dispatcher_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: PortalRequest) -> HttpResponse:
    now = timezone.now()
    platform = dispatcher_platform(request)
    if request.method == "GET":
        initial = _initial(request, now)
        form = CrewTicketForm(platform=platform, initial=initial)
        # "Dispatch this job again" arrives with a tech and a job: the preview asks at
        # once instead of waiting for a field to change. Only this GET sets it, so the
        # preview's own answers never re-trigger themselves.
        prefilled = "tech" in initial and "job" in initial
        return render_page(
            request,
            "coverage/ticket_new.html",
            {"form": form, "hint": PREVIEW_HINT, "preview_on_load": prefilled},
            partial="ticket-form",
        )
    form = CrewTicketForm(request.POST, platform=platform)
    if form.is_valid():
        try:
            crew = _dispatch(form, request, now)
        except ValidationError as exc:
            attach_errors(form, exc, fields=FIELD_OF_KEY)
        else:
            level, text = _dispatched(crew)
            messages.add_message(request, level, text)
            # The first tech's ticket, which lists the rest of the crew.
            url = reverse("coverage:ticket_detail", args=[crew[0].public_id])
            if is_partial(request):
                return HttpResponseClientRedirect(url)
            return redirect(url)
    return render_page(
        request,
        "coverage/ticket_new.html",
        {"form": form, "hint": PREVIEW_HINT},
        partial="ticket-form",
        status=422,
    )


@login_required
@dispatcher_required
@require_POST
def ticket_preview(request: PortalRequest) -> HttpResponse:
    """The live preview as the dispatcher types: decided by the services, written nowhere.

    POST only so that the form's CSRF token never travels in a URL; it changes nothing.
    """
    # Queries: session, user, the form's choices (tech, crew, customer, job, trade),
    # then per tech of the crew: the category's approval, the contractor's live
    # policies, the rate book.
    form = CrewTicketForm(request.POST, platform=dispatcher_platform(request))
    context: dict[str, Any] = {"form": form, "hint": PREVIEW_HINT, "previewed": True}
    if not form.is_valid():
        context["missing"], context["problems"] = form.missing(), form.problems()
    else:
        data = form.cleaned_data
        job = form.unsaved_job()
        try:
            # Each tech of the crew is decided on their own, as Dispatch would.
            previews = [
                (
                    tech,
                    services.preview_assignment(
                        contractor=tech,
                        job=job,
                        lines=data["lines"],
                        effective_at=data["starts_at"],
                        end_at=data["ends_at"],
                        now=timezone.now(),
                    ),
                )
                for tech in form.techs
            ]
        except ValidationError as exc:
            context["problems"] = exc.messages
        else:
            context["job"] = job
            context["crew_size"] = len(previews)
            context["previews"] = [
                {
                    "tech": tech,
                    "preview": preview,
                    # The check's message in plain words, for this tech (coverage.wording).
                    "advice": coverage_advice(
                        preview.message,
                        tech=tech.first_name or tech.legal_name,
                        work_state=job.address_region,
                        home_state=tech.address_region,
                        trade=job.category_code.name if job.category_code else "",
                        customer=job.entity.name,
                    ),
                    "lines": preview_lines(preview.rating, preview.pay)
                    if preview.rating
                    else [],
                    "opt_in_premium": preview.rating.premium_cents(preview.pay)
                    if preview.rating
                    else None,
                }
                for tech, preview in previews
            ]
            context["crew_premium"] = sum(p.premium for _, p in previews)
    return render_page(
        request, "coverage/ticket_new.html", context, partial="ticket-preview"
    )

"""Techs: the list, and one tech's policies, work history and whether repeat coverage applies."""

from __future__ import annotations

from datetime import UTC

from django.contrib.auth.decorators import login_required
from django.db.models import Max, Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from coverage.access import can_act, get_contractor, viewer_required
from coverage.forms import RepeatCheckForm, SearchForm
from coverage.models import Certificate, Contractor
from coverage.selectors import contractors, tickets
from coverage.services.dates import start_of_day
from policies.models import Policy, PolicyStatus
from portal.htmx import render_page
from portal.http import PortalRequest
from portal.pagination import page_of

PAGE_SIZE = 50
HISTORY_SIZE = 25
ROUTE_SIZE = 25
CERTIFICATES_SHOWN = 25
NO_TECHS = "No techs yet: your dispatch system adds them through the API."
NO_TECHS_MATCH = "No tech matches this search."
NO_HISTORY = "No dispatches yet."
NO_ROUTE = "Nothing on the route: no dispatch from today on."
NO_POLICIES = "No policy yet: the tech has not opted in. Send an opt-in link from one of their uncovered tickets."
NEVER_DISPATCHED = (
    "Not dispatched yet: whether repeat coverage applies is decided on a job. "
    "Pick one below to ask."
)
REPEAT_APPLIES = "Repeat coverage applies: {message}"
REPEAT_DOES_NOT_APPLY = "Repeat coverage does not apply: {message}"


@login_required
@viewer_required
@require_GET
def contractor_list(request: PortalRequest) -> HttpResponse:
    # Queries: session, user, the count, one page of techs (with their last
    # dispatch), the page's active policies.
    form = SearchForm(request.GET)
    form.is_valid()
    q = form.cleaned_data.get("q") or ""
    found = Contractor.objects.visible_to(request.user).live().techs().search(q)
    # Counted before the annotation: a GROUP BY only to count would be wasted work.
    page = page_of(form.cleaned_data.get("page"), count=found.count(), size=PAGE_SIZE)
    found = found.annotate(last_dispatch=Max("assignments__effective_at"))
    now = timezone.now()
    rows = (
        found.select_related("platform")
        .prefetch_related(
            Prefetch(
                "policies",
                queryset=Policy.objects.filter(
                    status=PolicyStatus.ACTIVE, expires_at__gt=now
                )
                .select_related("category_code")
                .order_by("-effective_at"),
                to_attr="active_policies",
            )
        )
        .order_by("last_name", "first_name", "pk")[
            page.offset : page.offset + page.size
        ]
    )
    context = {
        "form": form,
        "q": q,
        "page": page,
        "contractors": list(rows),
        "show_platform": request.user.sees_all_platforms,
        "empty_message": NO_TECHS_MATCH if q else NO_TECHS,
    }
    return render_page(
        request, "coverage/contractor_list.html", context, partial="tech-table"
    )


def _repeat_message(answer: contractors.RepeatAnswer | None) -> str:
    if answer is None:
        return NEVER_DISPATCHED
    template = REPEAT_APPLIES if answer.result.result else REPEAT_DOES_NOT_APPLY
    return template.format(message=answer.result.message)


@login_required
@viewer_required
@require_GET
def contractor_detail(request: PortalRequest, public_id: str) -> HttpResponse:
    # Queries: session, user, the tech, the history count, their next ticket and
    # whether repeat coverage applies to it (approval, live policies), their
    # policies, a page of history with its open opt-ins and certificates, the route
    # with its open opt-ins and certificates, their latest certificates: 15 however
    # long the history (the jobs to ask about are searched by the job picker).
    contractor = get_contractor(request, public_id)
    now = timezone.now()
    form = SearchForm(request.GET)
    form.is_valid()
    history = contractors.visible_tickets_of(contractor)
    page = page_of(
        form.cleaned_data.get("page"), count=history.count(), size=HISTORY_SIZE
    )
    rows = tickets.for_display(history, at=now).order_by("-effective_at", "-pk")[
        page.offset : page.offset + page.size
    ]
    # The route: where the tech works from today on, in time order, each dispatch
    # routed to its own state and class (NJ in the morning, PA the next).
    route = tickets.for_display(
        history.filter(
            end_at__gt=start_of_day(now.astimezone(UTC).date()),
            cancelled_at__isnull=True,
        ),
        at=now,
    ).order_by("effective_at", "pk")[:ROUTE_SIZE]
    repeat_form = RepeatCheckForm(
        request.GET if "job" in request.GET else None, platform=contractor.platform
    )
    # "Would it apply to this job?" asks about the chosen job; otherwise the next one.
    chosen = repeat_form.cleaned_data["job"] if repeat_form.is_valid() else None
    answer = contractors.repeat_coverage(contractor=contractor, now=now, job=chosen)
    context = {
        "contractor": contractor,
        "policies": list(
            contractor.policies.select_related("category_code").order_by(
                "-effective_at", "-pk"
            )
        ),
        "history": [tickets.ticket(a) for a in rows],
        "route": [tickets.ticket(a) for a in route],
        "no_route": NO_ROUTE,
        "certificates": tickets.certificate_rows(
            Certificate.objects.filter(assignment__contractor=contractor)
            .select_related("assignment__job__entity")
            .defer("document")
            .order_by("-issued_at", "-pk")[:CERTIFICATES_SHOWN],
            at=now,
        ),
        "page": page,
        "answer": answer,
        "repeat_message": _repeat_message(answer),
        "repeat_form": repeat_form,
        "can_act": can_act(request.user),
        "now": now,
        "no_history": NO_HISTORY,
        "no_policies": NO_POLICIES,
    }
    return render_page(
        request,
        "coverage/contractor_detail.html",
        context,
        partial="repeat" if "job" in request.GET else "history",
    )

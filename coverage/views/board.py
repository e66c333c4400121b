"""The ticket board: one day's dispatches, filtered in the URL, refreshing itself.

The table region polls every ``POLL_SECONDS`` with the board's ``version``; when nothing
on it changed the answer is an empty 204 (htmx swaps nothing, focus and scroll stay).
Otherwise the region comes back with the tickets changed since the last render marked,
so a dispatch reported through the API, or a tech opting in, shows within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.http import require_GET

from coverage.access import can_act, viewer_required
from coverage.forms import BoardFilterForm
from coverage.selectors import board as reads
from coverage.selectors.tickets import Status
from coverage.views import board_rows
from coverage.views.board_html import options_html
from portal.htmx import is_partial, render_page
from portal.http import PortalRequest
from portal.models import Platform, User
from portal.pagination import page_of

POLL_SECONDS = 10
# Query parameters that belong to one poll, never to the board's own address.
POLL_PARAMS = ("since", "v")
NO_TICKETS_TODAY = "No dispatches today."
NO_TICKETS_ON_DAY = "No dispatches on {day}."
NO_TICKETS_MATCH = "No dispatches match these filters."
COLUMNS = [
    ("When", "start"),
    ("Tech", "tech"),
    ("Customer and site", "customer"),
    ("State", "state"),
    ("Trade and class", ""),
    ("Coverage", ""),
    ("Premium", "premium"),
]


@dataclass(frozen=True)
class Column:
    label: str
    sort: str  # the sort key this column's link asks for; "" when not sortable
    aria_sort: str  # "ascending" / "descending" / "none"; "" when not sortable
    css: str = ""


# Column classes: narrower screens hide "col-trade"; numbers align right.
COLUMN_CLASSES = {"Trade and class": "col-trade", "Premium": "num"}


def _columns(current: str) -> list[Column]:
    found = []
    for label, key in COLUMNS:
        css = COLUMN_CLASSES.get(label, "")
        if not key:
            found.append(Column(label, "", "", css))
        elif current == key:
            found.append(Column(label, f"-{key}", "ascending", css))
        elif current == f"-{key}":
            found.append(Column(label, key, "descending", css))
        else:
            found.append(Column(label, key, "none", css))
    return found


def _since(raw: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(raw or ""), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _platform(user: User, public_id: str) -> Platform | None:
    """The underwriter's chosen platform; a dispatcher's board is always their own."""
    if not public_id or not user.sees_all_platforms:
        return None
    return Platform.objects.filter(public_id=public_id).first()


def _choices(form: BoardFilterForm, name: str) -> Any:
    field = form.fields[name]
    # BoardFilterForm declares its state and status filters as ChoiceFields.
    assert isinstance(field, forms.ChoiceField)
    return field.choices


def _empty_message(filters: reads.BoardFilters, *, today: date) -> str:
    narrowed = any(
        (filters.state, filters.status, filters.tech, filters.customer, filters.q)
    )
    if narrowed:
        return NO_TICKETS_MATCH
    if filters.day == today:
        return NO_TICKETS_TODAY
    return NO_TICKETS_ON_DAY.format(day=f"{filters.day:%A, %B} {filters.day.day}")


@login_required
@viewer_required
@require_GET
def board(request: PortalRequest) -> HttpResponse:
    # Queries (a dispatcher's full page): session, user, summary, one page of
    # tickets, their open opt-ins, the techs and customers of the day. An
    # underwriter adds the platform picker (and the chosen platform). A poll
    # skips the pickers, and stops after the summary when nothing changed.
    now = timezone.now()
    # The dispatcher's local day (portal.local_time activated their zone).
    zone = timezone.get_current_timezone()
    today = now.astimezone(zone).date()
    form = BoardFilterForm(request.GET)
    user = request.user
    filters = reads.BoardFilters(
        zone=zone,
        day=form.value("day", today),
        platform=_platform(user, form.value("platform")),
        state=form.value("state"),
        status=form.value("status"),
        tech=form.value("tech"),
        customer=form.value("customer"),
        q=form.value("q"),
        sort=form.value("sort", reads.DEFAULT_SORT),
    )
    found = reads.board_queryset(user, filters, at=now)
    summary = reads.summarize(found)
    if is_partial(request) and request.GET.get("v") == summary.version:
        # A poll, and nothing changed: keep what the dispatcher is looking at.
        return HttpResponse(status=204)
    size = form.value("per_page", reads.PAGE_SIZE)
    page = page_of(form.value("page", 1), count=summary.total, size=size)
    rows = reads.board_page(
        found,
        sort=filters.sort,
        page=page,
        at=now,
        since=_since(request.GET.get("since")),
    )
    columns = _columns(filters.sort)
    show_platform = user.sees_all_platforms and filters.platform is None
    query: QueryDict = request.GET.copy()
    for name in POLL_PARAMS:
        query.pop(name, None)
    context = {
        "form": form,
        "filters": filters,
        "summary": summary,
        "page": page,
        "page_sizes": reads.PAGE_SIZES,
        "tickets": rows,
        "rows": board_rows.rows(
            rows, show_platform=show_platform, columns=len(columns)
        ),
        "columns": columns,
        "query": query,
        "platforms": Platform.objects.visible_to(user)
        if user.sees_all_platforms
        else [],
        "show_platform": show_platform,
        "today": today,
        "zone_name": str(zone),
        "previous_day": filters.day - timedelta(days=1),
        "next_day": filters.day + timedelta(days=1),
        "rendered_at": now.timestamp(),
        "poll_seconds": POLL_SECONDS,
        "can_act": can_act(user),
        "empty_message": _empty_message(filters, today=today),
        "Status": Status,
        # Written out by the template: a widget would render a template per option.
        "state_choices": _choices(form, "state"),
        "status_choices": _choices(form, "status"),
    }
    polling = "v" in request.GET
    if not polling:
        # The filter bar's pickers list the day's techs and customers; a swap that
        # changed the day sends them along out of band (a poll never changes the day).
        techs, customers = reads.filter_options(user, filters)
        context["tech_options"] = options_html(techs, selected=filters.tech)
        context["customer_options"] = options_html(customers, selected=filters.customer)
        context["refresh_options"] = is_partial(request)
    return render_page(request, "coverage/board.html", context, partial="ticket-table")

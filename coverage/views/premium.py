"""Premium for a period: totals by day, customer, tech and state, a chart, the ledger as CSV.

Everything comes from the append-only ledger (coverage.selectors.premium); the page says whether
each breakdown adds up to the ledger's total, and the CSV lists the very entries summed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from coverage.access import viewer_required
from coverage.forms import MAX_PERIOD_DAYS, PeriodForm
from coverage.rating import WIRE_KEYS
from coverage.selectors.premium import csv_rows, premium_report
from coverage.selectors.tickets import LINE_SHORT
from coverage.views import charts, formatting
from portal.htmx import render_page
from portal.http import PortalRequest
from portal.models import Platform

if TYPE_CHECKING:
    from coverage.selectors.premium import CsvEntry

NO_PLATFORMS = "No platform has premium yet."
NOT_RECONCILED = (
    "The ledger does not reconcile: a breakdown does not add up to the total, or a "
    "ticket's ledger differs from its premium computed from the ticket (listed "
    "below). Nothing was written; tell support."
)
CSV_HEADER = [
    "books_on",
    "kind",
    "line",
    "amount",
    "amount_cents",
    "ticket",
    "tech",
    "tech_id",
    "customer",
    "customer_id",
    "job",
    "state",
    "class_code",
    "posted_at",
]
# A cell a spreadsheet would run as a formula (CSV injection): quote it as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _platforms(request: PortalRequest) -> list[Platform]:
    """The platforms an underwriter may pick from (a dispatcher picks none)."""
    user = request.user
    return list(Platform.objects.visible_to(user)) if user.sees_all_platforms else []


def _platform(
    request: PortalRequest, form: PeriodForm, platforms: list[Platform]
) -> Platform | None:
    """A dispatcher's own platform; an underwriter's pick, by default the first."""
    if not request.user.sees_all_platforms:
        return request.user.platform
    form.is_valid()
    chosen = form.cleaned_data.get("platform")
    if chosen:
        return next((p for p in platforms if p.public_id == chosen), None)
    return platforms[0] if platforms else None


def _period(form: PeriodForm, today: date) -> tuple[date, date]:
    """The chosen period, or this month so far when none (or a refused one) is given."""
    if not form.is_valid() and {"start", "end"} & set(form.errors):
        return today.replace(day=1), today
    start = form.cleaned_data.get("start") or today.replace(day=1)
    end = form.cleaned_data.get("end") or max(start, today)
    if (end - start).days >= MAX_PERIOD_DAYS:
        # Only a start far back with no end gets here: stop at the longest period.
        end = start + timedelta(days=MAX_PERIOD_DAYS - 1)
    return start, end


@login_required
@viewer_required
@require_GET
def premium(request: PortalRequest) -> HttpResponse:
    # Queries: session, user, the dispatcher's platform (an underwriter's list of
    # platforms instead), the ledger total, then one GROUP BY each for kind, day,
    # customer, tech and state.
    today = timezone.now().astimezone(UTC).date()
    form = PeriodForm(request.GET)
    platforms = _platforms(request)
    platform = _platform(request, form, platforms)
    start, end = _period(form, today)
    context: dict[str, Any] = {
        "form": form,
        "platform": platform,
        "start": start,
        "end": end,
        "presets": _presets(today),
        "platforms": platforms,
        "no_platforms": NO_PLATFORMS,
        "not_reconciled": NOT_RECONCILED,
    }
    if platform is not None:
        report = premium_report(platform=platform, start=start, end=end)
        context["report"] = report
        context["chart"] = charts.bar_chart(
            [(_short_day(date.fromisoformat(r.key)), r.amount) for r in report.by_day]
        )
        context["csv_query"] = urlencode(
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "platform": platform.public_id,
            }
        )
    return render_page(
        request, "coverage/premium.html", context, partial="premium-report"
    )


def _short_day(day: date) -> str:
    return f"{day:%b} {day.day}"


def _presets(today: date) -> list[tuple[str, date, date]]:
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        ("Today", today, today),
        ("Last 7 days", today - timedelta(days=6), today),
        ("This month", first, today),
        ("Last month", last_month_end.replace(day=1), last_month_end),
    ]


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _csv_lines(entries: QuerySet[CsvEntry]) -> Iterator[list[str]]:
    yield CSV_HEADER
    entry: CsvEntry
    for entry in entries.iterator(chunk_size=2000):
        assignment = entry.assignment
        snapshot = (assignment.rating or {}).get(WIRE_KEYS.get(entry.line, entry.line))
        yield [
            entry.books_on.isoformat(),
            entry.kind,
            LINE_SHORT.get(entry.line, entry.line),
            formatting.plain_dollars(entry.amount),
            str(entry.amount),
            assignment.public_id,
            _text(entry.contractor.legal_name),
            entry.contractor.public_id,
            _text(entry.entity.name),
            entry.entity.public_id,
            _text(assignment.job.name),
            entry.state,
            snapshot["class_code"] if snapshot else "",
            entry.created_at.astimezone(UTC).isoformat(),
        ]


class _Echo:
    """A file-like object csv.writer writes one row into, for streaming."""

    def write(self, value: str) -> str:
        return value


@login_required
@viewer_required
@require_GET
def premium_csv(request: PortalRequest) -> HttpResponse | StreamingHttpResponse:
    """The period's ledger lines, one CSV row per entry; their amounts sum to the page's total."""
    today = timezone.now().astimezone(UTC).date()
    form = PeriodForm(request.GET)
    platform = _platform(request, form, _platforms(request))
    if platform is None:
        return HttpResponse(NO_PLATFORMS, status=404, content_type="text/plain")
    start, end = _period(form, today)
    writer = csv.writer(_Echo())
    rows = (
        writer.writerow(line)
        for line in _csv_lines(csv_rows(platform=platform, start=start, end=end))
    )
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    name = f"premium-{platform.public_id}-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

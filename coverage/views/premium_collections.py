"""Premium collections: billed vs collected vs refunded per day, customer and tech."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from coverage.access import viewer_required
from coverage.forms import PeriodForm
from coverage.selectors.premium_collections import collections_report, sandbox_agrees
from coverage.views.premium import NO_PLATFORMS, _period, _platform, _platforms
from portal.htmx import render_page
from portal.http import PortalRequest

COLLECTIONS_RECONCILED = (
    "Collections agree with the processor's charges and refunds to the cent."
)
COLLECTIONS_NOT_RECONCILED = (
    "Collections do not agree with the processor's charges and refunds. Tell support."
)


@login_required
@viewer_required
@require_GET
def premium_collections(request: PortalRequest) -> HttpResponse:
    today = timezone.now().astimezone(UTC).date()
    form = PeriodForm(request.GET)
    platforms = _platforms(request)
    platform = _platform(request, form, platforms)
    start, end = _period(form, today)
    context: dict[str, Any] = {
        "form": form,
        "platform": platform,
        "platforms": platforms,
        "start": start,
        "end": end,
        "no_platforms": NO_PLATFORMS,
    }
    if platform is not None:
        report = collections_report(platform=platform, start=start, end=end)
        agrees = report.reconciled and (
            settings.PAYMENT_PROCESSOR != "sandbox" or sandbox_agrees(report)
        )
        context.update(
            report=report,
            reconciled=agrees,
            message=COLLECTIONS_RECONCILED if agrees else COLLECTIONS_NOT_RECONCILED,
        )
    return render_page(
        request, "coverage/premium_collections.html", context, partial="collections"
    )

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.http import PortalRequest
from portal.models import Platform
from portal.workers import live_worker_ids


@login_required
@require_GET
def home(request: PortalRequest) -> HttpResponse:
    if request.user.is_dispatcher:
        # A dispatcher lives on the ticket board (seed 001): it is their home.
        return redirect("coverage:board")
    platforms = Platform.objects.visible_to(request.user)
    return render(request, "portal/home.html", {"platforms": platforms})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        live = len(live_worker_ids(now=timezone.now()))
    except DatabaseError:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"}, status=503
        )
    # Workers are reported, not required: a web host stays in service while the
    # queue waits, and the monitor that reads this alerts on "workers": "none".
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "workers": "ok" if live else "none",
            "live_workers": live,
        }
    )

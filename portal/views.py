from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.http import PortalRequest
from portal.models import Platform


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
    except DatabaseError:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})

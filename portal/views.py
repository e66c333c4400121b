from __future__ import annotations

import logging
import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.api import DATABASE_RETRY_AFTER_SECONDS
from portal.forms import TimeZoneForm, add_service_error
from portal.http import PortalRequest
from portal.models import Platform
from portal.preferences import set_time_zone
from portal.workers import live_worker_ids
from portal.zones import UTC_ZONE

logger = logging.getLogger(__name__)

TIME_ZONE_SAVED = "Saved: times now read in {zone}."


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
    # One query, no session and no user: a load balancer may ask every few seconds.
    # Reading the heartbeats is also the proof that the database answers.
    try:
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


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: PortalRequest) -> HttpResponse:
    """The signed-in person's own settings: the zone they read times in."""
    user = request.user
    platform_zone = str(user.platform.zone if user.platform else UTC_ZONE)
    if request.method == "POST":
        form = TimeZoneForm(request.POST, platform_zone=platform_zone)
        if form.is_valid():
            try:
                set_time_zone(user=user, time_zone=form.cleaned_data["time_zone"])
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, TIME_ZONE_SAVED.format(zone=user.zone))
                return redirect("settings")
        status = 422
    else:
        form = TimeZoneForm(
            initial={"time_zone": user.time_zone}, platform_zone=platform_zone
        )
        status = 200
    return render(
        request,
        "portal/settings.html",
        {"form": form, "zone": user.zone},
        status=status,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database connection is 503 with Retry-After, not a crash.

    The page is rendered without the request's context processors (they read the
    session and the user, from the database that is away).
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        response = HttpResponse(
            loader.render_to_string(
                "503.html", {"seconds": DATABASE_RETRY_AFTER_SECONDS}
            ),
            status=503,
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    try:
        return defaults.server_error(request)
    except Exception:
        # The error page must not be a second error (a static manifest missing after
        # a deploy without collectstatic): plain words, and the cause in the log. An
        # API path's answer is rewritten into its JSON by ApiEdgeMiddleware anyway.
        logger.exception("the 500 page could not be rendered")
        return HttpResponse(
            "<h1>Server Error (500)</h1>", status=500, content_type="text/html"
        )

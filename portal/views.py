from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.api import (
    DATABASE_RETRY_AFTER_SECONDS,
    ApiError,
    database_unavailable_error,
)
from portal.api_edges import SERVER_ERROR, style_for_path
from portal.forms import TimeZoneForm, add_service_error
from portal.http import PortalRequest
from portal.models import Platform
from portal.preferences import set_time_zone
from portal.worker_health import worker_health
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
    # Reading the heartbeats is also the proof that the database answers (with the
    # RQ backend the workers live in Redis, so the database is asked on its own).
    try:
        workers = worker_health(now=timezone.now())
        if settings.TASKS_BACKEND == "rq":
            # The workers were read from Redis: ask the database itself.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except DatabaseError:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"}, status=503
        )
    # Workers are reported, not required: a web host stays in service while the
    # queue waits, and the monitor that reads this alerts on "workers" not "ok"
    # ("partial": some queue, named in "unserved_queues", has no live worker).
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "workers": workers.verdict,
            "live_workers": workers.live,
            "queues": workers.by_queue,
            "unserved_queues": workers.unserved,
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

    An API path answers in its own JSON dialect straight away: nothing here may need
    the database, a template or the static files' manifest, because whatever failed
    may be failing for this handler too (a 500 inside handler500 ends as the WSGI
    server's bare text). The portal's page is rendered without the request's context
    processors (they read the session and the user, from the database that is away),
    and falls back to plain markup if even that fails.
    """
    exc = sys.exc_info()[1]
    lost_database = isinstance(exc, OperationalError | InterfaceError)
    style = style_for_path(request.path)
    if style is not None:
        error = (
            database_unavailable_error()
            if lost_database
            else ApiError(SERVER_ERROR, status=500)
        )
        return style.response(error, request)
    status = 503 if lost_database else 500
    body: str
    try:
        if lost_database:
            body = loader.render_to_string(
                "503.html", {"seconds": DATABASE_RETRY_AFTER_SECONDS}
            )
        else:
            return defaults.server_error(request)
    except Exception:  # the page's own failure must not replace the answer
        logger.exception("The %s page could not be rendered", status)
        body = _BARE_ERROR_PAGE[status]
    response = HttpResponse(body, status=status)
    if lost_database:
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


_BARE_ERROR_PAGE = {
    503: (
        "<!doctype html><title>Back in a moment</title><h1>Back in a moment</h1>"
        f"<p>The portal cannot reach its database right now. Please try again in "
        f"{DATABASE_RETRY_AFTER_SECONDS} seconds.</p>"
    ),
    500: (
        "<!doctype html><title>Something went wrong</title><h1>Something went wrong</h1>"
        "<p>Please try again in a moment.</p>"
    ),
}

"""Pages of the contractor side. The hosted application page needs no login: it is
opened by the contractor through the unguessable link an application session carries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from coverage.forms.hosted import CardForm, OptInForm, StripeCardForm, card_form_class
from coverage.models import ApplicationSession
from coverage.payments import rules as payment_rules
from coverage.payments.cards import add_application_card, begin_card_capture
from coverage.rating import premium_for
from coverage.services import complete_application_session, start_application_session
from coverage.views.payment_setup import STRIPE_CSP
from policies.lines import CoverageType
from portal.money import amount_text

SESSION_EXPIRED_PAGE = (
    "This application link has expired. Ask the platform that sent it for a new one."
)
SESSION_COMPLETE_PAGE = "Your opt-in is complete: your coverage is in place."
WIRE_LINES = {"wc": CoverageType.WORKERS_COMP, "gl": CoverageType.GENERAL}


def _session(token: str) -> ApplicationSession:
    return get_object_or_404(
        ApplicationSession.objects.select_related(
            "platform",
            "quote__contractor",
            "quote__job__entity",
            "quote__category_code",
            "quote__policy",
        ),
        token=token,
    )


def dollars(cents: int) -> str:
    return amount_text(Decimal(cents) / 100)


def _lines(session: ApplicationSession) -> list[dict[str, Any]]:
    """The quote's rated lines for display, each with its premium at the job's wage."""
    wage = session.quote.job.wage
    rows = []
    for key, rated in session.quote.rating.items():
        line = WIRE_LINES.get(key, key)
        rows.append(
            {
                "label": CoverageType(line).label,
                "state": rated["state"],
                "class_code": rated["class_code"],
                "rate": dollars(rated["net_rate"]),
                "premium": premium_for(pay_cents=wage, net_rate=rated["net_rate"]),
            }
        )
    return rows


def _page(
    request: HttpRequest,
    session: ApplicationSession,
    *,
    form: OptInForm | None = None,
    card_form: CardForm | StripeCardForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    if session.completed_at is not None:
        state = "complete"
    elif session.is_expired(now):
        state = "expired"
    elif payment_rules.needs_card(
        contractor=session.quote.contractor, job=session.quote.job
    ):
        # add_card_details: a card payer adds the card between review and attesting.
        state = "card"
    else:
        state = "open"
    card = (
        payment_rules.current_card(session.quote.contractor)
        if state == "open"
        else None
    )
    capture = (
        begin_card_capture(contractor=session.quote.contractor)
        if state == "card"
        else None
    )
    lines = _lines(session)
    premium = sum(line["premium"] for line in lines)
    for line in lines:
        line["premium"] = dollars(line["premium"])
    context = {
        "session": session,
        "quote": session.quote,
        "state": state,
        "lines": lines,
        "premium": dollars(premium),
        "pay": dollars(session.quote.job.wage),
        "total_rate": dollars(session.quote.net_rate),
        "form": form or OptInForm(),
        "card_form": card_form or CardForm(),
        "capture": capture,
        "card": card,
        "error": error,
        "expired_message": SESSION_EXPIRED_PAGE,
        "complete_message": SESSION_COMPLETE_PAGE,
    }
    response = render(request, "coverage/apply.html", context, status=status)
    csp: dict[str, list[str]] = {}
    if session.success_url:
        # Opting in redirects to the platform's site; browsers hold a form's redirect
        # to the page's form-action policy, so allow that one origin.
        parts = urlsplit(session.success_url)
        # django-csp reads this per-response override off the response object (its own
        # decorators set it with setattr); HttpResponse declares no such attribute.
        origin = f"{parts.scheme}://{parts.netloc}"
        csp["form-action"] = [origin]
    if capture is not None and capture.in_browser:
        csp.update(STRIPE_CSP)
    if csp:
        response._csp_update = csp  # type: ignore[attr-defined]
    return response


@never_cache
@require_GET
def apply(request: HttpRequest, token: str) -> HttpResponse:
    session = _session(token)
    start_application_session(session=session, now=timezone.now())
    return _page(request, session)


@never_cache
@require_POST
def apply_opt_in(request: HttpRequest, token: str) -> HttpResponse:
    session = _session(token)
    form = OptInForm(request.POST)
    if not form.is_valid():
        return _page(request, session, form=form, status=400)
    try:
        complete_application_session(session=session, now=timezone.now())
    except ValidationError as exc:
        session.refresh_from_db()
        return _page(request, session, error=" ".join(exc.messages), status=400)
    if session.success_url:
        return HttpResponseRedirect(session.success_url)
    session.refresh_from_db()
    return _page(request, session)


@never_cache
@require_POST
def apply_card(request: HttpRequest, token: str) -> HttpResponse:
    """The ``add_card_details`` step: the sandbox form (or the processor's hosted fields)."""
    session = _session(token)
    form = card_form_class(settings.PAYMENT_PROCESSOR)(request.POST)
    if not form.is_valid():
        error = " ".join(str(e) for e in form.errors.get("setup_intent", []))
        return _page(request, session, card_form=form, error=error, status=400)
    try:
        add_application_card(
            session=session,
            card_token=form.card_token(),
            now=timezone.now(),
        )
    except ValidationError as exc:
        session.refresh_from_db()
        return _page(
            request, session, card_form=form, error=" ".join(exc.messages), status=400
        )
    return HttpResponseRedirect(request.path.rsplit("/", 1)[0] + "/")

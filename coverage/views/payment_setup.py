"""The hosted card page of a payment session: no login, the single-use token is the key."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from coverage.forms.hosted import CardForm, StripeCardForm, card_form_class
from coverage.models import PaymentSession
from coverage.payments import cards, rules, sessions


def _session(token: str) -> PaymentSession:
    return get_object_or_404(
        PaymentSession.objects.select_related("platform", "contractor"), token=token
    )


# Stripe.js and the Elements iframe it opens, per Stripe's CSP guidance; only on a
# page that shows the Stripe card field.
STRIPE_CSP = {
    "script-src": ["https://js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}


def _page(
    request: HttpRequest,
    session: PaymentSession,
    *,
    form: CardForm | StripeCardForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    usable = (
        session.status == PaymentSession.Status.PENDING
        and timezone.now() < session.expires_at
    )
    capture = (
        cards.begin_card_capture(contractor=session.contractor) if usable else None
    )
    context = {
        "session": session,
        "usable": usable,
        "form": form or CardForm(),
        "capture": capture,
        "error": error,
        "used_message": sessions.PAGE_USED,
        "card": rules.current_card(session.contractor) if usable else None,
    }
    response = render(request, "coverage/payment_setup.html", context, status=status)
    # The page's forms redirect to the platform: allow that one origin.
    parts = urlsplit(session.return_url)
    csp: dict[str, list[str]] = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
    if capture is not None and capture.in_browser:
        csp.update(STRIPE_CSP)
    response._csp_update = csp  # type: ignore[attr-defined]
    return response


@never_cache
@require_GET
def payment_setup(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, _session(token))


@never_cache
@require_POST
def payment_setup_card(request: HttpRequest, token: str) -> HttpResponse:
    session = _session(token)
    form = card_form_class(settings.PAYMENT_PROCESSOR)(request.POST)
    if not form.is_valid():
        error = " ".join(str(e) for e in form.errors.get("setup_intent", []))
        return _page(request, session, form=form, error=error, status=400)
    try:
        session = sessions.complete_payment_session(
            session=session,
            card_token=form.card_token(),
            now=timezone.now(),
        )
    except ValidationError as exc:
        session.refresh_from_db()
        return _page(
            request, session, form=form, error=" ".join(exc.messages), status=400
        )
    return HttpResponseRedirect(sessions.return_to(session))


@never_cache
@require_POST
def payment_setup_cancel(request: HttpRequest, token: str) -> HttpResponse:
    session = _session(token)
    try:
        session = sessions.cancel_payment_session(session=session, now=timezone.now())
    except ValidationError as exc:
        session.refresh_from_db()
        return _page(request, session, error=" ".join(exc.messages), status=400)
    return HttpResponseRedirect(sessions.return_to(session))

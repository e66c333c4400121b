"""The hosted card page of a payment session: no login, the single-use token is the key."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from coverage.forms.hosted import CardForm
from coverage.models import PaymentSession
from coverage.payments import rules, sessions


def _session(token: str) -> PaymentSession:
    return get_object_or_404(
        PaymentSession.objects.select_related("platform", "contractor"), token=token
    )


def _page(
    request: HttpRequest,
    session: PaymentSession,
    *,
    form: CardForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    usable = (
        session.status == PaymentSession.Status.PENDING
        and timezone.now() < session.expires_at
    )
    context = {
        "session": session,
        "usable": usable,
        "form": form or CardForm(),
        "error": error,
        "used_message": sessions.PAGE_USED,
        "card": rules.current_card(session.contractor) if usable else None,
    }
    response = render(request, "coverage/payment_setup.html", context, status=status)
    # The page's forms redirect to the platform: allow that one origin.
    parts = urlsplit(session.return_url)
    response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response


@never_cache
@require_GET
def payment_setup(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, _session(token))


@never_cache
@require_POST
def payment_setup_card(request: HttpRequest, token: str) -> HttpResponse:
    session = _session(token)
    form = CardForm(request.POST)
    if not form.is_valid():
        return _page(request, session, form=form, status=400)
    try:
        session = sessions.complete_payment_session(
            session=session,
            card_token=form.cleaned_data["card_number"],
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

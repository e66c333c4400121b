"""/api/v1/payment/sessions: hosted card capture for a contractor (create, cancel)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Status

from coverage.api.contractors import contractor_or_404
from coverage.api.inputs import WireIn, get_or_404, required
from coverage.api.site import api
from coverage.models import PaymentSession
from coverage.payments import sessions
from portal.api import platform_of


class PaymentSessionCreate(WireIn):
    contractor: str | None = None
    contractor_id: str | None = None  # the object's spelling, accepted as an alias
    return_url: str | None = None


@api.post(
    "/payment/sessions", response={201: dict[str, Any]}, tags=["payment_sessions"]
)
def create_payment_session(
    request: HttpRequest, payload: PaymentSessionCreate
) -> Status:
    contractor = contractor_or_404(
        request, required(payload.contractor or payload.contractor_id, "contractor")
    )
    session = sessions.create_payment_session(
        contractor=contractor, return_url=payload.return_url or "", now=timezone.now()
    )
    url = request.build_absolute_uri(
        reverse("coverage:payment_setup", args=[session.token])
    )
    return Status(201, sessions.payment_session_json(session, url=url))


@api.post(
    "/payment/sessions/{payment_session_id}/cancel",
    response=dict[str, Any],
    tags=["payment_sessions"],
)
def cancel_payment_session(
    request: HttpRequest, payment_session_id: str
) -> dict[str, Any]:
    session = get_or_404(
        PaymentSession.objects.filter(platform=platform_of(request)).select_related(
            "contractor"
        ),
        payment_session_id,
        what="payment session",
        code="invalid_payment_session_id",
    )
    session = sessions.cancel_payment_session(session=session, now=timezone.now())
    return sessions.payment_session_json(session)

"""Payment sessions: the hosted card-capture page a platform sends a contractor to.

``POST /api/v1/payment/sessions`` creates one for a contractor with a ``return_url``
on the platform's allow-list; the single-use page saves a card (which retries any
declined charge) and sends the contractor back with ``hps_id`` and ``status``.
Sessions and application sessions lapse by themselves: ``expire_due_sessions``
(``manage.py expire_sessions``) records it and sends the ``.expired`` events.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction

from coverage.api.serializers import session_json
from coverage.models import (
    ApplicationSession,
    Contractor,
    PaymentSession,
)
from coverage.payments.cards import save_card
from coverage.webhooks import events
from portal.models import Platform

SESSION_LIFETIME = timedelta(minutes=30)
Status = PaymentSession.Status

INVALID_RETURN_URL = (
    "return_url must be an https:// URL on one of the platform's allowed redirect "
    "hosts, without credentials or a fragment."
)
RETURN_URL_REQUIRED = "return_url is required."
SESSION_NOT_PENDING = (
    "This payment session is {status}; only a pending one can be {action}."
)
PAGE_USED = "This card link has already been used or has expired. Ask the platform for a new one."


def unix(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def payment_session_json(
    session: PaymentSession, *, url: str | None = None
) -> dict[str, Any]:
    """A payment session on the wire; ``url`` only in the creation response."""
    body: dict[str, Any] = {
        "id": session.public_id,
        "object": "payment_session",
        "contractor_id": session.contractor.public_id,
        "return_url": session.return_url,
        "status": session.status,
        "processor": "checkout",
        "created": unix(session.created_at),
        "expires_at": unix(session.expires_at),
        "completed_at": unix(session.completed_at),
        "cancelled_at": unix(session.cancelled_at),
    }
    if url is not None:
        body["url"] = url
    return body


def allowed_hosts(platform_id: int) -> list[str]:
    # The platform's hosted-flow allow-list, set by onboarding and by support.
    hosts = (
        Platform.objects.filter(pk=platform_id)
        .values_list("hosted_flow_allowed_redirect_hosts", flat=True)
        .first()
    )
    return [str(host).lower() for host in hosts or []]


def validate_return_url(*, platform_id: int, return_url: str) -> str:
    """HTTPS, host exactly on the allow-list, no credentials, no fragment."""
    if not return_url:
        raise ValidationError(RETURN_URL_REQUIRED, code="invalid_return_url")
    try:
        parts = urlsplit(return_url)
        host = parts.hostname
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError as exc:
        raise ValidationError(INVALID_RETURN_URL, code="invalid_return_url") from exc
    if (
        parts.scheme != "https"
        or not host
        or parts.username is not None
        or parts.password is not None
        or "#" in return_url
        or any(ch.isspace() for ch in return_url)
        or host.lower() not in allowed_hosts(platform_id)
    ):
        raise ValidationError(INVALID_RETURN_URL, code="invalid_return_url")
    return return_url


@transaction.atomic
def create_payment_session(
    *, contractor: Contractor, return_url: str, now: datetime
) -> PaymentSession:
    validate_return_url(platform_id=contractor.platform_id, return_url=return_url)
    return PaymentSession.objects.create(
        platform_id=contractor.platform_id,
        contractor=contractor,
        token=secrets.token_urlsafe(32),
        return_url=return_url,
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )


def _emit(session: PaymentSession, type: str) -> None:
    events.emit(
        platform=session.platform, type=type, data=payment_session_json(session)
    )


def _locked(session: PaymentSession) -> PaymentSession:
    return (
        PaymentSession.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor")
        .get(pk=session.pk)
    )


def _lapse_if_due(session: PaymentSession, now: datetime) -> None:
    if session.status == Status.PENDING and now >= session.expires_at:
        session.status = Status.EXPIRED
        session.expired_at = now
        session.save(update_fields=["status", "expired_at"])
        _emit(session, "payment.session.expired")


def _refuse_unless_pending(session: PaymentSession, action: str) -> None:
    if session.status != Status.PENDING:
        raise ValidationError(
            SESSION_NOT_PENDING.format(status=session.status, action=action),
            code="invalid_input",
        )


@transaction.atomic
def cancel_payment_session(*, session: PaymentSession, now: datetime) -> PaymentSession:
    session = _locked(session)
    _lapse_if_due(session, now)
    _refuse_unless_pending(session, "cancelled")
    session.status = Status.CANCELLED
    session.cancelled_at = now
    session.save(update_fields=["status", "cancelled_at"])
    _emit(session, "payment.session.cancelled")
    return session


@transaction.atomic
def complete_payment_session(
    *, session: PaymentSession, card_token: str, now: datetime
) -> PaymentSession:
    """The contractor saved a card on the page: it becomes the card on file."""
    session = _locked(session)
    _lapse_if_due(session, now)
    if session.status != Status.PENDING:
        raise ValidationError(PAGE_USED, code="invalid_input")
    session.card = save_card(
        contractor=session.contractor, card_token=card_token, now=now
    )
    session.status = Status.COMPLETED
    session.completed_at = now
    session.save(update_fields=["card", "status", "completed_at"])
    _emit(session, "payment.session.completed")
    return session


def return_to(session: PaymentSession) -> str:
    """Where the page sends the contractor: return_url with hps_id and status (UX only)."""
    joiner = "&" if urlsplit(session.return_url).query else "?"
    query = urlencode({"hps_id": session.public_id, "status": session.status})
    return f"{session.return_url}{joiner}{query}"


def expire_due_sessions(*, now: datetime, limit: int = 500) -> int:
    """Record every lapsed payment and application session and send its ``.expired`` event."""
    done = 0
    due = list(
        PaymentSession.objects.filter(status=Status.PENDING, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        with transaction.atomic():
            _lapse_if_due(_locked(PaymentSession(pk=pk)), now)
        done += 1
    lapsed = list(
        ApplicationSession.objects.filter(
            completed_at__isnull=True, expired_at__isnull=True, expires_at__lte=now
        )
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in lapsed:
        with transaction.atomic():
            app = (
                ApplicationSession.objects.select_for_update(of=("self",))
                .select_related(
                    "platform", "quote__contractor", "quote__job", "quote__policy"
                )
                .get(pk=pk)
            )
            if app.completed_at is None and app.expired_at is None:
                app.expired_at = app.expires_at
                app.save(update_fields=["expired_at"])
                events.emit(
                    platform=app.platform,
                    type="application.expired",
                    data=dict(session_json(app, at=now)),
                )
                done += 1
    return done

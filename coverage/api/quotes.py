"""/api/v1/quotes and /api/v1/apply/sessions: opt in once."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Status

from coverage import services
from coverage.api.contractors import contractor_or_404
from coverage.api.inputs import WireIn, get_or_404, required, timestamp
from coverage.api.jobs import job_or_404
from coverage.api.serializers import QuoteJSON, SessionJSON, quote_json, session_json
from coverage.api.site import api
from coverage.models import ApplicationSession, Quote
from portal.api import ApiError, cursor_page, platform_of

GENERAL_OPT_IN_UNSUPPORTED = (
    "General opt-in sessions are not offered: create a quote for the contractor and "
    "job, then a session for that quote."
)


class QuoteUpdate(WireIn):
    contractor: str | None = None
    contractor_id: str | None = None  # alias of contractor (the quote guide's name)
    job: str | None = None
    job_id: str | None = None  # alias of job
    coverage_type: list[str] | None = None
    effective_date: int | None = None
    end_date: int | None = None


class QuoteCreate(QuoteUpdate):
    coverage_type: list[str]


class SessionUpdate(WireIn):
    success_url: str | None = None
    cancel_url: str | None = None


class SessionCreate(SessionUpdate):
    quote: str | None = None
    quote_id: str | None = None  # alias of quote
    is_general_opt_in: bool = False


def quote_or_404(request: HttpRequest, quote_id: str | None) -> Quote:
    return get_or_404(
        Quote.objects.for_platform(platform_of(request)).select_related(
            "contractor", "job", "policy"
        ),
        quote_id,
        what="quote",
        code="invalid_quote_id",
    )


def _session(request: HttpRequest, session_id: str) -> ApplicationSession:
    return get_or_404(
        ApplicationSession.objects.for_platform(platform_of(request)).select_related(
            "quote__contractor", "quote__job", "quote__policy"
        ),
        session_id,
        what="application session",
        code="invalid_session_id",
    )


@api.post("/quotes", response={201: QuoteJSON}, tags=["quotes"])
def create_quote(request: HttpRequest, payload: QuoteCreate) -> Status:
    contractor_id = required(payload.contractor or payload.contractor_id, "contractor")
    job_id = required(payload.job or payload.job_id, "job")
    quote = services.create_quote(
        contractor=contractor_or_404(request, contractor_id),
        job=job_or_404(request, job_id),
        lines=payload.coverage_type,
        effective_at=timestamp(
            payload.effective_date, "effective_date", "effective_date_invalid"
        ),
        end_at=timestamp(payload.end_date, "end_date", "end_date_invalid"),
        now=timezone.now(),
    )
    return Status(201, quote_json(quote))


@api.get("/quotes", response=list[QuoteJSON], tags=["quotes"])
def list_quotes(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[QuoteJSON]:
    page = cursor_page(
        Quote.objects.for_platform(platform_of(request)).select_related(
            "contractor", "job", "policy"
        ),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return [quote_json(q) for q in page]


@api.get("/quotes/{quote_id}", response=QuoteJSON, tags=["quotes"])
def get_quote(request: HttpRequest, quote_id: str) -> QuoteJSON:
    return quote_json(quote_or_404(request, quote_id))


@api.put("/quotes/{quote_id}", response=QuoteJSON, tags=["quotes"])
def update_quote(
    request: HttpRequest, quote_id: str, payload: QuoteUpdate
) -> QuoteJSON:
    """Editable until a policy is bound from it (then: cant_update_create_new_quote)."""
    contractor_id = payload.contractor or payload.contractor_id
    job_id = payload.job or payload.job_id
    quote = services.update_quote(
        quote=quote_or_404(request, quote_id),
        contractor=contractor_or_404(request, contractor_id) if contractor_id else None,
        job=job_or_404(request, job_id) if job_id else None,
        lines=payload.coverage_type,
        effective_at=timestamp(
            payload.effective_date, "effective_date", "effective_date_invalid"
        ),
        end_at=timestamp(payload.end_date, "end_date", "end_date_invalid"),
        now=timezone.now(),
    )
    return quote_json(quote)


@api.post("/apply/sessions", response={201: SessionJSON}, tags=["application sessions"])
def create_session(request: HttpRequest, payload: SessionCreate) -> Status:
    """A hosted page where the contractor reviews the quote, attests and opts in."""
    if payload.is_general_opt_in:
        raise ApiError(GENERAL_OPT_IN_UNSUPPORTED, code="invalid_input")
    quote = quote_or_404(request, required(payload.quote or payload.quote_id, "quote"))
    now = timezone.now()
    session = services.create_application_session(
        quote=quote,
        success_url=payload.success_url or "",
        cancel_url=payload.cancel_url or "",
        url_for=lambda token: request.build_absolute_uri(
            reverse("coverage:apply", args=[token])
        ),
        now=now,
    )
    return Status(201, session_json(session, at=now))


@api.get("/apply/sessions", response=list[SessionJSON], tags=["application sessions"])
def list_sessions(
    request: HttpRequest,
    limit: str | None = None,
    starting_after: str | None = None,
    ending_before: str | None = None,
) -> list[SessionJSON]:
    page = cursor_page(
        ApplicationSession.objects.for_platform(platform_of(request)).select_related(
            "quote__contractor", "quote__job", "quote__policy"
        ),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    now = timezone.now()
    return [session_json(s, at=now) for s in page]


@api.get(
    "/apply/sessions/{session_id}",
    response=SessionJSON,
    tags=["application sessions"],
)
def get_session(request: HttpRequest, session_id: str) -> SessionJSON:
    return session_json(_session(request, session_id), at=timezone.now())


@api.put(
    "/apply/sessions/{session_id}",
    response=SessionJSON,
    tags=["application sessions"],
)
def update_session(
    request: HttpRequest, session_id: str, payload: SessionUpdate
) -> SessionJSON:
    """Only ``success_url`` and ``cancel_url`` change; the rest stays."""
    now = timezone.now()
    session = services.update_application_session(
        session=_session(request, session_id),
        success_url=payload.success_url,
        cancel_url=payload.cancel_url,
        now=now,
    )
    return session_json(session, at=now)


@api.post(
    "/apply/sessions/{session_id}/expire",
    response=SessionJSON,
    tags=["application sessions"],
)
def expire_session(request: HttpRequest, session_id: str) -> SessionJSON:
    now = timezone.now()
    session = services.expire_application_session(
        session=_session(request, session_id), now=now
    )
    return session_json(session, at=now)

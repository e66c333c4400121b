"""The underwriter's queue of flagged outside certificates, and one certificate's review:
the parsed fields and every finding beside a link to the PDF; approve or deny with a reason
(``coverage.uploads.decisions``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from coverage.access import underwriter_required
from coverage.models import UploadedCertificate
from coverage.uploads.decisions import decide_uploaded_certificate
from portal.forms import add_service_error
from portal.http import PortalRequest

QUEUE_SIZE = 100
QUEUE_EMPTY = "No flagged certificates: every upload was decided by its review."


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("deny", "Deny")], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _certificate(public_id: str) -> UploadedCertificate:
    found = (
        UploadedCertificate.objects.select_related(
            "platform", "contractor", "entity", "decided_by"
        )
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise Http404("No such certificate")
    return found


@login_required
@underwriter_required
@require_GET
def certificate_queue(request: PortalRequest) -> HttpResponse:
    # Queries: session, user, the flagged certificates with their tech and platform.
    flagged = list(
        UploadedCertificate.objects.filter(status=UploadedCertificate.Status.FLAGGED)
        .select_related("platform", "contractor", "entity")
        .order_by("pk")[:QUEUE_SIZE]
    )
    return render(
        request,
        "coverage/certificate_queue.html",
        {"flagged": flagged, "empty": QUEUE_EMPTY},
    )


def _review_page(
    request: PortalRequest,
    certificate: UploadedCertificate,
    form: DecisionForm,
    status: int = 200,
) -> HttpResponse:
    parsed = certificate.parsed or {}
    return render(
        request,
        "coverage/certificate_review.html",
        {
            "certificate": certificate,
            "results": list(certificate.review_results.all()),
            "parsed": parsed,
            "coverages": (parsed.get("coverages") or {}).items(),
            "form": form,
            "can_decide": certificate.status == UploadedCertificate.Status.FLAGGED,
        },
        status=status,
    )


@login_required
@underwriter_required
@require_GET
def certificate_review(request: PortalRequest, certificate_id: str) -> HttpResponse:
    return _review_page(request, _certificate(certificate_id), DecisionForm())


@login_required
@underwriter_required
@require_POST
def certificate_decide(request: PortalRequest, certificate_id: str) -> HttpResponse:
    certificate = _certificate(certificate_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decide_uploaded_certificate(
                certificate=certificate,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                by=request.user,
                now=timezone.now(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect(
                "coverage:certificate_review", certificate_id=certificate_id
            )
    return _review_page(request, certificate, form, status=422)

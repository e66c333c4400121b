"""A tech's own certificates in the portal: what each review decided and why, warnings
for approved ones about to lapse, and the dispatcher's upload (the API's rules and the
same intake service, with the 15 MB cap enforced while the file streams in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from coverage.access import (
    can_act,
    dispatcher_required,
    get_contractor,
    viewer_required,
)
from coverage.models import Contractor, Entity, ReviewResult, UploadedCertificate
from coverage.selectors import pickers
from coverage.uploads.intake import (
    TOO_BIG,
    CappedUploadHandler,
    Upload,
    capped_upload,
    check_file,
    too_long,
    upload_certificate,
)
from coverage.uploads.judging import LINE_NAMES, covered_lines, human_date
from coverage.uploads.links import make_token
from portal.forms import add_service_error
from portal.http import PortalRequest
from portal.pickers import Picker, PickerField

SHOWN = 25
EXPIRY_WARNING_DAYS = 30
NO_UPLOADS = "No certificates of the tech's own yet."
EXPIRES_SOON = (
    "The tech's own {line} policy on {certificate} expires on {date} (in {days} days): "
    "ask for the renewed certificate."
)
UPLOADED = "Uploaded. The review takes a few seconds: reload to see its decision."


def _customer_picker(contractor: Contractor, **kwargs: Any) -> PickerField:
    return PickerField(
        queryset=pickers.customers(Entity.objects.for_platform(contractor.platform)),
        to_field_name="public_id",
        required=False,
        widget=Picker(
            "coverage:pick_customer",
            placeholder="Type a customer's name, or leave it empty…",
            params={"platform": contractor.platform.public_id},
        ),
        **kwargs,
    )


class UploadForm(forms.Form):
    certificate = forms.FileField(required=False)

    def __init__(self, *args: object, contractor: Contractor, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The customer's public id, as its picker offers it (the select posted the
        # pk); empty: the platform's default requirement.
        self.fields["entity"] = _customer_picker(
            contractor,
            label="Judge against",
            help_text="Empty: the platform's default requirement.",
        )


class LinkForm(forms.Form):
    """The customer a hosted upload link judges against (``?link=``; empty: default)."""

    def __init__(self, *args: object, contractor: Contractor, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["link"] = _customer_picker(
            contractor,
            label="The link judges against",
            help_text="Empty: the platform's default requirement.",
        )


@dataclass(frozen=True)
class Row:
    certificate: UploadedCertificate
    # What a dispatcher reads first: the findings that were not a pass.
    reasons: list[ReviewResult]


def expiry_warnings(
    certificates: list[UploadedCertificate], *, today: date
) -> list[str]:
    """For approved certificates, each line that lapses within 30 days."""
    found = []
    for certificate in certificates:
        if certificate.status != UploadedCertificate.Status.APPROVED:
            continue
        for line, (_, expires) in covered_lines(certificate.parsed).items():
            days = (date.fromisoformat(expires) - today).days
            if 0 <= days <= EXPIRY_WARNING_DAYS:
                found.append(
                    EXPIRES_SOON.format(
                        line=LINE_NAMES[line],
                        certificate=certificate.public_id,
                        date=human_date(expires),
                        days=days,
                    )
                )
    return found


def _page(
    request: PortalRequest, contractor: Contractor, form: UploadForm, status: int = 200
) -> HttpResponse:
    # Queries: session, user, the tech, its uploads (with entity), their findings
    # (the customers to judge against are searched, not listed).
    uploads = list(
        contractor.uploaded_certificates.select_related("entity")
        .prefetch_related("review_results")
        .order_by("-pk")[:SHOWN]
    )
    rows = [
        Row(
            u,
            [r for r in u.review_results.all() if r.result != ReviewResult.Result.PASS],
        )
        for u in uploads
    ]
    upload_link, link_form = _upload_link(request, contractor)
    return render(
        request,
        "coverage/own_certificates.html",
        {
            "contractor": contractor,
            "upload_link": upload_link,
            "link_form": link_form,
            "rows": rows,
            "warnings": expiry_warnings(uploads, today=timezone.now().date()),
            "form": form,
            "can_act": can_act(request.user),
            "no_uploads": NO_UPLOADS,
            "uploaded": request.GET.get("uploaded") == "1",
            "uploaded_message": UPLOADED,
            "warning_window": timedelta(days=EXPIRY_WARNING_DAYS),
        },
        status=status,
    )


def _upload_link(
    request: PortalRequest, contractor: Contractor
) -> tuple[str, LinkForm]:
    """The hosted upload link a dispatcher asked for (``?link=`` empty or ``default``:
    the platform's default requirement; ``?link=en_…``: that customer's)."""
    form = LinkForm(contractor=contractor)
    if not can_act(request.user) or not {"link", "link_search"} & request.GET.keys():
        return "", form
    entity = None
    if request.GET.get("link") != "default":  # the list's spelling of "no customer"
        form = LinkForm(request.GET, contractor=contractor)
        if not form.is_valid():
            return "", form
        entity = form.cleaned_data["link"]
    token = make_token(contractor=contractor, entity=entity)
    link = request.build_absolute_uri(reverse("coverage:hosted_upload", args=[token]))
    return link, form


@login_required
@viewer_required
@require_GET
def own_certificates(request: PortalRequest, public_id: str) -> HttpResponse:
    contractor = get_contractor(request, public_id)
    return _page(request, contractor, UploadForm(contractor=contractor))


# CSRF is checked below, once the capped upload handlers are in place: the middleware
# would otherwise read the whole multipart body with the default handlers first.
@csrf_exempt
@login_required
@dispatcher_required
@require_POST
def own_certificate_upload(request: PortalRequest, public_id: str) -> HttpResponse:
    contractor = get_contractor(request, public_id)
    if too_long(int(request.META.get("CONTENT_LENGTH") or 0)):
        form = UploadForm(contractor=contractor)
        form.add_error(None, TOO_BIG)
        return _page(request, contractor, form, status=422)
    capped = capped_upload(request)
    return _upload(request, contractor=contractor, capped=capped)


@csrf_protect
def _upload(
    request: PortalRequest, *, contractor: Contractor, capped: CappedUploadHandler
) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, contractor=contractor)
    if form.is_valid():
        upload = form.cleaned_data["certificate"]
        try:
            data = check_file(upload, exceeded=capped.exceeded)
            upload_certificate(
                contractor=contractor,
                entity=form.cleaned_data["entity"],
                upload=Upload(filename=upload.name, data=data),
                now=timezone.now(),
            )
        except ValidationError as exc:
            add_service_error(
                form,
                exc,
                codes={
                    "missing_certificate": "certificate",
                    "invalid_file_type": "certificate",
                    "invalid_mime_type": "certificate",
                    "invalid_file_size": "certificate",
                },
            )
        else:
            response = redirect(
                "coverage:own_certificates", public_id=contractor.public_id
            )
            response["Location"] += "?uploaded=1"
            return response
    return _page(request, contractor, form, status=422)

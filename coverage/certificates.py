"""Certificates of insurance: issued with a covered dispatch, rendered in the background,
revoked or re-issued as the dispatch and its policy change.

Rules (seed 001, "auto-issue, auto-store, auto-renew"):

- Every eligible, bound dispatch has one certificate in force per line it carries
  that a certificate can show (GL and WC), created in the dispatch's own transaction.
  GL is in the contractor's name with the customer-of-record additional insured for
  the dispatch window only; WC is in the contractor's name, routed to the state and
  class code the dispatch was rated in.
- A certificate's content is fixed when it is issued (a COI is a snapshot, domain
  research §3.4): ``Certificate.document`` holds it, and every rendering of the PDF
  is made from it. When the dispatch changes so that its certificate would read
  differently (window, job, lines, policy term), the certificate is *superseded*
  by a new one with a new number; when it stops being covered (cancelled, deleted,
  its policy cancelled) it is *revoked*. The verification page says so at once.
- Rendering is a django-tasks task enqueued once the issuing transaction commits,
  so the API answers without waiting for a PDF. The PDF goes to Django's storage
  and is served from there, never rendered on request. A revoked certificate's PDF
  is rendered once more with a VOID banner. ``render_pending_certificates`` (the
  ``render_certificates`` command) sweeps up renderings whose task was lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from coverage.certificate_document import (
    GENERAL_LIABILITY,
    GL_DETAILS,
    INSURER_FOR_LINE,
    PRODUCER,
    WORKERS_COMP,
    CertificateDocument,
    CoverageRow,
    Insurer,
    Party,
    dispatch_description,
    format_date,
    gl_limits,
    render_certificate_pdf,
    wc_details,
    wc_limits,
)
from coverage.models import Addressed, Assignment, Certificate, new_certificate_number
from policies.models import Policy

logger = logging.getLogger(__name__)

# Lines a certificate can show; other lines a policy may carry get none.
CERTIFIED_LINES: tuple[str, ...] = (GENERAL_LIABILITY, WORKERS_COMP)
# The keys of ``certificates`` on the API's policies and assignments (API §2.8–2.9).
WIRE_KEYS: dict[str, str] = {
    GENERAL_LIABILITY: "gl_coi_pdf_url",
    WORKERS_COMP: "wc_coi_pdf_url",
}
SHORT_LINE: dict[str, str] = {GENERAL_LIABILITY: "GL", WORKERS_COMP: "WC"}

# Why a certificate stopped being in force; the verification page shows the text.
ASSIGNMENT_CANCELLED = "assignment_cancelled"
ASSIGNMENT_DELETED = "assignment_deleted"
POLICY_CANCELLED = "policy_cancelled"
DISPATCH_CHANGED = "dispatch_changed"
POLICY_RENEWED = "policy_renewed"
REVOCATION_TEXT: dict[str, str] = {
    ASSIGNMENT_CANCELLED: "The dispatch was cancelled.",
    ASSIGNMENT_DELETED: "The dispatch was withdrawn.",
    POLICY_CANCELLED: "The policy was cancelled.",
    DISPATCH_CHANGED: "The dispatch changed; a new certificate replaces this one.",
    POLICY_RENEWED: "The policy was renewed; a new certificate replaces this one.",
}
VOID_NOTE = "VOID: {what} on {day}. {why}"

# What a certificate's standing reads on the verification page.
IN_FORCE = "in_force"
SCHEDULED = "scheduled"
EXPIRED = "expired"
REVOKED = "revoked"
SUPERSEDED = "superseded"


# ---------------------------------------------------------------------------
# URLs


def absolute(path: str) -> str:
    """``path`` on the portal's public address (PDFs and events are made without a request)."""
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}"


def verification_url(number: str) -> str:
    return absolute(reverse("coverage:certificate_verify", args=[number]))


def api_pdf_url(number: str) -> str:
    return absolute(reverse("api_v1:certificate_pdf", args=[number]))


def pdf_filename(certificate: Certificate) -> str:
    return f"{certificate.number}-{SHORT_LINE.get(certificate.line, 'COI')}.pdf"


def normalize_number(raw: str) -> str | None:
    """A number as typed (any case, stray spaces); None when it cannot be one.

    PostgreSQL refuses to compare with a NUL character, so such input names nothing.
    """
    number = raw.strip().upper()
    if not number or "\x00" in number:
        return None
    return number


# ---------------------------------------------------------------------------
# The document


def _address_lines(obj: Addressed) -> tuple[str, ...]:
    street = tuple(p for p in (obj.address_line1, obj.address_line2) if p)
    region = " ".join(p for p in (obj.address_region, obj.address_postalcode) if p)
    city = ", ".join(p for p in (obj.address_locality, region) if p)
    return street + ((city,) if city else ())


def _term_dates(policy: Policy) -> tuple[date, date]:
    effective = policy.effective_at.astimezone(UTC).date()
    expires = policy.expires_at.astimezone(UTC).date()
    # The form prints days; a term inside one UTC day (possible through the
    # underwriters' API) still needs an expiration after its effective date.
    return effective, max(expires, effective + timedelta(days=1))


def build_document(
    *,
    number: str,
    assignment: Assignment,
    policy: Policy,
    line: str,
    issued_at: datetime,
) -> CertificateDocument:
    """The certificate of ``line`` for ``assignment`` under ``policy``, as it reads today.

    Touches assignment.contractor, assignment.job and assignment.job.entity.
    """
    contractor, job = assignment.contractor, assignment.job
    entity = job.entity
    window = (
        assignment.effective_at.astimezone(UTC),
        assignment.end_at.astimezone(UTC),
    )
    effective, expires = _term_dates(policy)
    # Each certificate lists one insurer, so it is insurer A on it.
    insurer = Insurer(
        letter="A", name=INSURER_FOR_LINE[line].name, naic=INSURER_FOR_LINE[line].naic
    )
    if line == GENERAL_LIABILITY:
        row = CoverageRow(
            line=GENERAL_LIABILITY,
            insurer_letter=insurer.letter,
            policy_number=policy.number,
            effective=effective,
            expires=expires,
            additional_insured=True,
            # Blanket waiver where a written contract requires it (CG 24 04 style).
            subrogation_waived=True,
            limits=gl_limits(
                occurrence_cents=policy.gl_occurrence_limit,
                aggregate_cents=policy.gl_aggregate_limit,
            ),
            details=GL_DETAILS,
        )
    else:
        routed = (assignment.rating or {}).get("wc") or {}
        row = CoverageRow(
            line=WORKERS_COMP,
            insurer_letter=insurer.letter,
            policy_number=policy.number,
            effective=effective,
            expires=expires,
            additional_insured=False,
            # A WC waiver is a priced endorsement (domain research §3.5) that the
            # product does not sell, so the box says N.
            subrogation_waived=False,
            limits=wc_limits(),
            details=wc_details(
                state=str(routed.get("state") or policy.wc_state),
                class_code=str(routed.get("class_code") or "n/a"),
            ),
        )
    return CertificateDocument(
        number=number,
        issued_on=issued_at.astimezone(UTC).date(),
        verification_url=verification_url(number),
        producer=PRODUCER,
        insured=Party(contractor.legal_name, _address_lines(contractor)),
        insurers=(insurer,),
        rows=(row,),
        description_of_operations=dispatch_description(
            work_job=f"{job.name} ({job.public_id})",
            site_address=job.address_text or "not given",
            window=window,
        ),
        holder=Party(entity.name, _address_lines(entity)),
        additional_insured_window=window if line == GENERAL_LIABILITY else None,
    )


def document_json(doc: CertificateDocument) -> dict[str, Any]:
    """The document as JSON: dates and datetimes as ISO 8601 strings."""

    def encode(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        return value

    return encode(asdict(doc))


def document_from_json(
    data: dict[str, Any], *, status_note: str | None = None
) -> CertificateDocument:
    def party(p: dict[str, Any]) -> Party:
        return Party(p["name"], tuple(p["address_lines"]))

    window = data.get("additional_insured_window")
    return CertificateDocument(
        number=data["number"],
        issued_on=date.fromisoformat(data["issued_on"]),
        verification_url=data["verification_url"],
        producer=party(data["producer"]),
        insured=party(data["insured"]),
        insurers=tuple(Insurer(**i) for i in data["insurers"]),
        rows=tuple(
            CoverageRow(
                line=r["line"],
                insurer_letter=r["insurer_letter"],
                policy_number=r["policy_number"],
                effective=date.fromisoformat(r["effective"]),
                expires=date.fromisoformat(r["expires"]),
                additional_insured=r["additional_insured"],
                subrogation_waived=r["subrogation_waived"],
                limits=tuple(tuple(pair) for pair in r["limits"]),
                details=tuple(r["details"]),
            )
            for r in data["rows"]
        ),
        description_of_operations=data["description_of_operations"],
        holder=party(data["holder"]),
        additional_insured_window=(
            (datetime.fromisoformat(window[0]), datetime.fromisoformat(window[1]))
            if window
            else None
        ),
        status_note=status_note,
    )


# Parts of a document that differ between two issues of the same content.
_ISSUE_FIELDS = ("number", "issued_on", "verification_url", "status_note")


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def content(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if k not in _ISSUE_FIELDS}

    return content(a) == content(b)


def status_note(certificate: Certificate) -> str | None:
    """The VOID banner a revoked or superseded certificate's PDF carries."""
    if certificate.status == Certificate.Status.ISSUED:
        return None
    what = (
        "superseded"
        if certificate.status == Certificate.Status.SUPERSEDED
        else "revoked"
    )
    day = format_date((certificate.revoked_at or timezone.now()).astimezone(UTC).date())
    why = REVOCATION_TEXT.get(certificate.revocation_reason, "")
    return VOID_NOTE.format(what=what, day=day, why=why).strip()


# ---------------------------------------------------------------------------
# Issue, re-issue, revoke


def certified_lines(assignment: Assignment) -> list[str]:
    """The lines that need a certificate in force: none unless the dispatch is covered."""
    policy = assignment.policy
    if not assignment.is_covered or policy is None or assignment.deleted_at:
        return []
    return [
        line
        for line in CERTIFIED_LINES
        if line in assignment.lines and line in policy.lines
    ]


def _issue(
    *, assignment: Assignment, line: str, document: CertificateDocument, now: datetime
) -> Certificate:
    policy = assignment.policy
    assert policy is not None
    certificate = Certificate.objects.create(
        number=document.number,
        platform_id=assignment.platform_id,
        assignment=assignment,
        policy=policy,
        line=line,
        effective_at=assignment.effective_at,
        end_at=assignment.end_at,
        policy_expires_at=policy.expires_at,
        insured_name=document.insured.name[:200],
        holder_name=document.holder.name[:200],
        document=document_json(document),
        issued_at=now,
    )
    enqueue_render(certificate_id=certificate.pk)
    return certificate


def _end(certificate: Certificate, *, status: str, reason: str, now: datetime) -> None:
    certificate.status = status
    certificate.revoked_at = now
    certificate.revocation_reason = reason
    # Its PDF no longer shows its status: render it again, with the VOID banner.
    certificate.render_pending = True
    certificate.save(
        update_fields=["status", "revoked_at", "revocation_reason", "render_pending"]
    )
    enqueue_render(certificate_id=certificate.pk)


@transaction.atomic
def reissue_certificates(
    *, assignment: Assignment, now: datetime, reason: str = DISPATCH_CHANGED
) -> list[Certificate]:
    """Bring the dispatch's certificates in line with it; returns the ones newly issued.

    A line that needs a certificate and has none in force gets one; one whose
    certificate would now read differently gets a new one that supersedes it; a line
    that no longer needs one (or a dispatch no longer covered) has its certificate
    revoked with ``reason``. A dispatch that has not changed changes nothing, so
    calling this twice is harmless. Call it with the assignment's row locked (or
    just created) in the writing transaction.
    """
    in_force = {
        c.line: c
        for c in Certificate.objects.select_for_update().filter(
            assignment=assignment, status=Certificate.Status.ISSUED
        )
    }
    wanted = certified_lines(assignment)
    for line, certificate in in_force.items():
        if line not in wanted:
            _end(certificate, status=Certificate.Status.REVOKED, reason=reason, now=now)
    issued = []
    for line in wanted:
        current = in_force.get(line)
        document = build_document(
            number=new_certificate_number(),
            assignment=assignment,
            policy=assignment.policy,  # type: ignore[arg-type]
            line=line,
            issued_at=now,
        )
        if current is not None and _same_content(
            current.document, document_json(document)
        ):
            continue
        if current is not None:
            # Out of force first: the unique index allows one issued per line.
            _end(current, status=Certificate.Status.SUPERSEDED, reason=reason, now=now)
        new = _issue(assignment=assignment, line=line, document=document, now=now)
        if current is not None:
            current.superseded_by = new
            current.save(update_fields=["superseded_by"])
        issued.append(new)
    return issued


def issue_certificates(*, assignment: Assignment, now: datetime) -> list[Certificate]:
    """The certificates of a dispatch just reported (none unless it is covered)."""
    return reissue_certificates(assignment=assignment, now=now)


def revoke_certificates(
    *, certificates: Iterable[Certificate], reason: str, now: datetime
) -> int:
    count = 0
    for certificate in certificates:
        _end(certificate, status=Certificate.Status.REVOKED, reason=reason, now=now)
        count += 1
    return count


@transaction.atomic
def revoke_for_assignment(*, assignment: Assignment, reason: str, now: datetime) -> int:
    """The dispatch was cancelled or deleted: its certificates are void from now."""
    return revoke_certificates(
        certificates=Certificate.objects.select_for_update().filter(
            assignment=assignment, status=Certificate.Status.ISSUED
        ),
        reason=reason,
        now=now,
    )


@transaction.atomic
def revoke_for_policy(*, policy: Policy, reason: str, now: datetime) -> int:
    """The policy was cancelled: every certificate it backs is void from now."""
    return revoke_certificates(
        certificates=Certificate.objects.select_for_update()
        .filter(policy=policy, status=Certificate.Status.ISSUED)
        .order_by("pk"),
        reason=reason,
        now=now,
    )


def _live_covered(policy: Policy, *, ending_after: datetime) -> list[Assignment]:
    return list(
        Assignment.objects.select_for_update(of=("self",))
        .select_related("platform", "contractor", "job__entity", "policy")
        .filter(
            policy=policy,
            eligible=True,
            bind=True,
            cancelled_at__isnull=True,
            deleted_at__isnull=True,
            end_at__gt=ending_after,
        )
        .order_by("pk")
    )


@transaction.atomic
def reissue_for_policy(
    *, policy: Policy, reason: str, now: datetime, ending_after: datetime | None = None
) -> list[Certificate]:
    """Re-issue the certificates of the policy's covered dispatches that end after
    ``ending_after`` (default: now), e.g. after a reinstatement or a renewal."""
    issued: list[Certificate] = []
    for assignment in _live_covered(policy, ending_after=ending_after or now):
        issued += reissue_certificates(assignment=assignment, now=now, reason=reason)
    return issued


# ---------------------------------------------------------------------------
# Rendering and storage


def enqueue_render(*, certificate_id: int, force: bool = False) -> None:
    def enqueue() -> None:
        render_certificate.enqueue(certificate_id, force)

    # After commit, so a worker never looks for a row that is not there yet; robust,
    # because the certificate exists whatever happens here and the sweep renders it.
    # (A named function: Django logs a robust callback's failure by its __qualname__.)
    transaction.on_commit(enqueue, robust=True)


def render_now(*, certificate_id: int, force: bool = False) -> str:
    """Render one certificate's PDF and store it; what happened, in a word.

    Safe with several workers at once: the row is locked (or skipped while another
    worker holds it), and a certificate whose PDF already shows its status is left
    alone unless ``force`` (support's re-render).
    """
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(skip_locked=True)
            .filter(pk=certificate_id)
            .first()
        )
        if certificate is None:
            return "busy or gone"
        if not (certificate.render_pending or force):
            return "up to date"
        pdf = render_certificate_pdf(
            document_from_json(
                certificate.document, status_note=status_note(certificate)
            )
        )
        previous = certificate.pdf.name
        name = default_storage.save(
            certificate.pdf.field.generate_filename(certificate, "certificate.pdf"),
            ContentFile(pdf),
        )
        try:
            certificate.pdf.name = name
            certificate.render_pending = False
            certificate.rendered_at = timezone.now()
            certificate.save(update_fields=["pdf", "render_pending", "rendered_at"])
        except Exception:
            default_storage.delete(name)
            raise
        if previous and previous != name:
            _delete_on_commit(previous)
    return "rendered"


def _delete_on_commit(name: str) -> None:
    def delete_old_file() -> None:
        default_storage.delete(name)

    # Only once the row points at the new file; a failure leaves an orphan, logged.
    transaction.on_commit(delete_old_file, robust=True)


@task()
def render_certificate(certificate_id: int, force: bool = False) -> str:
    """Background rendering of one certificate (enqueued when it is issued or revoked)."""
    return render_now(certificate_id=certificate_id, force=force)


DEFAULT_SWEEP_LIMIT = 500


def render_pending_certificates(*, limit: int = DEFAULT_SWEEP_LIMIT) -> int:
    """Render certificates whose PDF is missing or out of date, oldest first; how many.

    Catches tasks lost with a worker that died; any number may run at once.
    """
    ids = list(
        Certificate.objects.filter(render_pending=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for certificate_id in ids:
        try:
            if render_now(certificate_id=certificate_id) == "rendered":
                done += 1
        except Exception:
            logger.exception("Could not render certificate %s", certificate_id)
    return done


# ---------------------------------------------------------------------------
# Reading


def standing(certificate: Certificate, *, at: datetime) -> str:
    """In force, scheduled (its window has not begun), expired, revoked or superseded."""
    if certificate.status == Certificate.Status.REVOKED:
        return REVOKED
    if certificate.status == Certificate.Status.SUPERSEDED:
        return SUPERSEDED
    if at >= min(certificate.end_at, certificate.policy_expires_at):
        return EXPIRED
    if at < certificate.effective_at:
        return SCHEDULED
    return IN_FORCE


def wire_urls(certificates: Sequence[Certificate]) -> dict[str, str]:
    """``{"gl_coi_pdf_url": …, "wc_coi_pdf_url": …}``: the latest certificate per line."""
    urls: dict[str, str] = {}
    for certificate in sorted(certificates, key=lambda c: c.pk):
        key = WIRE_KEYS.get(certificate.line)
        if key:
            urls[key] = api_pdf_url(certificate.number)
    return urls


# Only what the JSON needs: the document column can be large.
_WIRE_FIELDS = ("id", "number", "line", "status", "assignment_id", "policy_id")


def assignment_prefetch() -> Prefetch:
    """For assignment lists: every certificate of each assignment (re-issues are few)."""
    return Prefetch(
        "certificates",
        queryset=Certificate.objects.only(*_WIRE_FIELDS).order_by("pk"),
        to_attr="certificate_list",
    )


def _latest_in_force() -> QuerySet[Certificate]:
    """The latest certificate in force per policy and line: one query however many
    dispatches a policy has (a window function picks them)."""
    return (
        Certificate.objects.filter(status=Certificate.Status.ISSUED)
        .only(*_WIRE_FIELDS)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("policy_id"), F("line")],
                order_by=F("id").desc(),
            )
        )
        .filter(rank=1)
    )


def policy_prefetch() -> Prefetch:
    """For policy lists: the latest certificate in force per line of each policy."""
    return Prefetch(
        "certificates", queryset=_latest_in_force(), to_attr="latest_certificates"
    )


def assignment_certificates(assignment: Assignment) -> list[Certificate]:
    found = getattr(assignment, "certificate_list", None)
    if found is None:
        if assignment.pk is None:
            return []
        found = list(assignment.certificates.only(*_WIRE_FIELDS).order_by("pk"))
    return found


def policy_certificates(policy: Policy) -> list[Certificate]:
    found = getattr(policy, "latest_certificates", None)
    if found is None:
        found = list(_latest_in_force().filter(policy_id=policy.pk))
    return found

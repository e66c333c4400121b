"""What a certificate says and how it is named: the document built from a dispatch,
its JSON snapshot, URLs, revocation wording and standing."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coverage.certificates.document import (
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
    wc_details,
    wc_limits,
)
from coverage.models import Addressed, Assignment, Certificate
from policies.models import Policy
from portal.jurisdictions import US_STATES

# Lines a certificate can show; other lines a policy may carry get none.
CERTIFIED_LINES: tuple[str, ...] = (GENERAL_LIABILITY, WORKERS_COMP)
# The keys of ``certificates`` on the API's policies and assignments (API §2.8–2.9).
WIRE_KEYS: dict[str, str] = {
    GENERAL_LIABILITY: "gl_coi_pdf_url",
    WORKERS_COMP: "wc_coi_pdf_url",
}
SHORT_LINE: dict[str, str] = {GENERAL_LIABILITY: "GL", WORKERS_COMP: "WC"}

# Why a certificate stopped being in force; the verification page and the VOID banner
# show the text (and, for a superseded one, REPLACED_TEXT after it).
ASSIGNMENT_CANCELLED = "assignment_cancelled"
ASSIGNMENT_DELETED = "assignment_deleted"
POLICY_CANCELLED = "policy_cancelled"
DISPATCH_CHANGED = "dispatch_changed"
POLICY_CHANGED = "policy_changed"
POLICY_RENEWED = "policy_renewed"
REVOCATION_TEXT: dict[str, str] = {
    ASSIGNMENT_CANCELLED: "The dispatch was cancelled.",
    ASSIGNMENT_DELETED: "The dispatch was withdrawn.",
    POLICY_CANCELLED: "The policy was cancelled.",
    DISPATCH_CHANGED: "The dispatch changed.",
    POLICY_CHANGED: "The policy changed.",
    POLICY_RENEWED: "The policy was renewed.",
}
REPLACED_TEXT = "A new certificate replaces this one."
STATE_ONLY_ADDRESS = "Resides in {state} (no street address on file)"
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
    if not street and not obj.address_locality and obj.address_region:
        # Only a state on file (a tech's residence state): a bare "NJ" on a legal
        # document reads as an error, so say what it is.
        state = US_STATES.get(obj.address_region, obj.address_region)
        return (STATE_ONLY_ADDRESS.format(state=state),)
    return street + ((city,) if city else ())


def _party(party: dict[str, Any]) -> Party:
    """A contract's ``{name, address}`` (coverage.services.contract) as printed."""
    address = party.get("address") or {}
    street = tuple(address[k] for k in ("line1", "line2") if address.get(k))
    region = " ".join(address[k] for k in ("region", "postalcode") if address.get(k))
    city = ", ".join(p for p in (address.get("locality", ""), region) if p)
    return Party(party["name"], street + ((city,) if city else ()))


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
    # The window reads in the job site's zone: the holder checks the tech on site
    # against local time. The work's own window (a same-day job's coverage runs on).
    site = job.zone
    window = (
        assignment.effective_at.astimezone(site),
        assignment.end_at.astimezone(site),
    )
    work_window = (window[0], assignment.job_end_at.astimezone(site))
    effective, expires = _term_dates(policy)
    customer = Party(entity.name, _address_lines(entity))
    gl = line == GENERAL_LIABILITY
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
            # The job's name only: its internal id means nothing to a certificate holder.
            work_job=job.name,
            site_address=job.address_text or "not given",
            window=work_window,
        ),
        holder=(
            _party(entity.certificate_holder) if entity.certificate_holder else customer
        ),
        additional_insured_window=window if gl else None,
        # The contract's parties beside the customer itself, for the window only.
        additional_insureds=(
            (customer, *(_party(p) for p in entity.additional_insureds))
            if gl and (entity.additional_insureds or entity.certificate_holder)
            else ()
        ),
        primary_non_contributory=gl and entity.primary_non_contributory,
        time_zone=str(site),
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
    zone = ZoneInfo(data.get("time_zone") or "UTC")
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
            (
                datetime.fromisoformat(window[0]).astimezone(zone),
                datetime.fromisoformat(window[1]).astimezone(zone),
            )
            if window
            else None
        ),
        additional_insureds=tuple(
            party(p) for p in data.get("additional_insureds", ())
        ),
        primary_non_contributory=data.get("primary_non_contributory", False),
        status_note=status_note,
        time_zone=str(zone),
    )


# Parts of a document that differ between two issues of the same content.
_ISSUE_FIELDS = ("number", "issued_on", "verification_url", "status_note")


# Keys later documents carry, with the value a snapshot made before them means.
_ADDED_DEFAULTS: dict[str, Any] = {
    "additional_insureds": [],
    "primary_non_contributory": False,
}


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def content(d: dict[str, Any]) -> dict[str, Any]:
        full = {**_ADDED_DEFAULTS, **d}
        return {k: v for k, v in full.items() if k not in _ISSUE_FIELDS}

    return content(a) == content(b)


def status_note(certificate: Certificate) -> str | None:
    """The VOID banner a revoked or superseded certificate's PDF carries."""
    if certificate.status == Certificate.Status.ISSUED:
        return None
    day = format_date((certificate.revoked_at or timezone.now()).astimezone(UTC).date())
    return VOID_NOTE.format(
        what=certificate.status, day=day, why=revocation_text(certificate)
    ).strip()


def revocation_text(certificate: Certificate) -> str:
    """Why the certificate is no longer in force, in a sentence or two ("" if it is)."""
    why = REVOCATION_TEXT.get(certificate.revocation_reason, "")
    if certificate.status == Certificate.Status.SUPERSEDED:
        return f"{why} {REPLACED_TEXT}".strip()
    return why


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

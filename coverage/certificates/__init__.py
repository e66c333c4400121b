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

Modules: ``content`` (the document built from a dispatch, its snapshot, URLs, wording, standing),
``lifecycle`` (issue, re-issue, revoke), ``rendering`` (the task and storage),
``reading`` (URLs per line for the API, with prefetches), ``document`` (the document itself and
its PDF, free of Django). Import from here.
"""

from __future__ import annotations

from coverage.certificates.content import (
    ASSIGNMENT_CANCELLED,
    ASSIGNMENT_DELETED,
    DISPATCH_CHANGED,
    EXPIRED,
    IN_FORCE,
    POLICY_CANCELLED,
    POLICY_CHANGED,
    POLICY_RENEWED,
    REPLACED_TEXT,
    REVOCATION_TEXT,
    REVOKED,
    SCHEDULED,
    SUPERSEDED,
    WIRE_KEYS,
    absolute,
    api_pdf_url,
    normalize_number,
    pdf_filename,
    revocation_text,
    standing,
    status_note,
    verification_url,
)
from coverage.certificates.lifecycle import (
    issue_certificates,
    issue_new_certificates,
    reissue_certificates,
    reissue_for_policy,
    revoke_for_assignment,
    revoke_for_policy,
)
from coverage.certificates.reading import (
    assignment_certificates,
    assignment_prefetch,
    assignment_urls,
    policy_certificates,
    policy_prefetch,
    wire_urls,
    with_certificate_urls,
)
from coverage.certificates.rendering import (
    DEFAULT_SWEEP_LIMIT,
    enqueue_render,
    render_now,
    render_pending_certificates,
)

__all__ = [
    "ASSIGNMENT_CANCELLED",
    "ASSIGNMENT_DELETED",
    "DEFAULT_SWEEP_LIMIT",
    "DISPATCH_CHANGED",
    "EXPIRED",
    "IN_FORCE",
    "POLICY_CANCELLED",
    "POLICY_CHANGED",
    "POLICY_RENEWED",
    "REPLACED_TEXT",
    "REVOCATION_TEXT",
    "REVOKED",
    "SCHEDULED",
    "SUPERSEDED",
    "WIRE_KEYS",
    "absolute",
    "api_pdf_url",
    "assignment_certificates",
    "assignment_prefetch",
    "assignment_urls",
    "enqueue_render",
    "issue_certificates",
    "issue_new_certificates",
    "normalize_number",
    "pdf_filename",
    "policy_certificates",
    "policy_prefetch",
    "reissue_certificates",
    "reissue_for_policy",
    "render_now",
    "render_pending_certificates",
    "revocation_text",
    "revoke_for_assignment",
    "revoke_for_policy",
    "standing",
    "status_note",
    "verification_url",
    "wire_urls",
    "with_certificate_urls",
]

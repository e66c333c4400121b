"""Rendering and storage: the PDF is made by a background task and kept in Django's
storage; downloads only ever read it."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coverage.certificates.content import document_from_json, status_note
from coverage.certificates.document import render_certificate_pdf
from coverage.models import Certificate
from portal import outbox, queues

logger = logging.getLogger(__name__)


def enqueue_render(*, certificate_id: int, force: bool = False) -> None:
    enqueue_renders(certificate_ids=[certificate_id], force=force)


def enqueue_renders(*, certificate_ids: Sequence[int], force: bool = False) -> None:
    """One task renders them all (a dispatch's certificates: one task row, not two).

    Enqueued in the writing transaction (``portal.outbox``): the task exists exactly
    when the certificates do; the sweep renders any whose task was lost.
    """
    if not certificate_ids:
        return
    if len(certificate_ids) == 1:
        outbox.enqueue(render_certificate, certificate_ids[0], force)
    else:
        outbox.enqueue(render_certificates, list(certificate_ids), force)


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


@task(queue_name=queues.RENDERS)
def render_certificate(certificate_id: int, force: bool = False) -> str:
    """Background rendering of one certificate (enqueued when it is issued or revoked)."""
    return render_now(certificate_id=certificate_id, force=force)


@task(queue_name=queues.RENDERS)
def render_certificates(certificate_ids: list[int], force: bool = False) -> list[str]:
    """Background rendering of several certificates (a dispatch's, issued together)."""
    return [render_now(certificate_id=pk, force=force) for pk in certificate_ids]


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

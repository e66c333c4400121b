"""The background queues, one per kind of work, so one kind's backlog delays no other.

- ``renders``: certificate PDFs (``coverage.certificates.rendering``), the slow, CPU-bound
  kind; a burst of dispatches or a support re-render of a whole platform piles up here.
- ``webhooks``: deliveries to platforms' endpoints (``coverage.webhooks.delivery``), which
  wait on the network and are what a platform watches for.
- ``email``: notices to contractors (``coverage.notices``), waiting on the SMTP server.
- ``default``: the rest — premium charges, renewals, upload reviews, revocations at a
  cancellation's moment, lapses of a tech's own cover. Each is short and database-bound,
  and none comes in bursts that would justify a worker of its own.

The settings' ``TASKS`` lists ``ALL`` as the backend's ``QUEUES`` (django-tasks refuses a
task on an unlisted queue) and, with the RQ backend, as ``RQ_QUEUES``. ``manage.py
db_worker --queue-name renders`` runs one queue; plain ``db_worker`` runs every queue.
"""

from __future__ import annotations

DEFAULT = "default"
RENDERS = "renders"
WEBHOOKS = "webhooks"
EMAIL = "email"

ALL: tuple[str, ...] = (DEFAULT, RENDERS, WEBHOOKS, EMAIL)

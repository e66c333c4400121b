"""/api/v1 with every operation registered: importing this module imports each resource module,
which adds its operations to ``coverage.api.site.api``; portal/urls.py mounts ``api.urls``."""

from __future__ import annotations

from coverage.api import (  # noqa: F401
    assignments,
    certificates,
    contractors,
    entities,
    events,
    invoices,
    jobs,
    payments,
    policies,
    quotes,
    uploaded_certificates,
    webhooks,
)
from coverage.api.site import api

__all__ = ["api"]

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
from portal.api import TEN99
from portal.api_edges import answer_unknown_paths

# Last, once every operation is registered: unknown paths 404 and wrong methods 405 in
# the API's own {"message", "error_code"} body, so the SDK raises its typed errors.
answer_unknown_paths(api, TEN99)

__all__ = ["api"]

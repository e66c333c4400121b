"""/api/v1: wire-compatible with the public contractor-insurance API (and its ten99policy SDK).

One module per resource adds its operations to ``api``; this package only builds the
API object and imports them.
"""

from __future__ import annotations

from portal.api import TEN99, build_api

api = build_api(
    namespace="api_v1",
    style=TEN99,
    key_kind="platform",
    title="Contractor coverage API",
    version="1",
    description="Contractors, jobs, quotes, application sessions, policies, assignments, "
    "invoices, webhooks and events for labor platforms. Authenticate with a platform key.",
)

# Each resource module registers its operations on `api` when imported.
from coverage.api import (  # noqa: E402, F401
    assignments,
    certificates,
    contractors,
    entities,
    events,
    invoices,
    jobs,
    policies,
    quotes,
    webhooks,
)

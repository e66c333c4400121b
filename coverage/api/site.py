"""The /api/v1 API object; each resource module adds its operations to ``api``.

Nothing here imports the resource modules: ``coverage.api.urls`` does, so services may use
``coverage.api.wire`` and ``coverage.api.serializers`` without loading the routers.
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

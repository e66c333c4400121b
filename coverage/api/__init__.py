"""/api/v1: wire-compatible with the public contractor-insurance API (and its ten99policy SDK).

One module per resource adds its operations to ``api``; this package only builds the
API object and imports them.
"""

from __future__ import annotations

from django.db import DataError
from django.http import HttpRequest, HttpResponse

from portal.api import TEN99, ApiError, build_api

VALUE_NOT_STORABLE = "A value in the request is out of range or contains characters that are not allowed."

api = build_api(
    namespace="api_v1",
    style=TEN99,
    key_kind="platform",
    title="Contractor coverage API",
    version="1",
    description="Contractors, jobs, quotes, application sessions, policies, assignments, "
    "invoices, webhooks and events for labor platforms. Authenticate with a platform key.",
)


@api.exception_handler(DataError)
def out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the database cannot hold (a number beyond 64 bits, a NUL character)
    # is bad input like any other, not a server error.
    return TEN99.response(ApiError(VALUE_NOT_STORABLE, code="invalid_input"), request)


# Each resource module registers its operations on `api` when imported.
from coverage.api import (  # noqa: E402, F401
    assignments,
    contractors,
    entities,
    invoices,
    jobs,
    policies,
    quotes,
)

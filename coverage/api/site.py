"""The /api/v1 API object; each resource module adds its operations to ``api``.

Nothing here imports the resource modules: ``coverage.api.urls`` does, so services may use
``coverage.api.wire`` and ``coverage.api.serializers`` without loading the routers.

Services key their refusals by model field name; the few the wire spells differently are
renamed here, once, for every operation (``WIRE_NAMES``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from portal.api import TEN99, build_api, validation_error_to_api_error

api = build_api(
    namespace="api_v1",
    style=TEN99,
    key_kind="platform",
    title="Contractor coverage API",
    version="1",
    description="Contractors, jobs, quotes, application sessions, policies, assignments, "
    "invoices, webhooks and events for labor platforms. Authenticate with a platform key.",
)

# Model field → the request field it came from, where the two differ (snake_case both).
WIRE_NAMES = {
    "lines": "coverage_type",
    "address_region": "address.region",
    "aggregate_limit": "coverage_limit.aggregate_limit",
    "occurrence_limit": "coverage_limit.occurrence_limit",
}


def wire_spelling(exc: ValidationError) -> ValidationError:
    """``exc`` with each field it names spelled as /api/v1 spells it."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {WIRE_NAMES.get(name, name): errors for name, errors in exc.error_dict.items()}
    )


# Replaces build_api's handler for this API only: the same body, wire-spelled fields.
@api.exception_handler(ValidationError)
def domain_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return TEN99.response(validation_error_to_api_error(wire_spelling(exc)), request)

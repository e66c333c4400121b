"""The two API objects and what every operation on them shares: error handling that
only this dialect needs (checksum conflicts, unknown paths, wrong methods)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Router
from ninja.operation import Operation

from policies.api.fields import apply_fields
from policies.api.include import apply_includes
from policies.services import ChecksumMismatch
from portal.api import (
    CLOUD,
    NOT_FOUND,
    ApiError,
    build_api,
    validation_error_to_api_error,
)

CHECKSUM_CONFLICT = (
    "The supplied checksum '{supplied}' does not match the current checksum "
    "'{current}' for the resource with uri '{uri}'"
)
METHOD_NOT_ALLOWED = "The method {method} is not allowed on {path}. Allowed: {allowed}."

job_api = build_api(
    namespace="job_v1",
    style=CLOUD,
    key_kind="staff",
    title="Policy administration — Job API",
    version="1",
    description=(
        "Submissions, policy changes and renewals (jobs) and their contents: locations, "
        "contacts, location named insureds, policy sections, coinsurance agreements, "
        "towers and layers, prior policies. Authenticate with a staff API key "
        "(`Authorization: Bearer …`). Jobs are named by their `pc:` id. Bodies are "
        '`{"data": {"attributes": {…}}}`; a PATCH or DELETE may carry the checksum it '
        "read (`data.checksum` or the `GW-Checksum` header) and is refused with 409 "
        "when the resource changed since."
    ),
)
policy_api = build_api(
    namespace="policy_v1",
    style=CLOUD,
    key_kind="staff",
    title="Policy administration — Policy API",
    version="1",
    description=(
        "Bound policies, their contents (read-only, except prior policies) and the "
        "transactions that start from them (change, renew, cancel). A policy is named by "
        "its `pl_` id or its policy number. Authenticate with a staff API key."
    ),
)


def router(tag: str) -> Router:
    """A router whose responses leave out empty values, as Cloud API resources do."""
    return Router(tags=[tag], exclude_none=True)


def _checksum_conflict(request: HttpRequest, exc: ChecksumMismatch) -> HttpResponse:
    message = CHECKSUM_CONFLICT.format(
        supplied=exc.supplied, current=exc.current, uri=request.path
    )
    error = ApiError(
        message,
        status=409,
        details=[
            {
                "message": message,
                "properties": {
                    "uri": request.path,
                    "currentChecksum": exc.current,
                    "suppliedChecksum": exc.supplied,
                },
            }
        ],
    )
    return CLOUD.response(error, request)


# Services key their refusals by model field name; the wire names the request
# attribute. Most are the camelCase of the field; these are not.
WIRE_NAMES = {
    "expires_at": "expirationDate",
    "sections": "policySections",
    "kind": "contactSubtype",
    "email": "emailAddress1",
    "role": "coinsuranceRole",
    "share": "coinsuranceShare",
}


def wire_name(field: str) -> str:
    """The request attribute a service's field name stands for (``our_share`` → ``ourShare``)."""
    if field in WIRE_NAMES:
        return WIRE_NAMES[field]
    head, *rest = field.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _domain_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service's ValidationError: userMessage is always text, and each detail names
    the request attribute it is about (services key errors by model field name; the
    wire spells it once, here)."""
    error = validation_error_to_api_error(exc)
    for detail in error.details:
        name = detail["properties"].get("field")
        if name and name != "__all__":
            name = wire_name(name)
            detail["properties"]["field"] = f"data.attributes.{name}"
        else:
            detail["properties"].pop("field", None)
    if not isinstance(error.message, str):
        error.message = " ".join(d["message"] for d in error.details)
    return CLOUD.response(error, request)


def _method_not_allowed(request: HttpRequest, allowed: set[str]) -> HttpResponse:
    message = METHOD_NOT_ALLOWED.format(
        method=request.method, path=request.path, allowed=", ".join(sorted(allowed))
    )
    response = JsonResponse(
        {
            "status": 405,
            "errorCode": "gw.api.rest.exceptions.MethodNotAllowedException",
            "userMessage": message,
            "details": [],
        },
        status=405,
    )
    response["Allow"] = ", ".join(sorted(allowed))
    return response


def finish(api: NinjaAPI) -> None:
    """Wire what must come after every operation is registered.

    Unknown paths under the API answer 404 in its format (a catch-all route, added
    last so it matches only what nothing else does), and a method a path does not
    support answers 405 in its format instead of ninja's plain-text one.
    """
    catch_all = Router()

    @catch_all.api_operation(
        ["GET", "POST", "PATCH", "PUT", "DELETE"],
        "/{path:rest}",
        include_in_schema=False,
    )
    def unknown_path(request: HttpRequest, rest: str) -> Any:
        raise ApiError(NOT_FOUND, status=404)

    api.add_router("", catch_all)
    api.get_openapi_operation_id = _published_operation_id  # type: ignore[method-assign]  # per-API, not per-class
    # The decorator form, as portal.api registers its handlers: add_exception_handler's
    # ExcHandler annotation offers the handler the class too, which ninja never passes.
    api.exception_handler(ValidationError)(_domain_error)
    api.exception_handler(ChecksumMismatch)(_checksum_conflict)

    # ninja clones each router's path views when it binds them to the API; the
    # bound clones are the views Django calls, so those are the ones to adjust.
    # (Private API: tests/policies/test_api_conventions.py notices if it changes.)
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            _answer_wrong_methods(path_view)


# Operations whose module moved after the API was published: their OpenAPI
# operationId ("<module>_<function>", ninja's default) stays what clients know.
PUBLISHED_MODULES = {
    "policies.api.agreement_sections": "policies.api.agreements",
    "policies.api.coinsurance_parties": "policies.api.parties",
    "policies.api.contacts": "policies.api.locations",
    "policies.api.layers": "policies.api.towers",
    "policies.api.policies": "policies.api.jobs",
    "policies.api.reference": "policies.api.jobs",
}


def _published_operation_id(operation: Operation) -> str:
    view = operation.view_func
    module = PUBLISHED_MODULES.get(view.__module__, view.__module__)
    return f"{module}_{view.__name__}".replace(".", "_")


def _answer_wrong_methods(path_view: Any) -> None:
    allowed = {m for op in path_view.operations for m in op.methods}
    run = path_view._sync_view

    def sync_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if path_view._find_operation(request) is None:
            return _method_not_allowed(request, allowed)
        response = apply_fields(request, run(request, *args, **kwargs))
        return apply_includes(request, response)

    path_view._sync_view = sync_view

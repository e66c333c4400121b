"""Optional error reporting to Sentry: on only when ``SENTRY_DSN`` is set.

``configure`` (called from settings) starts sentry-sdk with its Django integration,
``SENTRY_ENVIRONMENT``, ``SENTRY_RELEASE`` and ``SENTRY_TRACES_SAMPLE_RATE`` (0:
errors only). What leaves for Sentry is kept to what debugging needs:

- ``send_default_pii`` off: no user, no client address, no cookies; the SDK's own
  scrubber removes ``Authorization``, cookies, tokens and passwords by name, here
  also tax ids (``tax_identification`` …), recursively;
- no local variables in stack frames: a frame can hold a parsed body or a raw API
  key under any name, and the scrubber judges names, not values;
- ``scrub_event`` then blanks every string that looks like one of our API keys or a
  tax id (SSN / EIN shapes), wherever it is, and a hosted page's ``<token>`` in the URL.

Each event is tagged with the request id (the ``request-id`` header the caller got)
and, in a background task, the task id: support finds the report from either.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from portal.log_redaction import FILTERED, redacted_path
from portal.request_ids import current_request_id, current_task_id

if TYPE_CHECKING:
    # The SDK's own name for an event (a TypedDict); handled here as plain JSON.
    from sentry_sdk._types import Event

# Field names that hold tax ids, as the API, the forms and the models spell them.
TAX_ID_FIELDS = [
    "tax_identification",
    "tax_id",
    "taxIdentification",
    "ssn",
    "ein",
    "tin",
]
# Values: an API key (dcp_sk_live_…), a webhook signing secret, an SSN or EIN with
# or without dashes. The same shapes in a message or a URL are blanked too.
SECRET_VALUES = re.compile(
    r"\b[a-z0-9]+_sk_(?:test|live)_[A-Za-z0-9]+"
    r"|\bwhsec_[A-Za-z0-9]+"
    r"|\b\d{3}-\d{2}-\d{4}\b|\b\d{2}-\d{7}\b|\b\d{9}\b"
)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return SECRET_VALUES.sub(FILTERED, value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def scrub_event(sent: Event, hint: dict[str, Any]) -> Event:
    """before_send: tag the request (and task) id, blank secrets wherever they are."""
    event = cast(dict[str, Any], sent)
    tags = event.setdefault("tags", {})
    request_id = current_request_id()
    if request_id != "-":
        tags["request_id"] = request_id
    task_id = current_task_id()
    if task_id:
        tags["task_id"] = task_id
    request = event.get("request")
    if isinstance(request, dict) and isinstance(request.get("url"), str):
        scheme, sep, rest = request["url"].partition("://")
        host, slash, path = rest.partition("/")
        if sep and slash:
            try:
                path = redacted_path("/" + path)
            except Exception:  # noqa: BLE001 (a report must still go, without the path)
                path = "/" + FILTERED
            request["url"] = f"{scheme}://{host}{path}"
    return cast("Event", _scrub(event))


def configure(
    *, dsn: str, environment: str, release: str, traces_sample_rate: float
) -> bool:
    """Start sentry-sdk when ``dsn`` is set; whether it did."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        include_local_variables=False,
        event_scrubber=EventScrubber(
            denylist=DEFAULT_DENYLIST + TAX_ID_FIELDS, recursive=True
        ),
        integrations=[DjangoIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
    return True

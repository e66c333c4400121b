"""Webhook endpoints: a platform's URLs and the events each subscribes to (create, change,
delete), each with its signing secret."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from coverage.models import Delivery, WebhookEndpoint
from coverage.models.base import max_length_of
from coverage.webhooks import targets
from coverage.webhooks.payloads import EVENT_TYPES
from coverage.webhooks.signing import new_secret
from portal.models import Platform

# Messages users see (asserted exactly in tests).
URL_REQUIRED = "url is required."
URL_INVALID = "url must be an absolute http:// or https:// URL."
URL_TOO_LONG = "url must be at most 2000 characters."
DESCRIPTION_TOO_LONG = "description must be at most 500 characters."
DESCRIPTION_HAS_NUL = "description must not contain NUL characters."
UNKNOWN_EVENT_TYPE = 'Unknown event type: {type}. Use "*" for every event.'
EVENT_TYPE_NOT_TEXT = "events must be a list of event type names."

_URL_MAX_LENGTH = max_length_of(WebhookEndpoint, "url")
_DESCRIPTION_MAX_LENGTH = max_length_of(WebhookEndpoint, "description")
_validate_http_url = URLValidator(schemes=["http", "https"])


def _clean_url(url: str | None) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError(URL_REQUIRED, code="invalid_input")
    if len(url) > _URL_MAX_LENGTH:
        raise ValidationError(URL_TOO_LONG, code="invalid_input")
    # The address check comes first so that http://2130706433/ is refused for
    # what it is (loopback), not as a malformed URL.
    try:
        targets.check_url(url)
    except targets.UnsafeTarget as exc:
        raise ValidationError(str(exc), code="invalid_input") from None
    except ValueError:
        raise ValidationError(URL_INVALID, code="invalid_input") from None
    try:
        _validate_http_url(url)
    except ValidationError:
        raise ValidationError(URL_INVALID, code="invalid_input") from None
    return url


def _clean_events(events: list[str] | None) -> list[str]:
    """Subscribed types without repeats; none at all (or "*") means every event."""
    chosen: list[str] = []
    for name in events or []:
        if not isinstance(name, str):
            raise ValidationError(EVENT_TYPE_NOT_TEXT, code="invalid_input")
        if name != WebhookEndpoint.ALL_EVENTS and name not in EVENT_TYPES:
            raise ValidationError(
                UNKNOWN_EVENT_TYPE.format(type=name), code="invalid_input"
            )
        if name not in chosen:
            chosen.append(name)
    if not chosen or WebhookEndpoint.ALL_EVENTS in chosen:
        return [WebhookEndpoint.ALL_EVENTS]
    return chosen


def _clean_description(description: str | None) -> str:
    description = description or ""
    if len(description) > _DESCRIPTION_MAX_LENGTH:
        raise ValidationError(DESCRIPTION_TOO_LONG, code="invalid_input")
    if "\x00" in description:
        # PostgreSQL text cannot hold it; refusing here keeps it a 400, not a 500.
        raise ValidationError(DESCRIPTION_HAS_NUL, code="invalid_input")
    return description


# Each takes the field's value as sent (any JSON) and returns it cleaned.
_CLEANERS: dict[str, Callable[[Any], object]] = {
    "url": _clean_url,
    "description": _clean_description,
    "events": _clean_events,
}


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    """Every given field cleaned, or one ValidationError naming each bad field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, ValidationError] = {}
    for name, value in values.items():
        try:
            cleaned[name] = _CLEANERS[name](value)
        except ValidationError as exc:
            errors[name] = exc
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def create_endpoint(
    *,
    platform: Platform,
    url: str | None,
    description: str | None = None,
    events: list[str] | None = None,
) -> WebhookEndpoint:
    fields = _cleaned({"url": url, "description": description, "events": events})
    return WebhookEndpoint.objects.create(
        platform=platform, secret=new_secret(), **fields
    )


@transaction.atomic
def update_endpoint(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    description: str | None = None,
    events: list[str] | None = None,
) -> WebhookEndpoint:
    """Change only what is given (None leaves a field as it is), as the API's PUT does."""
    given = {
        name: value
        for name, value in (
            ("url", url),
            ("description", description),
            ("events", events),
        )
        if value is not None
    }
    for name, value in _cleaned(given).items():
        setattr(endpoint, name, value)
    if given:
        # Only the fields in the request: a concurrent change to another field stays.
        endpoint.save(update_fields=list(given))
    return endpoint


@transaction.atomic
def delete_endpoint(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop deliveries to the endpoint; the row stays for the delivery history."""
    now = timezone.now()
    endpoint.deleted_at = now
    endpoint.save(update_fields=["deleted_at"])
    Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED, next_attempt_at=None, completed_at=now
    )
    return endpoint

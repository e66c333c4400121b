"""What a JSON API accepts as a request body, judged once, before any view reads it.

Every write route of the three APIs takes JSON (uploads take multipart). A body under
any other Content-Type is refused with 415, and a JSON body that cannot become text the
database stores is refused with 400 here, so no route has to remember it: a lone UTF-16
surrogate (``"\\ud800"`` is valid JSON but not Unicode text, and psycopg cannot encode
it), bytes that are not UTF-8, ``NaN`` / ``Infinity`` (not JSON at all), and nesting
deep enough to exhaust the parser's stack. Malformed JSON is left to the API itself,
which answers it in its own words.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest

from portal.api import ApiError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_ONLY = (
    "Send the request body as JSON, with the header Content-Type: application/json "
    "(got {content_type})."
)
NOT_UTF8 = "The request body is not UTF-8 encoded JSON."
LONE_SURROGATE = (
    "{where} contains a lone UTF-16 surrogate (\\u{code:04x}), which is not valid "
    "Unicode text."
)
NOT_A_NUMBER = "{constant} is not a JSON number."
TOO_DEEP = "The request body is nested more than {depth} levels deep."
MAX_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")


def body_refusal(request: HttpRequest) -> ApiError | None:
    """Why the API refuses this request's body before routing it, or None."""
    if request.method not in WRITE_METHODS:
        return None
    content_type = (request.content_type or "").lower()
    if content_type == "multipart/form-data":
        # Upload routes stream and cap it themselves (so the body is not read here);
        # a JSON route fails to read it as JSON (400).
        return None
    body = request.body
    if not body.strip():
        return None
    if not _is_json_type(content_type):
        return ApiError(
            JSON_ONLY.format(content_type=content_type or "no Content-Type"),
            status=415,
            code="invalid_input",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return ApiError(NOT_UTF8, code="invalid_input")
    try:
        parsed = json.loads(text, parse_constant=_refuse_constant)
    except _NotANumber as exc:
        return ApiError(NOT_A_NUMBER.format(constant=exc.args[0]), code="invalid_input")
    except RecursionError:
        return ApiError(TOO_DEEP.format(depth=MAX_DEPTH), code="invalid_input")
    except ValueError:
        return None  # malformed: the API answers it
    return _content_refusal(parsed)


def _is_json_type(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


class _NotANumber(ValueError):
    pass


def _refuse_constant(constant: str) -> Any:
    raise _NotANumber(constant)


def _content_refusal(parsed: Any) -> ApiError | None:
    # Iterative, so a deep body costs no stack; every key and string is looked at once.
    stack: list[tuple[Any, str, int]] = [(parsed, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return ApiError(TOO_DEEP.format(depth=MAX_DEPTH), code="invalid_input")
        if isinstance(value, str):
            found = _SURROGATE.search(value)
            if found:
                return _surrogate_error(path, found.group())
        elif isinstance(value, dict):
            for key, item in value.items():
                found = _SURROGATE.search(key)
                if found:
                    return _surrogate_error(path or "The request body", found.group())
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((item, f"{path}[{index}]", depth + 1))
    return None


def _surrogate_error(path: str, char: str) -> ApiError:
    where = f"The field '{path}'" if path else "The request body"
    return ApiError(
        LONE_SURROGATE.format(where=where, code=ord(char)), code="invalid_input"
    )

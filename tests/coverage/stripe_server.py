"""A local HTTP server on 127.0.0.1 answering the Stripe endpoints the adapter calls.

Response and error bodies follow Stripe's API reference (PaymentIntent, SetupIntent,
PaymentMethod, Refund, the ``error`` object with ``type``/``code``/``decline_code``/
``message``/``payment_intent``). Test payment methods behave as in Stripe's test mode:
``pm_card_visa`` succeeds, ``pm_card_visa_chargeDeclined`` is declined,
``pm_card_chargeDeclinedInsufficientFunds`` lacks funds,
``pm_card_authenticationRequired`` needs the holder. ``fail_next`` answers that many
POST /v1/payment_intents with a 500 first (the library must retry). Replays by
Idempotency-Key return the first response, as Stripe does.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY = "sk_test_local"

DECLINES = {
    "pm_card_visa_chargeDeclined": (
        "card_declined",
        "generic_decline",
        "Your card was declined.",
    ),
    "pm_card_chargeDeclinedInsufficientFunds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "pm_card_authenticationRequired": (
        "authentication_required",
        "authentication_required",
        "Your card was declined. This transaction requires authentication.",
    ),
}


class StripeState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, dict[str, Any], str | None]] = []
        self.replays: dict[str, tuple[int, dict[str, Any]]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.setup_intents: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self.fail_next = 0

    def charges(self) -> list[dict[str, Any]]:
        return [pi for pi in self.intents.values() if pi["status"] == "succeeded"]


def _payment_intent(params: dict[str, Any], status: str) -> dict[str, Any]:
    return {
        "id": f"pi_{secrets.token_hex(12)}",
        "object": "payment_intent",
        "amount": int(params["amount"]),
        "amount_received": int(params["amount"]) if status == "succeeded" else 0,
        "currency": params.get("currency", "usd"),
        "customer": params.get("customer"),
        "payment_method": params.get("payment_method"),
        "description": params.get("description"),
        "status": status,
        "livemode": False,
        "created": 1700000000,
    }


def _payment_method(pm: str) -> dict[str, Any]:
    return {
        "id": pm,
        "object": "payment_method",
        "type": "card",
        "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2034},
    }


class Handler(BaseHTTPRequestHandler):
    state: StripeState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _params(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        query = (
            self.rfile.read(length).decode() if length else urlsplit(self.path).query
        )
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(query).items()}

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        state = self.state
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            self._send(
                401,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": "Invalid API Key provided",
                    }
                },
            )
            return
        path = urlsplit(self.path).path
        params = self._params()
        key = self.headers.get("Idempotency-Key")
        with state.lock:
            state.requests.append((method, path, params, key))
            if method == "POST" and key and key in state.replays:
                status, body = state.replays[key]
                self._send(status, body, {"Idempotent-Replayed": "true"})
                return
            status, body, headers = self._route(method, path, params)
            if method == "POST" and key and status < 500:
                state.replays[key] = (status, body)
        self._send(status, body, headers)

    def _route(
        self, method: str, path: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        state = self.state
        if (method, path) == ("POST", "/v1/customers"):
            return (
                200,
                {
                    "id": f"cus_{secrets.token_hex(7)}",
                    "object": "customer",
                    "email": params.get("email"),
                },
                {},
            )
        if (method, path) == ("POST", "/v1/setup_intents"):
            intent = {
                "id": f"seti_{secrets.token_hex(12)}",
                "object": "setup_intent",
                "customer": params["customer"],
                "usage": params.get("usage"),
                "status": "requires_payment_method",
                "payment_method": None,
            }
            intent["client_secret"] = f"{intent['id']}_secret_{secrets.token_hex(8)}"
            state.setup_intents[intent["id"]] = intent
            return 200, intent, {}
        if method == "GET" and path.startswith("/v1/setup_intents/"):
            intent = state.setup_intents.get(path.rsplit("/", 1)[1])
            if intent is None:
                return (
                    404,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "resource_missing",
                            "message": "No such setupintent",
                        }
                    },
                    {},
                )
            body = dict(intent)
            if body["payment_method"] and "payment_method" in str(
                params.get("expand[0]", "")
            ):
                body["payment_method"] = _payment_method(body["payment_method"])
            return 200, body, {}
        if (method, path) == ("POST", "/v1/payment_intents"):
            if state.fail_next:
                state.fail_next -= 1
                return (
                    500,
                    {
                        "error": {
                            "type": "api_error",
                            "message": "An unknown error occurred",
                        }
                    },
                    {},
                )
            pm = params["payment_method"]
            if pm in DECLINES:
                code, decline, message = DECLINES[pm]
                intent = _payment_intent(params, "requires_payment_method")
                state.intents[intent["id"]] = intent
                return (
                    402,
                    {
                        "error": {
                            "type": "card_error",
                            "code": code,
                            "decline_code": decline,
                            "message": message,
                            "doc_url": f"https://stripe.com/docs/error-codes/{code}",
                            "payment_intent": intent,
                        }
                    },
                    {},
                )
            intent = _payment_intent(params, "succeeded")
            state.intents[intent["id"]] = intent
            return 200, intent, {}
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            intent = state.intents.get(path.rsplit("/", 1)[1])
            if intent is None:
                return (
                    404,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "resource_missing",
                            "message": "No such payment_intent",
                        }
                    },
                    {},
                )
            return 200, intent, {}
        if (method, path) == ("POST", "/v1/refunds"):
            refund = {
                "id": f"re_{secrets.token_hex(12)}",
                "object": "refund",
                "amount": int(params["amount"]),
                "payment_intent": params["payment_intent"],
                "status": "succeeded",
            }
            state.refunds.append(refund)
            return 200, refund, {}
        return (
            404,
            {
                "error": {
                    "type": "invalid_request_error",
                    "message": f"Unrecognized request URL ({method}: {path})",
                }
            },
            {},
        )


def confirm_setup(
    state: StripeState, setup_intent_id: str, payment_method: str
) -> None:
    """What Stripe.js does on the hosted page: the holder confirms the SetupIntent."""
    with state.lock:
        intent = state.setup_intents[setup_intent_id]
        intent["status"] = "succeeded"
        intent["payment_method"] = payment_method


@contextmanager
def stripe_server() -> Iterator[tuple[StripeState, str]]:
    state = StripeState()
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

"""A real HTTP receiver on 127.0.0.1 for webhook tests: records what arrives, answers as told."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import override_settings


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    at: float  # time.monotonic() on arrival


@dataclass
class Receiver:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    # Statuses to answer with, one per request in order; 200 once they run out.
    statuses: list[int] = field(default_factory=list)
    # Sent as Location with a 3xx status.
    location: str = ""
    delay_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 200

    def record(self, received: Received) -> None:
        with self.lock:
            self.requests.append(received)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.record(
                Received(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    at=time.monotonic(),
                )
            )
            if receiver.delay_seconds:
                time.sleep(receiver.delay_seconds)
            status = receiver.next_status()
            reply = b'{"received": true}' if status < 300 else b"receiver says no"
            try:
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender timed out and hung up first

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


# The receivers run on this machine, as a self-hosted installation's own receiver
# would on its network: the setting made for that lets deliveries reach them.
def local_receivers() -> override_settings:
    return override_settings(WEBHOOK_ALLOWED_INTERNAL_HOSTS=["127.0.0.1"])


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    with local_receivers(), serving() as receiver:
        yield receiver


@contextmanager
def serving() -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 without listing it as an allowed internal host."""
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/coverage"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connecting is refused.

    Register it inside ``with local_receivers():`` (or list 127.0.0.1 in the
    setting), or it is refused as a loopback address before any connection.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"

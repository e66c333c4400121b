"""The portal's public address when ``DJANGO_BASE_URL`` is not set.

Certificates print their verification URL (and QR code) on it, and the API's links use
it, where no request is at hand. Unset, it follows how the development server was
started (``manage.py runserver 127.0.0.1:8731``), so a demo on another port links to
itself; ``make run`` passes the same address to the background worker.
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = "8000"


def from_command_line(argv: Sequence[str]) -> str:
    """``http://host:port`` of a ``runserver`` in ``argv``; the default address otherwise."""
    host, port = DEFAULT_HOST, DEFAULT_PORT
    if "runserver" in argv:
        after = [
            a for a in argv[argv.index("runserver") + 1 :] if not a.startswith("-")
        ]
        if after:
            address = after[0]
            if address.startswith("["):  # an IPv6 address, [::1]:8731
                head, _, tail = address.rpartition(":")
                host, port = (head, tail) if head.endswith("]") else (address, port)
            elif ":" in address:
                host, port = address.rsplit(":", 1)
            elif address.isdigit():
                port = address
            else:
                host = address
        if host in ("0.0.0.0", "0", "[::]", ""):
            # Listening everywhere: this machine's own name is the one sure address.
            host = DEFAULT_HOST
    return f"http://{host}:{port}"

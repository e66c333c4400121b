"""Where a webhook may be sent: public addresses only, checked twice (SSRF).

A platform names a URL and our worker POSTs signed events there and shows the
answer in the admin, so a URL pointing inside our network (the database, the
cloud's metadata service, a neighbour's admin port) would make us an open door.

- At registration, ``check_url`` refuses credentials in the URL and any host that
  is, or resolves now to, a loopback, private, link-local, multicast, reserved or
  unspecified address, in IPv4 or IPv6, including IPv4-mapped IPv6 and the legacy
  IPv4 spellings the C resolver still accepts (``2130706433``, ``0177.0.0.1``,
  ``0x7f.1``, ``127.1``).
- At connect time, ``resolve`` looks the name up once, checks every address it got
  and hands back the one to connect to; ``pinned_connection`` connects to that IP
  while sending the name as Host header and TLS server name. A name that resolved
  to a public address at registration and to 127.0.0.1 now (DNS rebinding) is
  refused, and nothing can re-resolve it between the check and the connection.

``WEBHOOK_ALLOWED_INTERNAL_HOSTS`` lists hosts (names or addresses, as written in
the URL) a self-hosted installation trusts to receive events on its own network;
they skip the address check only, never the credentials check.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# Messages users see (asserted exactly in tests).
CREDENTIALS_IN_URL = "url must not contain a user name or password."
INTERNAL_ADDRESS = "url must point to a public address; {host} is {kind} ({address})."
NOT_RESOLVED = "Could not resolve {host}: {reason}"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class UnsafeTarget(ValueError):
    """The URL may not be delivered to; the message says why, for the user."""


def _allowed_internally(host: str) -> bool:
    listed = getattr(settings, "WEBHOOK_ALLOWED_INTERNAL_HOSTS", ())
    return host.lower() in {name.lower().strip("[]") for name in listed}


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as a number stands for, however it is spelled."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        # inet_aton is what the C resolver (and so getaddrinfo) applies to numeric
        # hosts: it takes decimal, octal and hex parts and short forms.
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def effective_address(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one reaches (mapped, 6to4, NAT64), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            # 64:ff9b::/96 reaches the IPv4 address in its last 32 bits.
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return embedded
    return address


def internal_kind(address: IPAddress) -> str | None:
    """Why ``address`` (already effective) is not a public one, or None when it is."""
    checks = (
        ("unspecified", address.is_unspecified),
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
        # Shared (carrier-grade NAT) space and the rest of what is not routed on
        # the internet.
        ("not a public address", not address.is_global),
    )
    for kind, applies in checks:
        if applies:
            return kind
    return None


def _check_address(*, host: str, address: IPAddress) -> None:
    address = effective_address(address)
    kind = internal_kind(address)
    if kind is not None:
        raise UnsafeTarget(
            INTERNAL_ADDRESS.format(host=host, kind=kind, address=address)
        )


def _lookup(*, host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Scope ids (fe80::1%eth0) are dropped: such an address is link-local anyway.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget(CREDENTIALS_IN_URL)
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget(str(exc)) from None
    return host, port


def check_url(url: str) -> None:
    """Refuse, at registration, a URL that is plainly not a public receiver.

    A name that does not resolve yet is let through (DNS may come later); the
    check at connect time stops it if it then points inside.
    """
    host, port = _host_and_port(url)
    if not host or _allowed_internally(host):
        return
    address = literal_address(host)
    if address is not None:
        _check_address(host=host, address=address)
        return
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        _check_address(host=host, address=ipaddress.ip_address("127.0.0.1"))
    try:
        addresses = _lookup(host=host, port=port)
    except (OSError, UnicodeError):
        return
    for resolved in addresses:
        _check_address(host=host, address=resolved)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def resolve(url: str) -> Target:
    """Resolve once, check every address, and return the one to connect to."""
    host, port = _host_and_port(url)
    parts = urlsplit(url)
    try:
        addresses = _lookup(host=host, port=port)
    except (OSError, UnicodeError) as exc:
        raise UnsafeTarget(NOT_RESOLVED.format(host=host, reason=exc)) from None
    if not _allowed_internally(host):
        for address in addresses:
            _check_address(host=host, address=address)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        scheme=parts.scheme,
        host=host,
        port=port,
        address=str(addresses[0]),
        path=path,
    )


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, *, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        # The checked address, not a second lookup of self.host.
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = http.client.HTTPS_PORT

    def __init__(self, target: Target, *, timeout: float) -> None:
        super().__init__(target, timeout=timeout)
        self._context = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        # Certificate checked against the name in the URL (SNI too), as a browser would.
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


def pinned_connection(target: Target, *, timeout: float) -> http.client.HTTPConnection:
    """A connection to the checked address that speaks to the URL's host."""
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target, timeout=timeout)
    return _PinnedHTTPConnection(target, timeout=timeout)

"""Which webhook URLs are allowed: https only, and never an address inside our own network.

A subscriber URL is fetched by the server, so an unchecked one would let any admin token make the
server call loopback, private, link-local (cloud metadata at 169.254.169.254) or reserved addresses
(SSRF). The host is resolved and *every* address it resolves to must be public. This is checked when a
subscription is saved and again before every delivery (DNS answers change), and redirects are never
followed. ``allow_private`` (settings ``webhook_allow_private``, refused in production) lifts both rules
for tests with a local receiver.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from app.errors import FieldProblem

Resolver = Callable[[str, int], list[str]]
MAX_URL_LENGTH = 2000


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def address_kind(address: str) -> str | None:
    """The kind of a non-public IP address ("loopback", "private", ...), or None for a public one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for flag, kind in (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "non-public"),
    ):
        if flag:
            return kind
    return None


def check(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> list[FieldProblem]:
    """The problems of a subscriber URL (empty when it may be used), located at field ``url``."""
    return destination(url, allow_private=allow_private, resolver=resolver)[0]


def destination(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> tuple[list[FieldProblem], list[str]]:
    """The problems of a URL and, when it may be called, the checked addresses to connect to (none are
    resolved when ``allow_private`` is on: the HTTP client then resolves the name itself)."""

    def problem(message: str, code: str) -> tuple[list[FieldProblem], list[str]]:
        return [FieldProblem("url", message, code)], []

    if len(url) > MAX_URL_LENGTH:
        return problem(f"at most {MAX_URL_LENGTH} characters", "too_long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return problem(f"not a valid URL: {exc}", "url_parsing")
    if port == 0:  # no server listens there; ``port or 443`` below would quietly call 443 instead
        return problem("not a valid URL: port 0 cannot be connected to", "url_parsing")
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        return problem("the URL must start with https://", "https_required")
    if not parts.hostname:
        return problem("the URL has no host", "url_parsing")
    if parts.username is not None or parts.password is not None:
        return problem("put no user name or password in the URL; deliveries are signed instead", "credentials")
    if parts.fragment:
        return problem("a URL fragment (#…) is never sent; remove it", "fragment")
    if allow_private:
        return [], []
    try:
        addresses = resolver(parts.hostname, port or 443)
    except (OSError, UnicodeError) as exc:
        return problem(f"the host {parts.hostname!r} cannot be resolved ({exc})", "unresolvable")
    if not addresses:
        return problem(f"the host {parts.hostname!r} has no addresses", "unresolvable")
    for address in addresses:
        kind = address_kind(address)
        if kind:
            return problem(
                f"the host {parts.hostname!r} resolves to {address} ({kind} address); "
                "webhooks are delivered to public addresses only",
                "private_address",
            )
    return [], addresses


def pinned(url: str, address: str) -> tuple[str, str, str]:
    """The URL with its host replaced by the checked address, plus the Host header and TLS server name.

    Connecting to the address that was checked (instead of letting the HTTP client resolve the name a
    second time) closes the gap a DNS answer changing between check and connect would open; the
    certificate is still verified against the host name.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").encode("idna").decode("ascii")
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl(), host_header, host

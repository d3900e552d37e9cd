"""Which webhook targets we may call: http(s) only, and never internal addresses unless allowed.

Checked twice: when a subscription is saved (literal IPs and what the host resolves to then) and
just before every delivery, on the addresses actually connected to, so that a name which later
resolves to an internal address (DNS rebinding) is refused as well.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Ranges Python's ``is_private`` flags do not all cover (shared address space, 6to4 relays...).
_EXTRA_BLOCKED = [
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.ip_network("198.18.0.0/15"),  # benchmarking
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64 to an IPv4 that could be internal
    ipaddress.ip_network("64:ff9b:1::/48"),
]


class TargetRefusedError(ValueError):
    """The URL may not be called; ``reason`` says why in words an operator understands."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def blocked_reason(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address, or ``None`` when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            reason = blocked_reason(mapped)
            return f"{reason} (inside the IPv6 address {address})" if reason else None
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("reserved", any(address in net for net in _EXTRA_BLOCKED)),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    )
    for name, hit in checks:
        if hit:
            return f"{address} is a {name} address"
    return None


def parse_target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL; raises :class:`TargetRefusedError` otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefusedError(url, f"not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TargetRefusedError(url, "only http and https URLs are allowed")
    host = parts.hostname
    if not host:
        raise TargetRefusedError(url, "the URL has no host")
    if parts.username or parts.password:
        raise TargetRefusedError(
            url, "credentials in the URL are not allowed; sign with the secret"
        )
    return scheme, host, port or (443 if scheme == "https" else 80)


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to now (a literal IP resolves to itself)."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetRefusedError(host, f"the host does not resolve ({exc})") from exc
    found: list[IPAddress] = []
    for info in infos:
        address = literal_address(str(info[4][0]))
        if address is not None and address not in found:
            found.append(address)
    if not found:
        raise TargetRefusedError(host, "the host resolves to no address")
    return found


def check_addresses(url: str, addresses: Sequence[IPAddress]) -> None:
    for address in addresses:
        reason = blocked_reason(address)
        if reason is not None:
            raise TargetRefusedError(url, f"it resolves to {reason}")


async def check_target(url: str, *, allow_private: bool) -> list[IPAddress]:
    """Validate ``url`` and return what it resolves to; refuse internal targets unless allowed.

    Every resolved address must be public: a name with one public and one internal address is
    refused, since the connection could go to either.
    """
    _scheme, host, port = parse_target(url)
    if allow_private:
        return []
    literal = literal_address(host)
    if literal is not None:
        check_addresses(url, [literal])
        return [literal]
    addresses = await resolve(host, port)
    check_addresses(url, addresses)
    return addresses

"""The SSRF guard: which addresses may be connected to, enforced in the network backend.

The host is resolved (the ``resolve`` map first, else DNS) and refused with
``private-address`` when any address is loopback, private, link-local, multicast, reserved
or a cloud metadata address, unless ``allow_private``. ``AddressGuard`` holds the rule; the
fetcher's aiohttp connector (``GuardedConnector``) asks it for the addresses of every
connection it opens - names *and* IP literals, the start URL *and* every redirect hop - and
connects to the address that was checked (no DNS-rebinding window). The same guard carries
the host map (``--resolve``) and serves the browser's guard (``crawler.browser.guard``).

One job: resolve and refuse. May import the standard library, aiohttp and ``.config``;
nothing else of govscan. (The negative DNS cache and the per-port circuit breaker are the
fetcher's memory of past failures and live in ``.fetcher``.)
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import aiohttp

from .config import FetchConfig


# --- errors raised inside the network backend ---------------------------------------------

class PrivateAddressError(Exception):
    """The host resolves to an address the SSRF guard refuses."""


class DNSError(Exception):
    """The host name does not resolve."""


METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"),
                      ipaddress.ip_address("fd00:ec2::254"),
                      ipaddress.ip_address("100.100.100.200")}


def is_public_address(ip: str) -> bool:
    """An address is public when it is none of: loopback, private (RFC 1918, ULA),
    link-local, multicast, reserved, unspecified, shared (CGNAT) or a cloud metadata
    address. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr in METADATA_ADDRESSES:
        return False
    if (addr.is_loopback or addr.is_private or addr.is_link_local or addr.is_multicast
            or addr.is_reserved or addr.is_unspecified):
        return False
    if isinstance(addr, ipaddress.IPv4Address) and addr in ipaddress.ip_network("100.64.0.0/10"):
        return False
    return addr.is_global


class AddressGuard:
    """Resolve through the map or DNS, refuse non-public addresses (unless allowed)."""

    def __init__(self, config: FetchConfig):
        self.config = config

    async def resolve(self, host: str, port: int) -> list[str]:
        host = host.strip("[]").lower()
        mapped = self.config.resolve.get(host)
        if mapped:
            return [mapped]
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise DNSError(f"{host}: {exc}") from exc
        out: list[str] = []
        for info in infos:
            ip = info[4][0]
            if ip not in out:
                out.append(ip)
        if not out:
            raise DNSError(f"{host}: no address")
        return out

    async def checked_addresses(self, host: str, port: int) -> list[str]:
        """``resolve``, then the guard: ``PrivateAddressError`` when any address is not
        public (unless ``allow_private``). Every connection the fetcher opens goes to one of
        these addresses."""
        ips = await self.resolve(host, port)
        if not self.config.allow_private:
            bad = [ip for ip in ips if not is_public_address(ip)]
            if bad:
                raise PrivateAddressError(f"{host} resolves to {', '.join(bad)}")
        return ips


class GuardedConnector(aiohttp.TCPConnector):
    """aiohttp's connector with every address it connects to taken from ``AddressGuard``:
    aiohttp resolves IP literals itself without asking a resolver, so the guard sits at
    the connector's one resolution step (``_resolve_host``, aiohttp 3.13-3.14; the SSRF
    tests of ``tests/test_fetch.py`` fail if a new aiohttp moves it). No DNS cache: each new
    connection is checked again (connections are kept alive, so that is a few per host).
    TLS is started by aiohttp with the URL's host name as SNI, so certificates are checked
    against the name, not the address."""

    def __init__(self, guard: AddressGuard, **kw):
        super().__init__(use_dns_cache=False, **kw)
        self._guard = guard

    async def _resolve_host(self, host: str, port: int, traces=None) -> list[dict]:
        ips = await self._guard.checked_addresses(host, port)
        return [{"hostname": host, "host": ip, "port": port,
                 "family": socket.AF_INET6 if ":" in ip else socket.AF_INET,
                 "proto": 0, "flags": 0} for ip in ips]

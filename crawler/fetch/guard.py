"""The SSRF guard: which addresses may be connected to, enforced in the network backend.

The host is resolved (the ``resolve`` map first, else DNS) and refused with
``private-address`` when any address is loopback, private, link-local, multicast, reserved
or a cloud metadata address, unless ``allow_private``. The check lives in the httpcore
network backend (``GuardedBackend``), so it covers the start URL *and* every redirect hop,
and the connection goes to the address that was checked (no DNS-rebinding window). The same
backend carries the host map (``--resolve``).

One job: resolve and refuse. May import the standard library, httpcore and ``.config``;
nothing else of govscan. (The negative DNS cache and the per-port circuit breaker are the
fetcher's memory of past failures and live in ``.fetcher``.)
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpcore

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


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend: resolve through the map or DNS, refuse non-public
    addresses (unless allowed), connect to the checked address. TLS is started later by
    httpcore with the URL's host name as SNI, so certificates are checked against the name."""

    def __init__(self, config: FetchConfig):
        self.config = config
        self.inner = httpcore.AnyIOBackend()

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

    async def connect_tcp(self, host, port, timeout=None, local_address=None,
                          socket_options=None):
        ips = await self.checked_addresses(host, port)
        last: Exception | None = None
        for ip in ips:
            try:
                return await self.inner.connect_tcp(ip, port, timeout=timeout,
                                                    local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.UnsupportedProtocol("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)

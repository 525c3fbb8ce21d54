"""Gather the HTTPS deployment facts of a target's host (after pshtt's four endpoints).

For a start URL ``https://gov.uz/oz/buxoro`` the endpoints are the roots of
``http://gov.uz``, ``https://gov.uz``, ``http://www.gov.uz``, ``https://www.gov.uz``, plus
``http://start`` - the start URL itself over plain http, because for a gov.uz *section* what
matters is that its own http address goes to https. Every redirect hop is kept; each https
endpoint that answered (or failed in TLS) gets its ``TLSInfo`` (certificate, protocol).

Explicit ports are kept (the test farm serves http and https on one port); ``www.`` variants
are skipped for IP-address hosts.
"""

from __future__ import annotations

import asyncio
import ipaddress
from urllib.parse import urlsplit, urlunsplit

from .artifacts import SiteCapture
from .causes import Cause
from .tls import inspect_tls


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def endpoint_urls(start_url: str) -> dict[str, str]:
    """The endpoint key -> URL map for a start URL."""
    p = urlsplit(start_url)
    host = p.hostname or ""
    bare = host[4:] if host.startswith("www.") else host
    port = f":{p.port}" if p.port else ""
    out = {}
    hosts = {"bare": bare} if _is_ip(bare) else {"bare": bare, "www": f"www.{bare}"}
    for label, h in hosts.items():
        for scheme in ("https", "http"):
            out[f"{scheme}://{label}"] = f"{scheme}://{h}{port}/"
    http_start = urlunsplit(("http", p.netloc, p.path or "/", p.query, ""))
    if http_start not in out.values():
        out["http://start"] = http_start
    return out


async def gather_endpoints(site: SiteCapture, env) -> None:
    fetcher = env.fetcher
    urls = endpoint_urls(site.start_url)
    results = await asyncio.gather(*(fetcher.fetch(u, follow_redirects=True) for u in
                                     urls.values()))
    for key, resp in zip(urls, results):
        site.endpoints[key] = resp
    resolve = dict(getattr(fetcher.config, "resolve", {}) or {})
    resolve.update(env.resolve or {})
    for key, resp in site.endpoints.items():
        if not key.startswith("https://"):
            continue
        if resp.error is not None and resp.error.cause != Cause.TLS_INVALID:
            continue  # unreachable or refused by the guard: nothing to inspect
        p = urlsplit(resp.requested_url)
        host = p.hostname or ""
        if resp.tls is not None and resp.tls.subject:
            continue  # the fetcher already read the certificate
        ip = resolve.get(host) or resp.ip or ""
        info = await inspect_tls(host, p.port or 443, fetcher.ssl_context, ip=ip)
        if info is not None:
            resp.tls = info

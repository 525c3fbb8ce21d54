"""Gather the HTTPS deployment facts of a target's host (after pshtt's four endpoints).

For a start URL ``https://gov.uz/oz/buxoro`` the endpoints are the roots of
``http://gov.uz``, ``https://gov.uz``, ``http://www.gov.uz``, ``https://www.gov.uz``, plus
``http://start`` - the start URL itself over plain http, because for a gov.uz *section* what
matters is that its own http address goes to https. Every redirect hop is kept; each https
endpoint that answered (or failed in TLS) gets its ``TLSInfo`` (certificate, protocol).

Explicit ports are kept (the test farm serves http and https on one port); ``www.`` variants
are skipped for IP-address hosts. The certificate facts come from the fetcher
(``Response.tls``), read on the connection that was used.
"""

from __future__ import annotations

import asyncio
import ipaddress
from urllib.parse import urlsplit, urlunsplit

from .artifacts import SiteCapture


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
    """Fetch every endpoint with its redirect chain; the fetcher records the TLS facts of
    https answers (and, when the certificate does not validate, of the certificate served).
    The host roots are shared by every target on the host (~220 on gov.uz), so they are
    fetched once per run (``fetch_once``); the start URL over http is the target's own."""
    fetcher = env.fetcher
    urls = endpoint_urls(site.start_url)
    results = await asyncio.gather(*(
        fetcher.fetch(u) if key == "http://start" else fetcher.fetch_once(u)
        for key, u in urls.items()))
    for key, resp in zip(urls, results):
        site.endpoints[key] = resp

"""Gather the HTTPS deployment facts of a target's host (after pshtt's four endpoints).

For a start URL ``https://gov.uz/oz/buxoro`` the endpoints are the roots of
``http://gov.uz``, ``https://gov.uz``, ``http://www.gov.uz``, ``https://www.gov.uz``, plus
``http://start`` - the start URL itself over plain http, because for a gov.uz *section* what
matters is that its own http address goes to https. Every redirect hop is kept; each https
endpoint that answered (or failed in TLS) gets its ``TLSInfo`` (certificate, protocol).

Ports: an explicit port belongs to the start URL's scheme. ``https://h:8443/`` is checked
for https on 8443, but plain http goes where a browser typing ``http://h`` goes, port 80
(asking the TLS port for plain http gets nginx's "400 plain HTTP request sent to HTTPS
port", not the site's http behaviour); likewise an explicit http port leaves https on 443.
The one exception is a loopback host (the test farm, a server on a developer's machine,
also a name the ``resolve`` map sends to loopback), where one port commonly speaks both, so
the explicit port is kept for both schemes. ``www.`` variants are skipped for IP-address
hosts. The certificate facts come from the fetcher (``Response.tls``), read on the
connection that was used.
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


def _is_loopback(host: str, resolve: dict[str, str] | None) -> bool:
    addr = (resolve or {}).get(host.lower(), host).strip("[]")
    try:
        return ipaddress.ip_address(addr).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def endpoint_urls(start_url: str, resolve: dict[str, str] | None = None) -> dict[str, str]:
    """The endpoint key -> URL map for a start URL (ports: see the module doc; ``resolve``
    is the host -> address map in use)."""
    p = urlsplit(start_url)
    host = p.hostname or ""
    bare = host[4:] if host.startswith("www.") else host
    scheme = p.scheme.lower()
    same_port = _is_loopback(host, resolve)

    def port(s: str) -> str:
        return f":{p.port}" if p.port and (s == scheme or same_port) else ""

    out = {}
    hosts = {"bare": bare} if _is_ip(bare) else {"bare": bare, "www": f"www.{bare}"}
    netloc_host = f"[{host}]" if ":" in host else host
    for label, h in hosts.items():
        h = f"[{h}]" if ":" in h else h
        for s in ("https", "http"):
            out[f"{s}://{label}"] = f"{s}://{h}{port(s)}/"
    http_start = urlunsplit(("http", netloc_host + port("http"), p.path or "/", p.query, ""))
    if http_start not in out.values():
        out["http://start"] = http_start
    return out


async def gather_endpoints(site: SiteCapture, env) -> None:
    """Fetch every endpoint with its redirect chain; the fetcher records the TLS facts of
    https answers (and, when the certificate does not validate, of the certificate served).
    The host roots are shared by every target on the host (~220 on gov.uz), so they are
    fetched once per run (``fetch_once``); the start URL over http is the target's own."""
    fetcher = env.fetcher
    urls = endpoint_urls(site.start_url, getattr(env, "resolve", None) or
                         getattr(getattr(fetcher, "config", None), "resolve", None))
    results = await asyncio.gather(*(
        fetcher.fetch(u) if key == "http://start" else fetcher.fetch_once(u)
        for key, u in urls.items()))
    for key, resp in zip(urls, results):
        site.endpoints[key] = resp

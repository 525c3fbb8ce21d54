"""robots.txt and XML sitemaps of a target.

``gather_robots`` keeps the robots.txt Response of the start URL's origin (the one the
fetcher already read for its politeness rules, so it costs no second request).

``gather_sitemaps`` looks where sitemaps are announced or usually live - ``Sitemap:`` lines
of robots.txt, then ``/sitemap.xml``, ``/sitemap_index.xml``, ``/wp-sitemap.xml``,
``/sitemaps.xml`` on the origin and ``<scope>/sitemap.xml`` under each of the target's scope
prefixes, in two rounds: the ``Sitemap:`` lines and every ``sitemap.xml`` first, the other
usual paths only when none of those answered with a sitemap (most sites have one at
``/sitemap.xml``: three more requests a target for nothing, otherwise) - follows sitemap
indexes (bounded), unpacks gzip, and parses each document with a
guarded XML parser (no DTD, no entities: a document that declares any is refused unread).
Every fetched document becomes a ``SitemapDoc``: valid or with the reason it is not.
Documents of the origin are fetched once per run even when many targets share the host.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from .artifacts import Response, SiteCapture, SitemapDoc
from .fetch import origin_of
from .fetch.robots import sitemap_urls

SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
WELL_KNOWN = ("/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml", "/sitemaps.xml")
MAX_URLS = 5000  # <loc> values kept per document (url_count stays exact)
MAX_DOCS = 12  # documents fetched per target, indexes and children together
MAX_CHILDREN = 6  # children of one index followed
MAX_UNPACKED = 50 * 1024 * 1024  # sitemaps.org: 50 MB uncompressed
MAX_SITEMAP_BODY = 10 * 1024 * 1024


async def gather_robots(site: SiteCapture, env) -> None:
    """``site.robots`` = the Response of ``/robots.txt`` on the start URL's origin."""
    fetcher = env.fetcher
    url = origin_of(site.start_url) + "/robots.txt"
    rule = None
    if fetcher.config.obey_robots:
        rule = await fetcher.robots_for(site.start_url)
    if rule is not None and rule.response is not None:
        site.robots = rule.response
    else:
        site.robots = await fetcher.fetch_once(url, robots=False, max_body=512 * 1024)


def robots_sitemaps(robots: Response | None) -> list[str]:
    """The ``Sitemap:`` URLs a robots.txt announces (absolute, in order, de-duplicated):
    ``crawler.fetch.robots.sitemap_urls``, whatever the file's rules say."""
    return sitemap_urls(robots)


def candidate_urls(site: SiteCapture) -> list[tuple[str, str]]:
    """(url, source) of the places to look: robots.txt first, then the usual paths."""
    out: list[tuple[str, str]] = [(u, "robots") for u in robots_sitemaps(site.robots)]
    origin = origin_of(site.start_url)
    wk = [origin + p for p in WELL_KNOWN]
    for scope in site.target.scopes:
        path = urlsplit(scope).path.rstrip("/")
        if path:
            wk.append(origin_of(scope) + path + "/sitemap.xml")
    seen = {u for u, _ in out}
    for u in wk:
        if u not in seen:
            seen.add(u)
            out.append((u, "well-known"))
    return out


class UnsafeXML(ValueError):
    pass


def unpack(body: bytes) -> bytes:
    """The document bytes: gunzipped when the body starts with the gzip magic (bounded)."""
    if body[:2] != b"\x1f\x8b":
        return body
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = d.decompress(body, MAX_UNPACKED)
    if d.unconsumed_tail:
        raise ValueError(f"gzip sitemap unpacks to more than {MAX_UNPACKED} bytes")
    return out


def safe_parse(data: bytes) -> ET.Element:
    """Parse XML refusing any DOCTYPE or ENTITY declaration (no entity expansion, no
    external entities - the defusedxml rules)."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise UnsafeXML("the document declares a DOCTYPE/ENTITY, which a sitemap must not")
    parser = ET.XMLParser()

    def refuse(*_a, **_k):
        raise UnsafeXML("entity declarations are not allowed")

    expat = getattr(parser, "parser", None)
    if expat is not None:
        expat.EntityDeclHandler = refuse
        expat.UnparsedEntityDeclHandler = refuse
        expat.ExternalEntityRefHandler = refuse
    parser.feed(data)
    return parser.close()


def parse_sitemap(doc: SitemapDoc, body: bytes, content_type: str = "") -> None:
    """Fill ``doc`` from the document bytes: is_index, urls/children (capped), exact
    url_count, lastmods, or ``error`` saying why it is not a valid sitemap."""
    try:
        data = unpack(body)
    except (zlib.error, ValueError) as exc:
        doc.error = f"gzip data could not be unpacked: {exc}"
        return
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        doc.error = "empty document"
        return
    if not stripped.startswith(b"<"):
        # sitemaps.org also allows a plain text file with one URL per line
        lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines()
                 if ln.strip()]
        if lines and all(re.match(r"https?://\S+$", ln) for ln in lines):
            doc.url_count = len(lines)
            doc.urls = lines[:MAX_URLS]
            return
        doc.error = "not XML and not a text sitemap"
        return
    if stripped[:200].lower().startswith((b"<!doctype html", b"<html")):
        doc.error = "an HTML page, not a sitemap"
        return
    try:
        root = safe_parse(data)
    except UnsafeXML as exc:
        doc.error = str(exc)
        return
    except ET.ParseError as exc:
        doc.error = f"not well-formed XML: {exc}"
        return
    tag = root.tag
    ns, local = (tag[1:].split("}", 1) if tag.startswith("{") else ("", tag))
    if local not in ("urlset", "sitemapindex"):
        doc.error = f"root element is <{local}>, not <urlset> or <sitemapindex>"
        return
    doc.is_index = local == "sitemapindex"
    item = "sitemap" if doc.is_index else "url"
    locs: list[str] = []
    count = 0
    for el in root:
        if not isinstance(el.tag, str) or el.tag.rsplit("}", 1)[-1] != item:
            continue
        loc = lastmod = None
        for child in el:
            name = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            if name == "loc":
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = (child.text or "").strip()
        if not loc:
            continue
        count += 1
        if len(locs) < MAX_URLS:
            locs.append(loc)
        if lastmod and len(doc.lastmods) < MAX_URLS:
            doc.lastmods.append(lastmod)
    if doc.is_index:
        doc.children = locs
    else:
        doc.urls = locs
    doc.url_count = count
    if ns != SM_NS:
        doc.error = (f"<{local}> is not in the sitemaps.org namespace ({SM_NS})"
                     if not ns else f"<{local}> is in namespace {ns}, not {SM_NS}")
    elif count == 0:
        doc.error = f"<{local}> lists no <loc> entries"


async def _fetch_doc(env, url: str, source: str) -> SitemapDoc:
    resp = await env.fetcher.fetch_once(url, max_body=MAX_SITEMAP_BODY)
    doc = SitemapDoc(url=url, source=source, response=resp)
    if resp.error is not None:
        doc.error = resp.error.message
    elif resp.status != 200:
        doc.error = f"HTTP {resp.status}"
    else:
        parse_sitemap(doc, resp.body, resp.headers.get("content-type", ""))
    return doc


def _exists(doc: SitemapDoc) -> bool:
    """A well-known path counts only when something sitemap-like answered there."""
    r = doc.response
    if r is None or r.error is not None or r.status != 200:
        return False
    return not doc.error.startswith(("an HTML page", "not XML", "empty"))


async def gather_sitemaps(site: SiteCapture, env) -> None:
    """Fill ``site.sitemaps`` (see the module doc)."""
    cands = candidate_urls(site)
    primary = [c for c in cands if c[1] == "robots" or c[0].endswith("/sitemap.xml")]
    first = list(await asyncio.gather(*(_fetch_doc(env, u, src) for u, src in primary)))
    if not any(d.source == "robots" or _exists(d) for d in first):
        first += await asyncio.gather(*(_fetch_doc(env, u, src) for u, src in cands
                                        if (u, src) not in primary))
    docs: list[SitemapDoc] = []
    seen: set[str] = set()
    for doc in first:
        final = doc.response.url if doc.response else doc.url
        if doc.source == "robots" or _exists(doc):
            if final in seen:
                continue
            seen.add(final)
            seen.add(doc.url)
            docs.append(doc)
    # follow indexes, breadth-first, bounded; children in the target's scope first
    queue = [d for d in docs if d.is_index]
    while queue and len(docs) < MAX_DOCS:
        idx = queue.pop(0)
        kids = [c for c in idx.children if c not in seen]
        kids.sort(key=lambda c: not site.target.contains(c))
        kids = kids[:min(MAX_CHILDREN, MAX_DOCS - len(docs))]
        seen.update(kids)
        for child in await asyncio.gather(*(_fetch_doc(env, c, "index") for c in kids)):
            docs.append(child)
            if child.is_index:
                queue.append(child)
    skipped = sum(len([c for c in d.children if c not in seen]) for d in docs if d.is_index)
    if skipped:
        site.notes.append(f"sitemap index children capped at {MAX_DOCS} documents; "
                          f"{skipped} more not fetched")
    site.sitemaps = docs

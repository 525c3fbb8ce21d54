"""sitemap - a site map (OSI #005, LOSI #205 navigation).

Two sub-results, reported separately:

* **html** - a user-facing sitemap page linked from the site: link text "Sayt xaritasi",
  "Сайт харитаси", "Карта сайта", "Sitemap" (folded, any case), or an href path like
  ``/sitemap``, ``/karta-sayta``, ``/sayt-xaritasi`` (not an ``.xml`` file). When the linked
  page was captured it must have answered 2xx.
* **xml** - valid XML sitemaps (robots.txt ``Sitemap:`` lines, the usual paths, sitemap
  indexes followed, ``.gz``), gathered by ``crawler.sitemaps``; counted are the URLs inside
  the target's scope (a gov.uz section is one prefix of a host-wide sitemap), with the newest
  ``lastmod``.

Pass on either (the summary says which); fail when neither. A sitemap listing no URL of the
target is reported but does not count.
"""

from __future__ import annotations

from functools import lru_cache

import datetime as dt
from urllib.parse import urlsplit

from .base import Artifact, Context, Evidence, Finding, Probe, Status
from pageread.dates import parse_date
from .search import _pages
from pageread.words import keywords

VERSION = "1.0"


@lru_cache(maxsize=65536)  # menus repeat on every page: a pure function of strings
def is_sitemap_link(text: str, href: str) -> str:
    """The matched word when a link is a user-facing sitemap link ("" otherwise)."""
    path = urlsplit(href).path.lower()
    if path.endswith((".xml", ".xml.gz", ".gz", ".txt")):
        return ""
    m = keywords("sitemap").search(text)
    if m:
        return m.text
    last = [seg for seg in path.split("/") if seg]
    if last:
        m = keywords("sitemap").in_attr(last[-1])
        if m:
            return m.text
    return ""


def robots_sitemaps(robots) -> list[str]:
    """``Sitemap:`` lines of robots.txt (case-insensitive)."""
    if robots is None or not robots.ok:
        return []
    out = []
    for line in robots.text.splitlines():
        k, _, v = line.partition(":")
        if k.strip().lower() == "sitemap" and v.strip():
            out.append(v.strip())
    return out


def _captured(site, url: str):
    u = url.rstrip("/")
    for p in site.all_pages():
        if p.response.requested_url.rstrip("/") == u or p.url.rstrip("/") == u:
            return p
    return None


def html_sitemap(site) -> tuple[list[Evidence], list[Evidence]]:
    """(good, broken): links to a user-facing sitemap page, with the page's state when it
    was captured."""
    good, broken, seen = [], [], set()
    for page in _pages(site):
        for lk in page.links:
            if lk.url in seen or not lk.url.startswith("http"):
                continue
            word = is_sitemap_link(lk.text, lk.url)
            if not word:
                continue
            seen.add(lk.url)
            target = _captured(site, lk.url)
            data = {"href": lk.url, "text": lk.text, "linked_from": page.url}
            if target is not None:
                data["status"] = target.response.status
                if not target.response.ok:
                    broken.append(Evidence(lk.url, "link", lk.text, message=(
                        f"the sitemap link '{lk.text}' leads to HTTP "
                        f"{target.response.status or target.response.error}"), data=data))
                    continue
                data["links_on_page"] = len(target.links)
            good.append(Evidence(page.url, "link", f'<a href="{lk.url}">{lk.text}</a>',
                                 message=f"a sitemap page is linked ('{word}')"
                                 + (f"; it lists {data['links_on_page']} links"
                                    if "links_on_page" in data else ""), data=data))
    return good, broken


def xml_sitemaps(site, now: dt.date) -> dict:
    """Facts about the XML sitemaps: valid documents, in-scope URLs, newest lastmod."""
    docs = list(site.sitemaps)
    valid = [d for d in docs if not d.error]
    in_scope = 0
    listed = 0
    capped = False
    for d in valid:
        if d.is_index:
            continue
        listed += d.url_count or len(d.urls)
        in_scope += sum(1 for u in d.urls if site.target.contains(u))
        capped = capped or (d.url_count > len(d.urls))
    newest = None
    future = []
    for d in valid:
        for raw in d.lastmods:
            when = parse_date(raw)
            if when is None:
                continue
            if when.date() > now + dt.timedelta(days=1):
                future.append(raw)
                continue
            if newest is None or when > newest[0]:
                newest = (when, raw, d.url)
    return {
        "documents": [{"url": d.url, "source": d.source, "is_index": d.is_index,
                       "urls": d.url_count, "error": d.error} for d in docs][:20],
        "valid": len(valid), "invalid": len(docs) - len(valid),
        "urls_listed": listed, "urls_in_scope": in_scope, "in_scope_is_lower_bound": capped,
        "newest_lastmod": newest[0].date().isoformat() if newest else None,
        "newest_lastmod_in": newest[2] if newest else None,
        "future_lastmods_ignored": future[:5],
    }


def judge(site, ctx: Context) -> Finding:
    """Pass when a user-facing sitemap page is linked (Sayt xaritasi / Сайт харитаси /
    Карта сайта / Sitemap, or an href like /sitemap) or a valid XML sitemap (robots.txt
    Sitemap: lines, /sitemap.xml and the usual paths, indexes and .gz followed) lists at least
    one URL in the target's scope. Both sub-results are reported; fail when neither."""
    url = site.start_url
    pages = _pages(site)
    good, broken = html_sitemap(site)
    xml = xml_sitemaps(site, ctx.now)
    xml["robots_sitemap_lines"] = robots_sitemaps(site.robots)
    xml_ok = xml["urls_in_scope"] > 0
    details = {"found": bool(good or broken or xml["urls_in_scope"]), "pages_checked": len(pages),
               "html": {"found": bool(good), "links": [e.data for e in good][:5],
                        "broken": [e.data for e in broken][:5]},
               "xml": xml, "passed_by": [k for k, ok in (("html", bool(good)),
                                                        ("xml", xml_ok)) if ok]}
    evidence = good[:2] + broken[:2]
    for d in site.sitemaps[:3]:
        msg = (f"XML sitemap ({d.source}): " + (
            f"index of {len(d.children)} sitemap(s)" if d.is_index else f"{d.url_count} URL(s)")
            if not d.error else f"XML sitemap ({d.source}) is not valid: {d.error}")
        evidence.append(Evidence(d.url, "file", "\n".join((d.children or d.urls)[:5]),
                                 message=msg, data={"urls": d.url_count,
                                                    "is_index": d.is_index}))
    if xml_ok:
        evidence.append(Evidence(url, "message", message=(
            f"{xml['urls_in_scope']} URL(s) of this target listed in XML sitemaps"
            + (f", newest lastmod {xml['newest_lastmod']}" if xml["newest_lastmod"] else ""))))
    parts = []
    if good:
        parts.append("a sitemap page is linked")
    if xml_ok:
        parts.append(f"XML sitemaps list {xml['urls_in_scope']} URL(s) of the target")
    if parts:
        return Finding("sitemap", Status.PASS, url, "Sitemap: " + "; ".join(parts) + ".",
                       evidence, details)
    xml_err = site.errors.get("sitemaps")
    if xml_err is not None or "sitemaps" not in site.gathered:
        msg = ("No sitemap page is linked, and the XML sitemaps could not be checked: "
               + (xml_err.message if xml_err else "not gathered in this run") + ".")
        details["cause"] = str(xml_err.cause) if xml_err else "not-captured"
        return Finding("sitemap", Status.ERROR, url, msg,
                       evidence + [Evidence(url, "message", message=msg)], details)
    why = []
    why.append("no link to a sitemap page" if not broken else "the sitemap link is broken")
    if not site.sitemaps:
        why.append("no XML sitemap (robots.txt, /sitemap.xml and the usual paths)")
    elif not xml["valid"]:
        why.append("the XML sitemaps found are not valid")
    else:
        why.append("the XML sitemaps list no URL of this target")
    return Finding("sitemap", Status.FAIL, url, "No sitemap: " + "; ".join(why) + ".",
                   evidence or [Evidence(url, "message", message="; ".join(why))], details)


# ROBOTS and SITEMAPS are optional so that a failed sitemap fetch does not hide a linked
# sitemap page; without either and without a page link the finding is an error (see judge).
PROBE = Probe(id="sitemap", version=VERSION, requires=frozenset({Artifact.PAGES}),
              optional=frozenset({Artifact.ROBOTS, Artifact.SITEMAPS}), judge=judge)

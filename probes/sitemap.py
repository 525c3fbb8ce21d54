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

import datetime as dt
from functools import lru_cache
from urllib.parse import urlsplit

from pageread.dates import parse_date
from pageread.words import keywords

from .base import (near_pages, note_caps, Artifact, Context, Evidence, Finding, Follow, Hints, Probe, Status,
                   UIStrings, bullets, table)

VERSION = "1.0"

UI = UIStrings("sitemap", {
    # summaries
    "pass_html": "Sitemap: a sitemap page is linked.",
    "pass_xml": "Sitemap: XML sitemaps list {n} URL(s) of the target.",
    "pass_html_and_xml": "Sitemap: a sitemap page is linked; XML sitemaps list {n} URL(s) of "
                         "the target.",
    "error_xml": "No sitemap page is linked, and the XML sitemaps could not be checked: "
                 "{error}.",
    "error_xml_not_gathered": "No sitemap page is linked, and the XML sitemaps could not be "
                              "checked: not gathered in this run.",
    "fail": "No sitemap: {html}; {xml}.",
    # the two halves of a fail ({html} and {xml} above; joined with "; " as evidence)
    "no_html_link": "no link to a sitemap page",
    "html_link_broken": "the sitemap link is broken",
    "no_xml": "no XML sitemap (robots.txt, /sitemap.xml and the usual paths)",
    "xml_invalid": "the XML sitemaps found are not valid",
    "xml_out_of_scope": "the XML sitemaps list no URL of this target",
    "reasons": "{html}; {xml}",
    # evidence messages
    "link_broken": "the sitemap link '{text}' leads to HTTP {status}",
    "page_linked": "a sitemap page is linked ('{word}')",
    "page_linked_lists": "a sitemap page is linked ('{word}'); it lists {n} links",
    "xml_index": "XML sitemap ({source}): index of {n} sitemap(s)",
    "xml_urls": "XML sitemap ({source}): {n} URL(s)",
    "xml_not_valid": "XML sitemap ({source}) is not valid: {error}",
    "in_scope": "{n} URL(s) of this target listed in XML sitemaps",
    "in_scope_newest": "{n} URL(s) of this target listed in XML sitemaps, newest lastmod "
                       "{date}",
    # details titles
    "title_links": "Links to a sitemap page",
    "title_broken": "Broken sitemap links",
    "title_documents": "XML sitemap documents",
    "title_future_lastmods": "Future lastmods ignored",
    "title_robots_lines": "Sitemap: lines of robots.txt",
})


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
    for page in near_pages(site, ("sitemap",)):
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
                    status = target.response.status or target.response.error
                    broken.append(Evidence(lk.url, "link", lk.text, message=UI.text(
                        "link_broken", text=lk.text,
                        status=status if isinstance(status, int) else str(status)), data=data))
                    continue
                data["links_on_page"] = len(target.links)
            good.append(Evidence(page.url, "link", f'<a href="{lk.url}">{lk.text}</a>',
                                 message=UI.text("page_linked_lists", word=word,
                                                 n=data["links_on_page"])
                                 if "links_on_page" in data else
                                 UI.text("page_linked", word=word), data=data))
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
        "documents": table([{"url": d.url, "source": d.source, "is_index": d.is_index,
                             "urls": d.url_count, "error": d.error} for d in docs][:20],
                           headings=["url", "source", "is_index", "urls", "error"],
                           title=UI.text("title_documents")),
        "valid": len(valid), "invalid": len(docs) - len(valid),
        "urls_listed": listed, "urls_in_scope": in_scope, "in_scope_is_lower_bound": capped,
        "newest_lastmod": newest[0].date().isoformat() if newest else None,
        "newest_lastmod_in": newest[2] if newest else None,
        "future_lastmods_ignored": bullets(future[:5], title=UI.text("title_future_lastmods")),
    }


def judge(site, ctx: Context) -> Finding:
    finding = _judge(site, ctx)
    note_caps(finding, near_pages(site, ("sitemap",)), text=False)  # it reads links only
    return finding


def _judge(site, ctx: Context) -> Finding:
    """Pass when a user-facing sitemap page is linked (Sayt xaritasi / Сайт харитаси /
    Карта сайта / Sitemap, or an href like /sitemap) or a valid XML sitemap (robots.txt
    Sitemap: lines, /sitemap.xml and the usual paths, indexes and .gz followed) lists at least
    one URL in the target's scope. Both sub-results are reported; fail when neither."""
    url = site.start_url
    pages = site.html_pages(linked=True)
    good, broken = html_sitemap(site)
    xml = xml_sitemaps(site, ctx.now)
    xml["robots_sitemap_lines"] = bullets(robots_sitemaps(site.robots),
                                          title=UI.text("title_robots_lines"))
    xml_ok = xml["urls_in_scope"] > 0
    details = {"found": bool(good or broken or xml["urls_in_scope"]), "pages_checked": len(pages),
               "html": {"found": bool(good),
                        "links": table([e.data for e in good][:5],
                                       headings=["text", "href", "linked_from", "status",
                                                 "links_on_page"],
                                       title=UI.text("title_links")),
                        "broken": table([e.data for e in broken][:5],
                                        headings=["text", "href", "linked_from", "status"],
                                        title=UI.text("title_broken"))},
               "xml": xml, "passed_by": [k for k, ok in (("html", bool(good)),
                                                        ("xml", xml_ok)) if ok]}
    evidence = good[:2] + broken[:2]
    for d in site.sitemaps[:3]:
        if d.error:
            msg = UI.text("xml_not_valid", source=d.source, error=d.error)
        elif d.is_index:
            msg = UI.text("xml_index", source=d.source, n=len(d.children))
        else:
            msg = UI.text("xml_urls", source=d.source, n=d.url_count)
        evidence.append(Evidence(d.url, "file", "\n".join((d.children or d.urls)[:5]),
                                 message=msg, data={"urls": d.url_count,
                                                    "is_index": d.is_index}))
    if xml_ok:
        evidence.append(Evidence(url, "message", message=(
            UI.text("in_scope_newest", n=xml["urls_in_scope"], date=xml["newest_lastmod"])
            if xml["newest_lastmod"] else UI.text("in_scope", n=xml["urls_in_scope"]))))
    if good or xml_ok:
        summary = (UI("pass_html_and_xml", n=xml["urls_in_scope"]) if good and xml_ok else
                   UI("pass_html") if good else UI("pass_xml", n=xml["urls_in_scope"]))
        return Finding("sitemap", Status.PASS, url, summary, evidence, details)
    xml_err = site.errors.get("sitemaps")
    if xml_err is not None or "sitemaps" not in site.gathered:
        msg = (UI("error_xml", error=xml_err.message) if xml_err
               else UI("error_xml_not_gathered"))
        details["cause"] = str(xml_err.cause) if xml_err else "not-captured"
        return Finding("sitemap", Status.ERROR, url, msg,
                       evidence + [Evidence(url, "message", message=msg.text)], details)
    html_why = UI.text("html_link_broken" if broken else "no_html_link")
    if not site.sitemaps:
        xml_why = UI.text("no_xml")
    elif not xml["valid"]:
        xml_why = UI.text("xml_invalid")
    else:
        xml_why = UI.text("xml_out_of_scope")
    return Finding("sitemap", Status.FAIL, url, UI("fail", html=html_why, xml=xml_why),
                   evidence or [Evidence(url, "message", message=UI.text(
                       "reasons", html=html_why, xml=xml_why))], details)


judge.__doc__ = _judge.__doc__


# ROBOTS and SITEMAPS are optional so that a failed sitemap fetch does not hide a linked
# sitemap page; without either and without a page link the finding is an error (see judge).
PROBE = Probe(id="sitemap", version=VERSION, requires=frozenset({Artifact.PAGES}),
              optional=frozenset({Artifact.ROBOTS, Artifact.SITEMAPS}), judge=judge,
              hints=Hints(follow=(Follow("sitemap", 8, linked=True),)))

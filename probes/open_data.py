"""open-data - open data (OSI #037, LOSI #236).

Rule: the home page or a page one click from it links to the national open-data portal
(data.egov.uz and its earlier addresses: ``probes/data/open_data.toml [portals]``), or the
site's own open-data section - "Ochiq ma'lumotlar", "Очиқ маълумотлар", "Открытые данные",
"Open data" (``words_services.toml [open_data]``; fetched one click away: this probe's
``Follow`` hint) - lists downloadable data files (links ending .csv .json .xml .xlsx .xls
.ods...; sitemaps, feeds and manifests are not data sets).

pass - a portal link, or data files on the open-data section; warn - an open-data section
whose page was not fetched or shows neither data files nor a portal link, or data files
linked outside any open-data section; fail - none of these. When the served HTML links no
portal and the home page was rendered (a scan renders it), the rendered home page's links are
read too.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote, urlsplit

from pageread.links import domain_in, host_of

from .base import (near_pages, Artifact, Context, Finding, Follow, Hints, Probe, Status, UIStrings,
                   bullets, table, data_file)
from .help import (LinkHit, heading_match, nothing_found, rendered_home,
                   section_links)

VERSION = "1.0"

UI = UIStrings("open-data", {
    "pass_portal": "The national open-data portal is linked: {href}.",
    "pass_files": "The open-data section lists {n} downloadable data file(s) ({formats}): "
                  "{href}.",
    "warn_section": "An open-data section is linked (“{text}”), but its page shows no data "
                    "files and no link to the open-data portal (or was not fetched): {href}.",
    "warn_files": "{n} downloadable data file(s) ({formats}) are linked, but not from an "
                  "open-data section.",
    "fail": "No open-data portal link, open-data section or downloadable data set was found "
            "on the {n} page(s) checked (the home page and the pages one click away).",
    "portal": "a link to the open-data portal {host}",
    "section": "a link to the open-data section (“{word}”)",
    "file": "a downloadable {format} file",
    "checked": "checked {n} page(s)",
    "title_portal": "Open-data portal links",
    "title_files": "Data files",
    "title_sections": "Open-data sections",
})


@lru_cache(maxsize=1)
def _data() -> dict:
    return data_file("open_data")


def portal_host(href: str) -> str:
    """The open-data portal's host when ``href`` points there (the host or a subdomain)."""
    if not any(h in href for h in _data()["portals"]["hosts"]):
        return ""  # the plain substring test first: most links are not there
    return domain_in(host_of(href), _data()["portals"]["hosts"])


def data_format(href: str) -> str:
    """The format (``csv``, ``xlsx``...) when ``href`` is a downloadable data file: its path
    ends with a data extension and its file name is not a sitemap, feed or manifest."""
    if not href.startswith(("http://", "https://")) or \
            href.split("?", 1)[0].rsplit(".", 1)[-1].lower() not in _data()["files"]["extensions"]:
        return ""  # the cheap test first: most links end in no data extension
    name = unquote(urlsplit(href).path.rsplit("/", 1)[-1]).lower()
    stem, _, ext = name.rpartition(".")
    files = _data()["files"]
    if not stem or ext not in files["extensions"]:
        return ""
    if any(w in stem for w in files["not_data"]):
        return ""
    return ext


def judge(site, ctx: Context) -> Finding:
    """A link to the open-data portal (data.egov.uz) on the home page or a page one click
    away, or data files (.csv .json .xml .xlsx...) on the site's open-data section: pass.
    An open-data section showing neither, or data files outside it: warn. None: fail."""
    url = site.start_url
    pages = near_pages(site, ("open_data",))
    portal: list[LinkHit] = []
    files: list[tuple[LinkHit, str, bool]] = []  # (link, format, on an open-data page)
    sections = section_links(pages, "open_data", limit=4)
    section_urls = {h.href.rstrip("/") for h in sections}
    def read(some) -> None:
        for p in some:
            on_section = p.url.rstrip("/") in section_urls or \
                p.response.requested_url.rstrip("/") in section_urls or \
                bool(p is not pages[0] and heading_match(p, "open_data")[1])
            for lk in p.links:
                host = portal_host(lk.url)
                if host and not any(h.href == lk.url for h in portal):
                    portal.append(LinkHit(p.url, lk.url, lk.text or lk.url, host))
                    continue
                fmt = data_format(lk.url)
                if fmt and not any(f[0].href == lk.url for f in files):
                    files.append((LinkHit(p.url, lk.url, lk.text or lk.url, fmt), fmt,
                                  on_section))

    read(pages)
    if not portal:
        read(rendered_home(site))
    on_section = [f for f in files if f[2]]
    details = {"found": bool(portal or sections or files), "pages_checked": len(pages),
               "portal_links": table([h.row() for h in portal[:5]],
                                     headings=["text", "href", "from"],
                                     title=UI.text("title_portal")),
               "sections": bullets([h.href for h in sections], title=UI.text("title_sections")),
               "data_files": table([{**h.row(), "format": fmt, "open_data_section": sec}
                                    for h, fmt, sec in files[:10]],
                                   headings=["text", "href", "format", "from"],
                                   title=UI.text("title_files")),
               "formats": sorted({fmt for _, fmt, _ in files})}
    sec_ev = [h.evidence(UI.text("section", word=h.word)) for h in sections[:1]]
    if portal:
        h = portal[0]
        return Finding("open-data", Status.PASS, url, UI("pass_portal", href=h.href),
                       [h.evidence(UI.text("portal", host=h.word))] + sec_ev, details)
    chosen = on_section or files
    if chosen:
        fmts = ", ".join(sorted({fmt for _, fmt, _ in chosen}))
        ev = sec_ev + [h.evidence(UI.text("file", format=fmt)) for h, fmt, _ in chosen[:3]]
        if on_section:
            return Finding("open-data", Status.PASS, url,
                           UI("pass_files", n=len(on_section), formats=fmts,
                              href=on_section[0][0].page), ev, details)
        if not sections:
            return Finding("open-data", Status.WARN, url,
                           UI("warn_files", n=len(files), formats=fmts), ev, details)
    if sections:
        h = sections[0]
        return Finding("open-data", Status.WARN, url, UI("warn_section", text=h.text,
                                                         href=h.href), sec_ev, details)
    return nothing_found("open-data", UI, site, pages, details)


PROBE = Probe(id="open-data", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(follow=(Follow("open_data", 5, linked=True),)))

"""org-structure - the body's structure (departments, subordinate organisations) is published
(OSI #010, LOSI #215).

Rule: on the home page and the pages one click from it, a structure section - a menu item of
at most 4 words with a word of ``words_content.toml`` [org_structure] (Tashkiliy tuzilma,
Tuzilma, Ташкилий тузилма, Бўлимлар, Структура, Подведомственные организации,
Organisational structure...) or such a last path segment - or a captured page whose heading
says so. pass: such a page was opened (an org chart as a PDF or picture counts too); warn:
the link is there but its page could not be opened; fail: none.
"""

from __future__ import annotations

from pageread.words import keywords

from .base import near_pages, Artifact, Evidence, Finding, Follow, Hints, Probe, Status, UIStrings
from .procurement import (hits_table, is_news_item, not_found, opened,
                          section_links)

VERSION = "1.0"
DOCUMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx")

UI = UIStrings("org-structure", {
    "pass": "The body's structure is published: '{text}' ({url}).",
    "pass_document": "The body's structure is published as a document: '{text}'.",
    "warn": "A structure section is linked ('{text}') but its page could not be opened.",
    "fail": "No structure section (departments, subordinate organisations) was found on {n} "
            "page(s).",
    "link": "a structure section link ('{word}')",
    "page": "a page headed '{heading}'",
    "title_links": "Structure links",
})


def structure_heading(page) -> str:
    """The page's ``<h1>`` (else ``<title>``) when it is a short heading (at most 5 words)
    with a word of [org_structure], on a page that is not a news item."""
    if is_news_item(page.url):
        return ""
    for sel in ("h1", "title"):
        n = page.tree.css_first(sel)
        if n is not None:
            text = n.text(deep=True, strip=True)
            if keywords("org_structure").search(text) and len(text.split()) <= 5:
                return text
    return ""


def judge(site, ctx) -> Finding:
    """The rule of the module docstring."""
    pages = near_pages(site, ("org_structure",))
    links = section_links(pages, "org_structure")
    evidence = [h.evidence(UI.text("link", word=h.word)) for h in links[:3]]
    details = {"found": bool(links), "pages_checked": len(pages),
               "links": hits_table(links, UI.text("title_links"),
                                   opened=lambda h: opened(site, h.href) is not None)}
    docs = [h for h in links if h.href.lower().split("?")[0].endswith(DOCUMENT_EXTENSIONS)]
    pages_ok = [(h, opened(site, h.href)) for h in links]
    pages_ok = [(h, p) for h, p in pages_ok if p is not None]
    headed = [(p, structure_heading(p)) for p in pages[1:]]
    headed = [(p, t) for p, t in headed if t]
    if pages_ok or headed:
        details["found"] = True
        if pages_ok:
            h, p = pages_ok[0]
            text, url = h.text, p.url
        else:
            p, text = headed[0]
            url = p.url
            evidence.append(Evidence(p.url, "text", text, "h1", UI.text("page", heading=text)))
        return Finding("org-structure", Status.PASS, site.start_url,
                       UI("pass", text=text, url=url), evidence, details)
    if docs:
        return Finding("org-structure", Status.PASS, site.start_url,
                       UI("pass_document", text=docs[0].text), evidence, details)
    if links:
        return Finding("org-structure", Status.WARN, site.start_url,
                       UI("warn", text=links[0].text), evidence, details)
    return not_found("org-structure", site, UI("fail", n=len(pages)), details)


PROBE = Probe(id="org-structure", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(follow=(Follow("org_structure", 5, linked=True),)))

"""help - instructions and help links (OSI item 12).

Rule: the home page or a page one click from it links to a help section - FAQ ("Ko‘p
so‘raladigan savollar", "ТСС", "Часто задаваемые вопросы", "FAQ"), manuals and instructions
("Yo‘riqnoma", "Qo‘llanma", "Инструкция", "User guide"), video guides - by the link's text (a
menu item of at most 6 words with a word of ``words_services.toml [help]``, or a link whose
whole text is "Yordam"/"Помощь"/"Help", ``[help_alone]``) or its URL (``/faq``,
``/yoriqnoma``); or one of those pages is itself a help page (its ``<h1>`` or title says
so). When the served HTML has none and the home page was rendered (a scan renders it), the
rendered home page's links are read too (menus built by JavaScript). pass - such a link or
page; fail - none. A help word in running text that is not a link does not count.

This module also holds the reading the other site-level probes share: ``judge_section`` (the
rule above, for any keyword table; business-info uses it), ``nothing_found`` (their fail finding), ``section_links`` and
``heading_match`` (links to a keyword table's section, and a page whose heading names it;
privacy-policy, open-data, usage-stats and helpdesk-phone use them), ``LinkHit`` (such a link,
and its evidence: the link's HTML source, escaped; every link-reading probe uses it), ``rendered_home`` (the rendered home page read like a page: when the served
HTML shows nothing and the capture rendered the home page, its links are read too). Which
pages they read is ``probes.base.near_pages``, the one rule for every site-level probe.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from crawler.artifacts import Link, extract_links
from pageread.words import fold, keywords, menu_link

from .base import (near_pages, Artifact, Context, Evidence, Finding, Follow, Hints, Probe, Status,
                   UIStrings, table)

VERSION = "1.0"
MAX_WORDS = 6  # a menu item, not a sentence that happens to contain the word

UI = UIStrings("help", {
    "pass": "A help section is linked: “{text}” ({href}).",
    "pass_page": "A help page is published: “{text}” ({href}).",
    "fail": "No FAQ, manual, instructions or video guide is linked from the {n} page(s) "
            "checked (the home page and the pages one click away).",
    "link": "a link to a help section (“{word}”)",
    "page": "the page is a help page (its heading says “{word}”)",
    "checked": "checked {n} page(s)",
    "title_links": "Help links",
})


@dataclass
class RenderedHome:
    """The home page as the browser left it, read like a page (``url``, ``links``,
    ``tree``, ``response``): menus built by JavaScript are only there."""

    url: str
    tree: Any
    response: Any
    scope: str = ""
    depth: int = 0
    links: list[Link] = field(default_factory=list)


def rendered_home(site) -> list:
    """[the rendered home page] when the capture rendered it (a scan renders it for the
    browser probes; ``govscan probe`` of a static probe does not), else []. The fallback of
    the link-reading probes when the served HTML has nothing: static first."""
    home = site.home
    r = home.rendered if home is not None else None
    if r is None or r.error is not None or not r.dom:
        return []
    return [RenderedHome(home.url, r.tree, home.response, home.scope,
                         links=extract_links(r.tree, r.url or home.url, home.scope))]


@dataclass(frozen=True)
class LinkHit:
    """A link that matched a rule: where it was seen, where it leads, its text, and the
    keyword or host that matched (one class for every link-reading probe)."""

    page: str
    href: str
    text: str
    word: str

    def evidence(self, message: str, **data) -> Evidence:
        """The evidence of the link: the page it is on, the link as HTML source (its URL
        and text escaped, as they are in the page's source), what it shows."""
        return Evidence(self.page, "link",
                        f'<a href="{html.escape(self.href)}">{html.escape(self.text)}</a>',
                        message=message, data={"href": self.href, "text": self.text, **data})

    def row(self) -> dict:
        return {"text": self.text, "href": self.href, "from": self.page}


@lru_cache(maxsize=4096)
def _alone(table: str, text: str) -> str:
    """The word when the whole (folded) text of a link is one word of ``table``."""
    t = fold(text).strip(" .:")
    return next((w for w in keywords(table).words() if fold(w) == t), "")


def section_links(pages, table: str, max_words: int = MAX_WORDS, alone: str = "",
                  limit: int | None = 8, skip=None) -> list[LinkHit]:
    """Links on ``pages`` (each target URL once, in page order) to the section the keyword
    table ``table`` names (``pageread.words.menu_link``: a short menu text with a word of
    the table, or the URL's last path segment), plus links whose whole text is a word of the
    table ``alone``; at most ``limit`` (None: all). tel:, mailto: and javascript: links
    never count, nor a link whose URL ``skip`` says yes to."""
    out: list[LinkHit] = []
    seen: set[str] = set()
    for p in pages:
        for lk in p.links:
            if lk.url in seen or lk.url.startswith(("tel:", "mailto:", "javascript:")):
                continue
            w = menu_link(table, lk.text, lk.url, max_words) or (
                _alone(alone, lk.text) if alone and lk.text else "")
            if w and not (skip is not None and skip(lk.url)):
                seen.add(lk.url)
                out.append(LinkHit(p.url, lk.url, lk.text or lk.url, w))
                if limit is not None and len(out) >= limit:
                    return out
    return out


def heading_match(page, table: str) -> tuple[str, str]:
    """(the heading's text, the matched word) when the page's ``<h1>`` (or, without one,
    its ``<title>``) has a word of ``table``; ("", "") otherwise."""
    for sel in ("h1", "title"):
        n = page.tree.css_first(sel)
        if n is not None:
            text = " ".join(n.text(deep=True).split())
            m = keywords(table).search(text) if len(text.split()) <= 12 else None
            if m:
                return text, m.text
            if sel == "h1":
                break
    return "", ""


def section_pages(pages, table: str) -> list[tuple[object, str, str, str]]:
    """(page, heading, word, "h1" or "title") for each of ``pages`` that is itself the
    section ``table`` names (its heading says so, ``heading_match``), the home page
    excepted."""
    out = []
    for p in pages[1:]:
        text, word = heading_match(p, table)
        if word:
            out.append((p, text, word, "h1" if p.tree.css_first("h1") is not None else "title"))
    return out


def nothing_found(indicator: str, ui: UIStrings, site, pages, details: dict) -> Finding:
    """The ``fail`` finding of a site-level indicator that found nothing on ``pages``: the
    ui's "fail" message (with ``n``, the number of pages) and a "checked" evidence item."""
    url = site.start_url
    return Finding(indicator, Status.FAIL, url, ui("fail", n=len(pages)),
                   [Evidence(url, "message", message=ui.text("checked", n=len(pages)))],
                   details)


def judge_section(indicator: str, ui: UIStrings, site, table_name: str,
                  max_words: int = MAX_WORDS, alone: str = "") -> Finding:
    """The shared rule of the section indicators (help, business-info): a link to the
    section ``table_name`` names (``section_links``) on the home page or a page one click
    away (or, when none, in the rendered home page): pass, citing the links; else one of
    those pages is the section itself (``section_pages``): pass, citing its heading; else
    fail. ``ui`` has the keys pass,
    pass_page, fail, link, page, checked, title_links."""
    url = site.start_url
    pages = near_pages(site, (table_name,))
    links = section_links(pages, table_name, max_words, alone=alone) or \
        section_links(rendered_home(site), table_name, max_words, alone=alone)
    own = section_pages(pages, table_name)
    details = {"found": bool(links or own), "pages_checked": len(pages),
               "links": table([h.row() for h in links], headings=["text", "href", "from"],
                              title=ui.text("title_links"))}
    if links:
        ev = [h.evidence(ui.text("link", word=h.word)) for h in links[:4]]
        return Finding(indicator, Status.PASS, url,
                       ui("pass", text=links[0].text, href=links[0].href), ev, details)
    if own:
        p, text, word, sel = own[0]
        ev = [Evidence(p.url, "element", f"<{sel}>{text}</{sel}>", sel,
                       ui.text("page", word=word))]
        return Finding(indicator, Status.PASS, url, ui("pass_page", text=text, href=p.url), ev,
                       details)
    return nothing_found(indicator, ui, site, pages, details)


def judge(site, ctx: Context) -> Finding:
    """A link to FAQ / manuals / instructions / video guides (a short menu text with a
    [help] word, a whole-text "Yordam"/"Помощь"/"Help", or a /faq-like URL) on the home page
    or a page one click away, or such a page itself: pass. Nothing: fail."""
    return judge_section("help", UI, site, "help", alone="help_alone")


# the crawl visits help sections early (a scan keeps them as evidence); a link is enough to
# judge, so nothing is fetched one click away for this probe alone
PROBE = Probe(id="help", version=VERSION, requires=frozenset({Artifact.PAGES}), judge=judge,
              hints=Hints(follow=(Follow("help", 4),)))

"""procurement - tenders and their results, or the national procurement platforms (OSI
#028/#030, LOSI #220/#221).

Rule: on the home page and the pages one click from it, a link to a national procurement
platform (``probes/data/content_portals.toml`` [procurement]: xarid.uzex.uz,
etender.uzex.uz, cooperation.uz), or a procurement section link - a menu item of at most 4
words with a word of ``words_content.toml`` [procurement] (Davlat xaridlari, Давлат
харидлари, Государственные закупки, Тендеры, Procurement) or such a last path segment. pass:
a platform link, or a section link whose page was opened; warn: a section link whose page
could not be opened; fail: neither. A news item about a tender (a link into the news
section, or a headline longer than a menu item) is not a procurement section.

This module also holds the link rules the other content probes share (``section_links``:
``help.section_links`` without news items; ``portal_links``, ``hits_table``); a hit and its
evidence are ``help.LinkHit``: one rule, one place.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from pageread.links import domain_in, host_of
from pageread.words import keywords

from .help import LinkHit, section_links as _section_links
from .base import near_pages, Artifact, Evidence, Finding, Follow, Hints, Probe, Status, UIStrings, table, data_file

VERSION = "1.0"
MENU_WORDS = 4  # a menu item, not a headline that happens to name the section

UI = UIStrings("procurement", {
    "pass_portal": "The site links to the national procurement platform {host}: '{text}'.",
    "pass_section": "A procurement section is linked: '{text}'.",
    "warn_section": "A procurement section is linked ('{text}') but its page could not be "
                    "opened.",
    "fail": "No procurement section and no link to a national procurement platform "
            "(xarid.uzex.uz, etender.uzex.uz, cooperation.uz) on {n} page(s).",
    "portal_link": "a link to the procurement platform {host}",
    "section_link": "a procurement section link ('{word}')",
    "title_links": "Procurement links",
})


@lru_cache(maxsize=None)
def portal_hosts(table_name: str) -> tuple[str, ...]:
    """The portal hosts of one table of ``probes/data/content_portals.toml``."""
    data = data_file("content_portals")
    return tuple(h.lower() for h in data[table_name]["hosts"])


def portal_data() -> dict:
    return data_file("content_portals")


def host_in(href: str, hosts: tuple[str, ...]) -> str:
    """The portal host ``href`` points at: its host is one of ``hosts`` or a subdomain of
    one (``www.`` ignored); "" otherwise."""
    return domain_in(host_of(href), hosts)


@lru_cache(maxsize=65536)
def is_news_item(href: str) -> bool:
    """A link to one news item: a path below a news section (a segment of words.toml
    [news]: news, yangiliklar, novosti...) whose last segment carries a number (an id or a
    date)."""
    segs = [s for s in urlsplit(href).path.split("/") if s]
    if len(segs) < 2 or not any(c.isdigit() for c in segs[-1]):
        return False
    news = keywords("news")
    return any(news.in_attr(s) for s in segs[:-1])


def section_links(pages, table_name: str, max_words: int = MENU_WORDS) -> list[LinkHit]:
    """Links on ``pages`` to the section keyword table ``table_name`` names, as
    ``help.section_links`` reads them (a menu item of at most ``max_words`` words with a word
    of the table, or a last path segment that is one), all of them, never a news item
    (``is_news_item``)."""
    return _section_links(pages, table_name, max_words, limit=None, skip=is_news_item)


def portal_links(pages, hosts: tuple[str, ...]) -> list[LinkHit]:
    """Links on ``pages`` whose host is one of ``hosts`` (``host_in``), each URL once."""
    out: list[LinkHit] = []
    seen: set[str] = set()
    for page in pages:
        for lk in page.links:
            if lk.url in seen:
                continue
            h = host_in(lk.url, hosts)
            if h:
                seen.add(lk.url)
                out.append(LinkHit(page.url, lk.url, lk.text, h))
    return out


def opened(site, href: str):
    """The captured page ``href`` leads to, when it was fetched as HTML (else None)."""
    for p in site.html_pages(linked=True):
        if href in (p.url, p.response.requested_url) or \
                href.rstrip("/") in (p.url.rstrip("/"), p.response.requested_url.rstrip("/")):
            return p
    return None


def not_found(indicator: str, site, message, details: dict | None = None) -> "Finding":
    """The fail finding of a section probe that found nothing: the message is its own
    evidence (what was looked at, on how many pages)."""
    return Finding(indicator, Status.FAIL, site.start_url, message,
                   [Evidence(site.start_url, "message", message=message.text)], details or {})


def hits_table(hits: list[LinkHit], title: str, **extra) -> dict:
    return table([{"text": h.text, "href": h.href, "from": h.page, "matched": h.word,
                   **{k: v(h) for k, v in extra.items()}} for h in hits[:8]], title=title)


def judge(site, ctx) -> Finding:
    """The rule of the module docstring."""
    pages = near_pages(site, ("procurement",))
    portals = portal_links(pages, portal_hosts("procurement"))
    sections = section_links(pages, "procurement")
    details = {"found": bool(portals or sections), "pages_checked": len(pages),
               "links": hits_table(portals + sections, UI.text("title_links"))}
    evidence = [h.evidence(UI.text("portal_link", host=h.word)) for h in portals[:3]]
    evidence += [h.evidence(UI.text("section_link", word=h.word), opened=bool(
        opened(site, h.href))) for h in sections[:3]]
    if portals:
        h = portals[0]
        return Finding("procurement", Status.PASS, site.start_url,
                       UI("pass_portal", host=h.word, text=h.text), evidence, details)
    if sections:
        ok = [h for h in sections if opened(site, h.href) is not None]
        h = (ok or sections)[0]
        return Finding("procurement", Status.PASS if ok else Status.WARN, site.start_url,
                       UI("pass_section" if ok else "warn_section", text=h.text), evidence,
                       details)
    return not_found("procurement", site, UI("fail", n=len(pages)), details)


PROBE = Probe(id="procurement", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(follow=(Follow("procurement", 4, linked=True),)))

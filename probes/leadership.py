"""leadership - the heads, with names, posts and contacts or reception days (OSI #011,
LOSI #216).

Rule: a leadership section - a page one click from home reached by a menu item of
``words_content.toml`` [leadership] (Rahbariyat, Раҳбарият, Руководство, Leadership...), a
captured page headed so, or a block of the home page under such a heading - naming at least
one person (two or three capitalised words, one with a surname or patronymic ending:
-ov/-ev/-ova, -ovich/-ovna, o‘g‘li/qizi, -ов/-ев/-ович/-овна, ўғли/қизи...) with a post next to
the name ([leader_title]: hokim, o‘rinbosari, заместитель, deputy...) and, near it, a phone or
e-mail (the contact-us patterns) or reception days ([reception_days]: Qabul kunlari, Приёмные
дни...). pass: such a person; warn: names with posts but no contacts or reception days, or a
leadership link whose page could not be opened; fail: no leadership section, or a section
that names nobody (a heading alone is not leadership).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pageread.selectors import css_selector
from pageread.words import keywords

from .base import (near_pages, Artifact, Evidence, Finding, Follow, Hints, Probe, Status, UIStrings,
                   table)
from .contact_us import EMAIL, PHONE_998, PHONE_LOCAL
from .procurement import is_news_item, not_found, opened, section_links

VERSION = "1.0"
WINDOW_BEFORE, WINDOW_AFTER = 160, 260  # characters around a name read for post/contacts
TEXT_MAX = 60_000  # characters of a leadership page read

UI = UIStrings("leadership", {
    "pass": "The heads are published with names, posts and {what}: {name} ({title}).",
    "what_contacts": "contacts",
    "what_reception": "reception days",
    "what_both": "contacts and reception days",
    "warn_no_contacts": "Heads are named with their posts ({name}, {title}), but no phone, "
                        "e-mail or reception days were found next to them.",
    "warn_link_only": "A leadership section is linked ('{text}') but its page could not be "
                      "opened.",
    "fail_no_names": "A leadership section was found ('{text}') but it names nobody with a "
                     "post.",
    "fail": "No leadership section (heads with names, posts and contacts) was found on {n} "
            "page(s).",
    "person": "{name} - {title}",
    "section_link": "a leadership section link ('{word}')",
    "section": "the leadership section '{text}'",
    "title_people": "Heads found",
})

_LAT = r"[A-Z](?:[a-z]|['ʻʼ‘’`][a-z]|-[A-Z])+"
_CYR = r"[А-ЯЁЎҚҒҲ](?:[а-яёўқғҳ]|-[А-ЯЁЎҚҒҲ])+"
_PATRO = r"(?:[ \t]+(?:o['ʻʼ‘’`]g['ʻʼ‘’`]li|qizi|ugli|ўғли|қизи|угли))?"
# a name never runs across two elements' texts (they are joined with a line break)
NAME = re.compile(rf"(?<![\w'ʻʼ‘’])(?:{_LAT}(?:[ \t]+{_LAT}){{1,2}}|{_CYR}(?:[ \t]+{_CYR}){{1,2}})"
                  rf"{_PATRO}(?![\w])")
# surname and patronymic endings (Uzbek and Russian, both scripts, and their transliteration)
SURNAME_END = re.compile(r"(?:ov|ev|ova|eva|yev|yeva|iy|ovich|evich|ovna|evna|zoda|"
                         r"ов|ев|ова|ева|ёв|ёва|ий|ович|евич|овна|евна|зода)$")


@dataclass
class Person:
    name: str
    title: str
    contact: str
    reception: str
    url: str
    selector: str

    def row(self) -> dict:
        return {"name": self.name, "title": self.title, "contact": self.contact,
                "reception": self.reception, "url": self.url}


def is_person_name(text: str) -> bool:
    """Two or three capitalised words (one script), one of them with a surname or
    patronymic ending, or followed by o‘g‘li/qizi."""
    words = [w for w in re.split(r"\s+", text) if w]
    if re.search(r"(o['ʻʼ‘’`]g['ʻʼ‘’`]li|qizi|ugli|ўғли|қизи|угли)$", text):
        return True
    return any(len(w) > 3 and SURNAME_END.search(w) for w in words)


def _split_title(name: str) -> tuple[str, str]:
    """A capitalised post glued to a name ("Governor Botir Zaripov", "Karimova Dilnoza
    Hokim"): (the name without it, the post)."""
    words = name.split()
    title = keywords("leader_title")
    post = ""
    while words and title.search(words[0]):
        post = post or title.search(words[0]).text
        words = words[1:]
    while words and title.search(words[-1]):
        post = post or title.search(words[-1]).text
        words = words[:-1]
    return " ".join(words), post


def people_in(node, url: str) -> list[Person]:
    """The persons named in ``node``'s text, each with the post written right before or
    after the name, and the contacts or reception days that follow it (up to the next
    name)."""
    text = re.sub(r"[ \t\r\f\v\u00a0]+", " ",
                  node.text(deep=True, separator="\n"))[:TEXT_MAX]
    matches = []
    for m in NAME.finditer(text):
        name, post = _split_title(m.group(0))
        if len(name.split()) >= 2 and is_person_name(name):
            matches.append((m.start(), m.end(), name, post))
    out: list[Person] = []
    for i, (start, end, name, post) in enumerate(matches):
        if any(p.name == name for p in out):
            continue
        lo = max(matches[i - 1][1] if i else 0, start - WINDOW_BEFORE)
        hi = min(matches[i + 1][0] if i + 1 < len(matches) else len(text), end + WINDOW_AFTER)
        before, after = text[lo:start], text[end:hi]
        t = post or (keywords("leader_title").search(before[-80:]) or
                     keywords("leader_title").search(after[:120]) or None)
        if not t:
            continue
        window = after  # a head's contacts and reception days follow the name
        contact = ""
        for rx in (PHONE_998, PHONE_LOCAL, EMAIL):
            c = rx.search(window)
            if c:
                contact = " ".join(c.group(0).split())
                break
        rec = keywords("reception_days").search(window)
        out.append(Person(name, t if isinstance(t, str) else t.text, contact,
                          rec.text if rec else "", url, css_selector(node)))
    return out


def _heading(page, table_name: str, tags: str = "h1") -> tuple[object, str] | None:
    for n in page.tree.css(tags):
        text = n.text(deep=True, strip=True)
        if text and len(text.split()) <= 5 and keywords(table_name).search(text):
            return n, text
    return None


def sections(site, pages) -> list[tuple[object, str, str, str]]:
    """(element, page url, heading or link text, how found) of every leadership section:
    the pages leadership links lead to, captured pages headed so, and home-page blocks
    under a leadership heading (the heading's parent)."""
    out: list[tuple[object, str, str, str]] = []
    seen: set[str] = set()
    for h in section_links(pages[:1], "leadership"):
        p = opened(site, h.href)
        if p is not None and p.url not in seen and p.tree.body is not None:
            seen.add(p.url)
            out.append((p.tree.css_first("main") or p.tree.body, p.url, h.text, "link"))
    for p in pages[1:]:
        if p.url in seen or is_news_item(p.url):
            continue
        hd = _heading(p, "leadership")
        if hd is not None:
            seen.add(p.url)
            out.append((p.tree.css_first("main") or p.tree.body, p.url, hd[1], "heading"))
    if pages:
        home = pages[0]
        for n in home.tree.css("h2, h3"):
            text = n.text(deep=True, strip=True)
            if text and len(text.split()) <= 5 and keywords("leadership").search(text) \
                    and n.parent is not None:
                out.append((n.parent, home.url, text, "home block"))
    return out


def judge(site, ctx) -> Finding:
    """The rule of the module docstring."""
    pages = near_pages(site, ("leadership",))
    links = section_links(pages[:1], "leadership")
    found = sections(site, pages)
    people: list[Person] = []
    for node, url, _, _ in found:
        people += [p for p in people_in(node, url) if p.name not in {q.name for q in people}]
    full = [p for p in people if p.contact or p.reception]
    details = {"found": bool(links or found), "pages_checked": len(pages),
               "sections": table([{"url": u, "text": t, "how": how} for _, u, t, how in found],
                                 headings=["text", "url", "how"]),
               "people": table([p.row() for p in people[:10]], title=UI.text("title_people"))}
    evidence = [h.evidence(UI.text("section_link", word=h.word)) for h in links[:1]]
    for p in (full or people)[:4]:
        evidence.append(Evidence(p.url, "text", p.name, p.selector,
                                 UI.text("person", name=p.name, title=p.title), p.row()))
    if full:
        p = full[0]
        what = "what_both" if p.contact and p.reception else \
            "what_contacts" if p.contact else "what_reception"
        return Finding("leadership", Status.PASS, site.start_url,
                       UI("pass", what=UI.text(what), name=p.name, title=p.title), evidence,
                       details)
    if people:
        p = people[0]
        return Finding("leadership", Status.WARN, site.start_url,
                       UI("warn_no_contacts", name=p.name, title=p.title), evidence, details)
    if found:
        node, url, text, _ = found[0]
        evidence.append(Evidence(url, "element", (node.html or "")[:600], css_selector(node),
                                 UI.text("section", text=text)))
        return Finding("leadership", Status.FAIL, site.start_url,
                       UI("fail_no_names", text=text), evidence, details)
    if links:
        return Finding("leadership", Status.WARN, site.start_url,
                       UI("warn_link_only", text=links[0].text), evidence, details)
    return not_found("leadership", site, UI("fail", n=len(pages)), details)


PROBE = Probe(id="leadership", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(follow=(Follow("leadership", 6, linked=True),)))

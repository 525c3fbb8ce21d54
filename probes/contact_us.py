"""contact-us - the body's own contacts (OSI #008, LOSI #214).

Rule: a contacts page or block - a link whose text or URL says contacts (Kontaktlar, Aloqa,
Bog‘lanish, Контакты, Боғланиш, Манзил, Contacts...), an ``<address>`` element, an element
whose class/id says contact, or the site footer - showing at least one of:

* a phone: ``+998`` numbers in any grouping (``(+998 65) 222-22-22``, ``(+998) 65-222-22-22``,
  ``+998 71 123 45 67``), ``tel:`` links, local numbers with an area code
  (``(71) 123-45-67``), short hotlines (``1242``, ``1000``) right after a phone word
  ("Ishonch telefoni", "Call-markaz", "Телефон доверия", "Hotline");
* an e-mail address (text or ``mailto:``);
* a postal address: an ``<address>`` element, "Manzil:"/"Манзил:"/"Адрес:"/"Address:"
  followed by text, or a street word (ko‘chasi, кўчаси, улица, street...) with a number.

pass - a contacts page/block with at least one of them; warn - contact details only outside a
contacts page/block, or a contacts link whose page was not captured and showed nothing;
fail - neither. Whether the numbers belong to the body itself (not a ministry or a bank)
cannot be proven: the page and the matched text are kept as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

from pageread.facts import page_facts
from pageread.selectors import css_selector
from pageread.words import fold, keywords, menu_link

from .base import (in_reach, Artifact, Context, Evidence, Finding, Follow, Hints, Probe, Status,
                   UIStrings, bullets, table)

VERSION = "1.0"

UI = UIStrings("contact-us", {
    # summaries; {facts} is the contact details found, worded by Facts.summary()
    "pass_page": "Contacts found in the contacts page: {facts}.",
    "pass_block": "Contacts found in a contact block: {facts}.",
    "warn_page_text": "Contact details appear in the page text, but not in a contacts page or "
                      "block: {facts}.",
    "warn_link_only": "A contacts link was found, but no phone, e-mail or address was seen "
                      "(the contacts page was not captured or shows none).",
    "fail": "No contacts page or block with a phone, e-mail or address was found.",
    # the contact details, joined with "; " into {facts}
    "fact": "{label}: {value}",
    "fact_more": "{label}: {value} (+{more})",
    "label_phones": "phone",
    "label_hotlines": "hotline",
    "label_emails": "e-mail",
    "label_addresses": "address",
    # evidence messages
    "contacts_page_shows": "the contacts page shows {facts}",
    "block_shows": "a contact block <{tag}> shows {facts}",
    "in_page_text": "contact details in the page text (not in a contacts page or block): "
                    "{facts}",
    "contacts_link": "contacts link ('{word}')",
    "checked": "checked {n} page(s)",
    # details titles
    "title_contacts_links": "Contacts links",
    "title_contacts_pages": "Contacts pages",
    "title_phones": "Phones",
    "title_hotlines": "Hotlines",
    "title_emails": "E-mails",
    "title_addresses": "Addresses",
    "title_where": "Where the contacts were found",
})

# (the look-behinds follow the first character, ``\((?<![\d+]\()`` = ``(?<![\d+])\(``, so
# that ``re`` scans for that character instead of trying every position: 5-10x faster)
PHONE_998 = re.compile(r"(?:\+(?<![\d+]\+)\s*998|\((?<![\d+]\()\s*\+?\s*998|9(?<![\d+]9)98)"
                       r"\s*\)?[\s\-.]*\(?\s*\d{2}\s*\)?"
                       r"[\s\-.]*\d{3}[\s\-.]*\d{2}[\s\-.]*\d{2}(?!\d)")
PHONE_LOCAL = re.compile(r"\((?<![\d+]\()\s*\d{2,3}\s*\)\s*\d{3}[\s\-]\d{2}[\s\-]\d{2}(?!\d)")
# "Tel: 71 233-45-67" - a 2-3-2-2 number without +998 counts only right after a phone word
PHONE_BARE = re.compile(r"\d(?<![\d+(\-]\d)\d[\s\-]\d{3}[\s\-]\d{2}[\s\-]\d{2}(?![\d\-])")
_SHORT_NUMBER = re.compile(r"(\d(?<![\d+(]\d)\d{2,4})(?![\d\-./:)])")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*"
                   r"\.[a-z]{2,24}(?![\w-])", re.I)


def emails_in(t: str) -> list:
    """``EMAIL.finditer(t)``, searched only between the "@"s: an address holds one "@" and
    lies between its neighbours (a regex that starts with a look-behind and a repeat tries
    every position of a long text)."""
    out = []
    ats, i = [], t.find("@")
    while i >= 0:
        ats.append(i)
        i = t.find("@", i + 1)
    prev, last_end = -1, 0
    for k, i in enumerate(ats):
        end = ats[k + 1] if k + 1 < len(ats) else len(t)
        m = EMAIL.search(t, max(prev + 1, i - 64, last_end), end)
        if m is not None:
            out.append(m)
            last_end = m.end()
        prev = i
    return out


_NOT_EMAIL_TLD = ("png", "jpg", "jpeg", "gif", "svg", "webp", "js", "css")


@dataclass
class Facts:
    phones: list[str] = field(default_factory=list)
    hotlines: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.phones or self.hotlines or self.emails or self.addresses)

    def merge(self, other: "Facts") -> None:
        for k in ("phones", "hotlines", "emails", "addresses"):
            mine = getattr(self, k)
            for v in getattr(other, k):
                if v not in mine:
                    mine.append(v)

    def summary(self) -> str:
        parts = []
        for k in ("phones", "hotlines", "emails", "addresses"):
            v = getattr(self, k)
            if v:
                label = UI.text("label_" + k)
                parts.append(UI.text("fact_more", label=label, value=v[0], more=len(v) - 1)
                             if len(v) > 1 else UI.text("fact", label=label, value=v[0]))
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {k: v[:5] for k, v in self.__dict__.items()}


def _hotlines(text: str) -> list[str]:
    """Short numbers (3-5 digits) right after a phone word: "Ishonch telefoni: 1242"."""
    out = []
    f = fold(text)
    if "998" in f:  # every +998 number has it
        f = PHONE_998.sub(" ", f)
    f = PHONE_LOCAL.sub(" ", f)
    for m in _SHORT_NUMBER.finditer(f):
        n = m.group(1)
        if 1900 <= int(n) <= 2100:
            continue  # a year
        before = f[max(0, m.start() - 40):m.start()]
        if keywords("phone_label").search(before, folded=True) and \
                re.search(r"[:\-–—]\s*(?:\S+\s*){0,2}$", before):
            out.append(n)
    return out


_STOP = re.compile(r"\+\s*998|\(\s*\+|@|\be-?mail\b|\S+@", re.I)


def _cut_address(s: str) -> str:
    """Cut an address candidate where the next contact item starts (a phone word, an
    e-mail, +998)."""
    f = fold(s)
    ends = [len(s)]
    m = _STOP.search(f)
    if m:
        ends.append(m.start())
    for kw in ("phone_label", "contacts"):
        for mm in keywords(kw).find_all(f, folded=True):
            i = f.find(mm.text)
            if i > 0:
                ends.append(i)
    return s[:min(ends)].strip(" ,;.:-–")


_STREET_NUM = re.compile(r"\d{1,3}[a-zа-я]?(?![\d])")


def _addresses(text: str) -> list[str]:
    """Postal addresses: text after an address word ("Manzil:", "Адрес:"), or a phrase with a
    street word (ko‘chasi, кўчаси, улица, street...) and a house number near it."""
    out = []
    flat = " ".join(text.split())
    f = fold(flat)
    for m in keywords("address_label").find_all(f, folded=True):
        i = f.find(m.text)
        rest = flat[i + len(m.text):i + len(m.text) + 200]
        mm = re.match(r"\w*\s*[:\-–—]\s*(.+)", rest)
        if mm:
            cand = _cut_address(mm.group(1))[:150]
            if len(cand) >= 8 and re.search(r"\w{3}", cand):
                out.append(cand)
    if not out:
        st = keywords("street")
        for mm in st.find_all(f, folded=True):
            i = f.find(mm.text)
            window = f[max(0, i - 25):i + len(mm.text) + 15]
            if _STREET_NUM.search(window):
                start = max(0, flat.rfind(",", 0, max(0, i - 30)) + 1, i - 60)
                cand = _cut_address(flat[start:i + len(mm.text) + 40])
                if len(cand) >= 8:
                    out.append(cand)
                    break
    return out


def facts_in(node, text: str | None = None) -> Facts:
    """Phones, hotlines, e-mails and addresses in an element (its text and its tel:/mailto:
    links)."""
    t = text if text is not None else node.text(deep=True, separator=" ")
    fx = Facts()
    for m in PHONE_998.finditer(t) if "998" in t else ():
        fx.phones.append(" ".join(m.group(0).split()))
    for m in PHONE_LOCAL.finditer(t):
        v = " ".join(m.group(0).split())
        if not any(v[-9:] in p for p in fx.phones):
            fx.phones.append(v)
    for m in PHONE_BARE.finditer(t):
        v = " ".join(m.group(0).split())
        before = fold(t[max(0, m.start() - 30):m.start()])
        if keywords("phone_label").search(before, folded=True) and \
                not any(re.sub(r"\D", "", v) in re.sub(r"\D", "", p) for p in fx.phones):
            fx.phones.append(v)
    for a in node.css('a[href^="tel:"], a[href^="TEL:"]'):
        v = unquote((a.attributes.get("href") or "")[4:]).strip()
        digits = re.sub(r"\D", "", v)
        if len(digits) >= 3 and not any(digits[-7:] in re.sub(r"\D", "", p)
                                        for p in fx.phones + fx.hotlines):
            (fx.phones if len(digits) >= 7 else fx.hotlines).append(v)
    fx.hotlines += [h for h in _hotlines(t) if h not in fx.hotlines]
    for m in emails_in(t):
        v = m.group(0)
        if not v.lower().rsplit(".", 1)[-1] in _NOT_EMAIL_TLD and v not in fx.emails:
            fx.emails.append(v)
    for a in node.css('a[href^="mailto:"], a[href^="MAILTO:"]'):
        v = unquote((a.attributes.get("href") or "")[7:]).split("?")[0].strip()
        if v and v not in fx.emails:
            fx.emails.append(v)
    addr_nodes = list(node.css("address")) + ([node] if node.tag == "address" else [])
    for ad in addr_nodes:
        at = " ".join(ad.text(deep=True, separator=" ").split())
        for cand in (_addresses(at) or [_cut_address(at)]):
            if len(cand) >= 8 and cand[:200] not in fx.addresses:
                fx.addresses.append(cand[:200])
    fx.addresses += [a for a in _addresses(t) if a not in fx.addresses]
    return fx


@lru_cache(maxsize=65536)  # menus repeat on every page: a pure function of strings
def is_contacts_link(text: str, href: str) -> str:
    """The matched word when a link leads to the contacts page ("" otherwise)."""
    if href.startswith(("mailto:", "tel:", "javascript:")):
        return ""
    # at most 3 words: a menu item, not a headline about lenses
    return menu_link("contacts", text, href, 3)


def contact_blocks(tree) -> list:
    """Elements that are contact blocks: ``<address>``, class/id saying contact, footer."""
    out = []
    for n in tree.css("address, footer, [class*=contact], [id*=contact], [class*=kontakt], "
                      "[id*=kontakt], [class*=footer], [id*=footer], [role=contentinfo]"):
        if n.tag in ("a", "input", "button", "script", "style", "link", "meta"):
            continue
        if any(n.mem_id == o.mem_id for o in out):
            continue
        out.append(n)
    return out[:12]


def _is_contacts_page(page) -> str:
    path_m = is_contacts_link("", page.url)
    if path_m:
        return path_m
    for sel in ("h1", "title"):
        n = page_facts(page).tree.css_first(sel)
        if n is not None:
            m = keywords("contacts").search(n.text(deep=True))
            if m:
                return m.text
    return ""


def _judge(site, ctx: Context, pages: list) -> Finding:
    """A contacts page or block (a link saying Kontaktlar/Aloqa/Bog‘lanish/Контакты/
    Боғланиш/Манзил/Contacts or a URL like /contacts, an <address>, an element called
    contact, the footer) with at least one phone (+998 numbers, tel: links, short hotlines
    after a phone word), e-mail or postal address: pass. Contact details only elsewhere, or a
    contacts link whose page was not captured: warn. Nothing: fail."""
    url = site.start_url
    by_url = {}
    for p in pages:
        by_url.setdefault(p.url.rstrip("/"), p)
        by_url.setdefault(p.response.requested_url.rstrip("/"), p)
    links: list[tuple[str, str, str, str]] = []  # (from, href, text, word)
    for p in pages:
        for lk in page_facts(p).links:
            w = is_contacts_link(lk.text, lk.url)
            if w and not any(lk.url == x[1] for x in links):
                links.append((p.url, lk.url, lk.text, w))
    evidence: list[Evidence] = []
    all_facts = Facts()
    where: list[dict] = []

    # 1. contacts pages (linked, or the page itself says contacts)
    contact_pages = []
    for _, href, _, _ in links:
        p = by_url.get(href.rstrip("/"))
        if p is not None and p not in contact_pages:
            contact_pages.append(p)
    for p in pages:
        if p not in contact_pages and _is_contacts_page(p):
            contact_pages.append(p)
    for p in contact_pages:
        pf = page_facts(p)
        main = pf.tree.css_first("main") or pf.tree.body
        if main is None:
            continue
        fx = facts_in(main, pf.text_of(main))
        if fx:
            all_facts.merge(fx)
            where.append({"url": p.url, "kind": "contacts-page", **fx.to_dict()})
            evidence.append(Evidence(p.url, "text", fx.summary(), css_selector(main),
                                     UI.text("contacts_page_shows", facts=fx.summary()),
                                     fx.to_dict()))
    # 2. contact blocks on every page (address, class contact, footer)
    for p in pages:
        pf = page_facts(p)
        for blk in contact_blocks(pf.tree):
            fx = facts_in(blk, pf.text_of(blk))
            if not fx:
                continue
            new = Facts()
            new.merge(fx)
            before = Facts(**{k: list(v) for k, v in all_facts.__dict__.items()})
            all_facts.merge(fx)
            if before.__dict__ == all_facts.__dict__ and where:
                continue
            where.append({"url": p.url, "kind": f"block <{blk.tag}>", **fx.to_dict()})
            if len(evidence) < 4:
                evidence.append(Evidence(p.url, "element", blk.html or "", css_selector(blk),
                                         UI.text("block_shows", tag=blk.tag,
                                                 facts=fx.summary()),
                                         fx.to_dict()))
    block_facts = bool(all_facts)
    # 3. anywhere else in the page text (weaker)
    loose = Facts()
    if not block_facts:
        for p in pages:
            pf = page_facts(p)
            if pf.tree.body is not None:
                fx = facts_in(pf.tree.body, pf.body_text)
                if fx:
                    loose.merge(fx)
                    where.append({"url": p.url, "kind": "page text", **fx.to_dict()})
                    evidence.append(Evidence(p.url, "text", fx.summary(), "body",
                                             UI.text("in_page_text", facts=fx.summary()),
                                             fx.to_dict()))
                    break
    for frm, href, text, w in links[:2]:
        evidence.insert(0, Evidence(frm, "link", f'<a href="{href}">{text}</a>',
                                    message=UI.text("contacts_link", word=w),
                                    data={"href": href, "captured": href.rstrip("/") in by_url}))
    facts = all_facts if block_facts else loose
    details = {"found": bool(links or contact_pages or facts), "pages_checked": len(pages),
               "contacts_links": table(
                   [{"href": h, "text": t, "from": f} for f, h, t, _ in links][:5],
                   headings=["text", "href", "from"], title=UI.text("title_contacts_links")),
               "contacts_pages": bullets([p.url for p in contact_pages][:5],
                                         title=UI.text("title_contacts_pages")),
               "phones": bullets(facts.phones[:5], title=UI.text("title_phones")),
               "hotlines": bullets(facts.hotlines[:5], title=UI.text("title_hotlines")),
               "emails": bullets(facts.emails[:5], title=UI.text("title_emails")),
               "addresses": bullets(facts.addresses[:3], title=UI.text("title_addresses")),
               "where": table(where[:6], headings=["url", "kind", "phones", "hotlines",
                                                   "emails", "addresses"],
                              title=UI.text("title_where"))}
    if block_facts:
        key = "pass_page" if any(w["kind"] == "contacts-page" for w in where) else \
            "pass_block"
        return Finding("contact-us", Status.PASS, url, UI(key, facts=all_facts.summary()),
                       evidence, details)
    if loose:
        return Finding("contact-us", Status.WARN, url,
                       UI("warn_page_text", facts=loose.summary()), evidence, details)
    if links:
        return Finding("contact-us", Status.WARN, url, UI("warn_link_only"), evidence,
                       details)
    return Finding("contact-us", Status.FAIL, url, UI("fail"),
                   [Evidence(url, "message", message=UI.text("checked", n=len(pages)))],
                   details)

# the sections this probe reads besides the home page (its Follow tables)
# the contacts section, and the sections that carry numbers on hokimiyat sites when the
# contacts page does not: the leadership (the hokim's reception phone) and the appeals page
SECTIONS = ("contacts", "leadership", "appeal_section")

judge = in_reach(SECTIONS, _judge)


PROBE = Probe(id="contact-us", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(follow=(Follow("contacts", 10, linked=True),),
                          boxes=("body", "main", "footer", "address", "[class*=contact i]",
                                 "[id*=contact i]")))

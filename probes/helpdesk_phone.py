"""helpdesk-phone - technical-support / trust phone numbers (LOSI item 47.17).

Rule: a phone number right after (or right before) a support label - "Ishonch telefoni",
"Call-markaz", "Ишонч телефони", "Колл-центр", "Телефон доверия", "Горячая линия",
"Техподдержка", "Hotline", "Call centre" (``words_services.toml [helpdesk_label]``; a plain
"Telefon", "Tel." or "Qabulxona" is a phone, not a helpdesk) - within a few characters: a
+998 number in any grouping, a local number with an area code, a short hotline of 3-5
digits (1242, 1000, 1093; not a year), or a ``tel:`` link whose own text or parent element
carries the label.
Where: the header, the footer and the contact blocks of the home page and the pages one
click away, and the main part of the contacts pages (fetched one click away: this probe's
``Follow`` hints for contacts and for links named like a helpdesk).

pass - a labelled number (the number and its label are the evidence); warn - a support label
without a number next to it (e.g. a "Call-markaz" link whose page was not fetched); fail -
none (numbers without a support label are listed in details, not counted).
"""

from __future__ import annotations

import re

from pageread.selectors import css_selector
from pageread.words import fold, keywords, menu_link

from .base import (near_pages, Artifact, Context, Evidence, Finding, Follow, Hints, Probe, Status,
                   UIStrings, bullets, table)
from .contact_us import PHONE_998, PHONE_LOCAL, contact_blocks, is_contacts_link
from .help import heading_match, nothing_found, section_links

VERSION = "1.0"
GAP = 25  # characters allowed between the label and its number ("Ishonch telefoni: ")
BLOCK_TEXT = 4000  # characters of a block's text read

UI = UIStrings("helpdesk-phone", {
    "pass": "A support number is published: {label} {number}.",
    "warn_label_only": "A support line is named (“{label}”), but no number was found next to "
                       "it.",
    "fail": "No phone number with a support label (trust line, call centre, hotline) was "
            "found on the {n} page(s) checked.",
    "number": "the number {number} beside the label “{label}”",
    "label_link": "a link named like a helpdesk (“{word}”)",
    "checked": "checked {n} page(s)",
    "title_numbers": "Support numbers",
    "title_unlabelled": "Phone numbers without a support label (not counted)",
})

SHORT = re.compile(r"(?<![\d+(])(\d{3,5})(?![\d\-./:)])")
_BLOCKS = "header, [class*=header], [class*=hotline], [class*=call], [class*=phone]"


def number_after(text: str, start: int) -> str:
    """The first phone number beginning at most ``GAP`` characters after ``start`` in
    ``text`` (folded): a +998 or area-code number, else a short 3-5 digit hotline that is
    not a year; "" when none."""
    window = text[start:start + GAP + 22]
    best = ""
    best_at = GAP + 1
    for rx in (PHONE_998, PHONE_LOCAL):
        m = rx.search(window)
        if m and m.start() <= GAP and m.start() < best_at:
            best, best_at = " ".join(m.group(0).split()), m.start()
    if best:
        return best
    m = SHORT.search(window)
    if m and m.start() <= GAP and not 1900 <= int(m.group(1)) <= 2100:
        return m.group(1)
    return ""


_BEFORE = re.compile(r"(?<![\d+(])(\+?[\d()][\d() \-]{1,18}\d|\d{3,5})[\s:\-–—|·]*$")


def number_before(text: str, end: int) -> str:
    """A number standing right before a label ("1242 - ishonch telefoni", "+998 71 200-00-00
    Call-markaz"): a +998/area-code number or a 3-5 digit hotline that is not a year,
    separated from the label by at most a dash or a colon; "" when none."""
    m = _BEFORE.search(text[max(0, end - 24):end])
    if not m:
        return ""
    n = m.group(1).strip()
    digits = re.sub(r"\D", "", n)
    if len(digits) <= 5:
        return n if 3 <= len(digits) and n.isdigit() and not 1900 <= int(n) <= 2100 else ""
    return " ".join(n.split()) if PHONE_998.fullmatch(n) or PHONE_LOCAL.fullmatch(n) else ""


def _as_written(text: str, piece: str, near: int, size: int) -> str:
    """The part of ``text`` (as written) that folds to ``piece`` near the number at ``near``
    (``size`` characters long) - the label of the number, for the evidence; ``piece``
    itself when not found."""
    lo = max(0, near - GAP - len(piece) - 8)
    hi = min(len(text), near + size + GAP + len(piece) + 8)
    for j in range(lo, hi):
        if not text[j].isalnum():
            continue
        for n in (len(piece), len(piece) + 1, len(piece) - 1, len(piece) + 2):
            if fold(text[j:j + n]) == piece:
                return text[j:j + n].strip()
    return piece


def labelled_numbers(text: str) -> list[tuple[str, str]]:
    """(label as written, number) for each helpdesk label of ``text`` followed by a number
    (``number_after``)."""
    text = " ".join(text[:BLOCK_TEXT].split())
    f = fold(text)
    out: list[tuple[str, str]] = []
    for m in keywords("helpdesk_label").find_all(f, folded=True):
        for at in re.finditer(re.escape(m.text), f):
            n = number_after(f, at.end()) or number_before(f, at.start())
            if n and not any(n == x for _, x in out):
                k = text.find(n)
                out.append((_as_written(text, m.text, k, len(n)) if k >= 0 else m.text, n))
    return out


def _tel_links(node) -> list[tuple[str, str, object]]:
    """(label, number, link) for ``tel:`` links whose text or parent's text has a helpdesk
    label; and ("", number, link) for the others."""
    out = []
    for a in node.css('a[href^="tel:"], a[href^="TEL:"]'):
        number = (a.attributes.get("href") or "")[4:].strip()
        around = a.text(deep=True) or ""
        if a.parent is not None:
            around = a.parent.text(deep=True, separator=" ")[:300]
        m = keywords("helpdesk_label").search(around)
        out.append((m.text if m else "", number, a))
    return out


def judge(site, ctx: Context) -> Finding:
    """A number (+998, area code, 3-5 digit hotline, tel: link) within a few characters after
    a support label (Ishonch telefoni, Call-markaz, Колл-центр, Телефон доверия, Hotline...)
    in the header, footer, contact blocks or contacts pages of the home page and the pages
    one click away: pass. A support label without a number: warn. None: fail."""
    url = site.start_url
    pages = near_pages(site, ("contacts", "helpdesk_label"))
    found: list[dict] = []
    evidence: list[Evidence] = []
    unlabelled: list[str] = []
    for p in pages:
        blocks = list(contact_blocks(p.tree))
        blocks += [n for n in p.tree.css(_BLOCKS) if n.tag not in ("a", "script", "style")
                   and not any(n.mem_id == b.mem_id for b in blocks)][:8]
        if is_contacts_link("", p.url) or heading_match(p, "contacts")[1] or \
                menu_link("helpdesk_label", "", p.url, 6):
            main = p.tree.css_first("main") or p.tree.body
            if main is not None:
                blocks.append(main)
        for b in blocks:
            pairs = labelled_numbers(b.text(deep=True, separator=" "))
            for label, number, a in _tel_links(b):
                if label:
                    pairs.append((label, number))
                elif number not in unlabelled:
                    unlabelled.append(number)
            for label, number in pairs:
                if any(f["number"] == number for f in found):
                    continue
                found.append({"label": label, "number": number, "page": p.url})
                if len(evidence) < 4:
                    evidence.append(Evidence(p.url, "text", f"{label} {number}",
                                             css_selector(b),
                                             UI.text("number", number=number, label=label),
                                             {"label": label, "number": number}))
    unlabelled = [n for n in unlabelled
                  if not any(re.sub(r"\D", "", n).endswith(re.sub(r"\D", "", f["number"]))
                             for f in found)]
    details = {"found": bool(found), "pages_checked": len(pages),
               "numbers": table(found[:8], headings=["label", "number", "page"],
                                title=UI.text("title_numbers")),
               "unlabelled": bullets(unlabelled[:8], title=UI.text("title_unlabelled"))}
    if found:
        return Finding("helpdesk-phone", Status.PASS, url,
                       UI("pass", label=found[0]["label"], number=found[0]["number"]),
                       evidence, details)
    named = section_links(pages, "helpdesk_label", limit=3)
    if named:
        details["found"] = True
        return Finding("helpdesk-phone", Status.WARN, url,
                       UI("warn_label_only", label=named[0].text),
                       [h.evidence(UI.text("label_link", word=h.word)) for h in named],
                       details)
    return nothing_found("helpdesk-phone", UI, site, pages, details)


PROBE = Probe(id="helpdesk-phone", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(follow=(Follow("contacts", 6, linked=True),
                                  Follow("helpdesk_label", 6, linked=True)),
                          boxes=("footer", "header", "address", "main")))

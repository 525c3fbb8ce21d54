"""privacy-policy - a privacy / personal-data policy is linked and is a real page (OSI #014,
LOSI #234).

Rule: the home page or a page one click from it links to a privacy or personal-data policy -
"Maxfiylik siyosati", "Shaxsga doir ma'lumotlar", "Махфийлик сиёсати", "Политика
конфиденциальности", "Персональные данные", "Privacy policy" (``words_services.toml
[privacy]``, in a menu text of at most 6 words, or a ``/privacy``-like URL) - and the page it
leads to (fetched one click away: this probe's ``Follow`` hint) is a real one: answered 200
with HTML, is not the home page again (same final URL or the same body: a single-page app
serving its shell for every path) nor an error page ("Sahifa topilmadi", "Страница не
найдена" in its heading: ``[not_found]``), and speaks of personal data or privacy (its
heading, title or the start of its own text - header, footer and navigation left out - has a
[privacy] word). A link only in the rendered home page (a menu built by JavaScript) counts
as a link; its page is then usually not fetched (warn).

pass - such a link and page; warn - the link is there but its page could not be checked (not
fetched within the page budget) or does not speak of personal data; fail - no link, or every
privacy link is broken (an HTTP error, a network error, not HTML, the home page again). A
copyright line ("Barcha huquqlar himoyalangan", "Все права защищены") is not a policy.
"""

from __future__ import annotations

from pageread.words import keywords

from .base import (near_pages, Artifact, Context, Evidence, Finding, Follow, Hints, Probe, Status,
                   UIStrings, table)
from .help import heading_match, nothing_found, rendered_home, section_links

VERSION = "1.0"
TEXT_CHECKED = 4000  # characters of the policy page's main text read for a privacy word

UI = UIStrings("privacy-policy", {
    "pass": "A privacy policy is linked (“{text}”) and its page is about personal data: "
            "{href}.",
    "pass_self": "This page is a privacy policy: “{text}”.",
    "warn_unchecked": "A privacy policy is linked (“{text}”, {href}), but its page was not "
                      "fetched, so it could not be checked.",
    "warn_off_topic": "A privacy policy is linked (“{text}”), but its page does not speak of "
                      "personal data or privacy: {href}.",
    "fail_broken": "A privacy policy is linked (“{text}”), but the link is broken: {why}.",
    "fail": "No privacy or personal-data policy is linked from the {n} page(s) checked (the "
            "home page and the pages one click away).",
    # what a linked page turned out to be (the {why} of fail_broken, the evidence)
    "why_status": "{href} answered HTTP {status}",
    "why_error": "{href} could not be fetched ({cause})",
    "why_not_html": "{href} is not an HTML page",
    "why_home": "{href} shows the home page again",
    "why_not_found": "{href} is an error page (“not found”) answered with HTTP 200",
    "ok": "the linked page is about personal data (“{word}”)",
    "off_topic": "the linked page has no word about personal data or privacy",
    "unchecked": "the linked page was not fetched",
    "link": "a link to a privacy policy (“{word}”)",
    "checked": "checked {n} page(s)",
    "title_links": "Privacy links",
})


def _fetched(site, href: str):
    """The captured page for ``href`` (asked for, or landed on after redirects), or None."""
    key = href.rstrip("/")
    for p in site.all_pages():
        if key in (p.response.requested_url.rstrip("/"), p.url.rstrip("/")):
            return p
    return None


def own_text(page) -> str:
    """The first ``TEXT_CHECKED`` characters of a page's own text: its ``<main>`` (or
    ``<article>``, else the body) without the header, footer and navigation every page
    repeats (where the privacy link itself stands)."""
    node = page.tree.css_first("main") or page.tree.css_first("article") or page.tree.body
    if node is None:
        return ""
    text = node.text(deep=True, separator=" ")
    for sub in node.css("header, footer, nav"):
        text = text.replace(sub.text(deep=True, separator=" "), " ")
    return text[:TEXT_CHECKED]


def linked_page(site, href: str) -> tuple[str, dict]:
    """What the page a privacy link leads to is: ``ok`` (200 HTML, not the home page, about
    personal data), ``off-topic`` (a real page without a word of [privacy] in its heading,
    title or first characters of text), ``unchecked`` (not captured), or ``broken`` (an HTTP
    or network error, not HTML, the home page again, or an error page answered 200); with
    the facts as a dict."""
    p = _fetched(site, href)
    if p is None:
        return "unchecked", {"why": UI.text("unchecked")}
    r = p.response
    if r.error is not None:
        return "broken", {"why": UI.text("why_error", href=href, cause=str(r.error.cause)),
                          "cause": str(r.error.cause)}
    if not r.ok:
        return "broken", {"why": UI.text("why_status", href=href, status=r.status),
                          "status": r.status}
    if not r.is_html:
        return "broken", {"why": UI.text("why_not_html", href=href), "status": r.status}
    home = site.home
    if home is not None and p is not home and (
            r.url.rstrip("/") == home.url.rstrip("/") or r.body == home.response.body):
        return "broken", {"why": UI.text("why_home", href=href), "status": r.status}
    if heading_match(p, "not_found")[1]:  # a "soft 404": an error page answered 200
        return "broken", {"why": UI.text("why_not_found", href=href), "status": r.status}
    _, word = heading_match(p, "privacy")
    if not word:
        m = keywords("privacy").search(own_text(p))
        word = m.text if m else ""
    if word:
        return "ok", {"why": UI.text("ok", word=word), "status": r.status, "page": p.url}
    return "off-topic", {"why": UI.text("off_topic"), "status": r.status, "page": p.url}


_RANK = {"ok": 0, "off-topic": 1, "unchecked": 2, "broken": 3}


def judge(site, ctx: Context) -> Finding:
    """A privacy/personal-data policy link (a short menu text with a [privacy] word or a
    /privacy-like URL) on the home page or a page one click away whose page answered 200
    HTML, is not the home page again and speaks of personal data: pass. The link with its
    page not fetched or not about personal data: warn. No link, or only broken ones: fail."""
    url = site.start_url
    pages = near_pages(site, ("privacy",))
    links = section_links(pages, "privacy", limit=4) or \
        section_links(rendered_home(site), "privacy", limit=4)
    checked = [(h, *linked_page(site, h.href)) for h in links]
    checked.sort(key=lambda x: _RANK[x[1]])
    rows = [{**h.row(), "page": kind, "why": facts["why"]} for h, kind, facts in checked]
    details = {"found": bool(links), "pages_checked": len(pages),
               "links": table(rows, headings=["text", "href", "from", "page", "why"],
                              title=UI.text("title_links"))}
    if not links:
        text, word = heading_match(site.home, "privacy") if site.home is not None else ("", "")
        if word:  # the probe was pointed at the policy page itself
            details["found"] = True
            return Finding("privacy-policy", Status.PASS, url, UI("pass_self", text=text),
                           [Evidence(url, "element", f"<h1>{text}</h1>", "h1",
                                     UI.text("ok", word=word))], details)
        return nothing_found("privacy-policy", UI, site, pages, details)
    h, kind, facts = checked[0]
    ev = [h.evidence(UI.text("link", word=h.word))]
    if facts.get("page"):
        ev.append(Evidence(facts["page"], "page", message=facts["why"],
                           data={"status": facts.get("status")}))
    params = {"text": h.text, "href": h.href}
    if kind == "ok":
        return Finding("privacy-policy", Status.PASS, url, UI("pass", **params), ev, details)
    if kind == "off-topic":
        return Finding("privacy-policy", Status.WARN, url, UI("warn_off_topic", **params), ev,
                       details)
    if kind == "unchecked":
        return Finding("privacy-policy", Status.WARN, url, UI("warn_unchecked", **params), ev,
                       details)
    ev.append(Evidence(h.href, "message", message=facts["why"],
                       data={k: v for k, v in facts.items() if k != "why"}))
    return Finding("privacy-policy", Status.FAIL, url,
                   UI("fail_broken", text=h.text, why=facts["why"]), ev, details)


PROBE = Probe(id="privacy-policy", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(follow=(Follow("privacy", 7, linked=True),)))

"""e-participation - polls, public discussion of draft acts, participatory budgeting or
petitions, with the link (OSI #034, LOSI #272/#275).

Rule: on the home page and the pages one click from it, a link to a national participation
portal (``probes/data/content_portals.toml`` [e_participation]: regulation.gov.uz - draft
acts, openbudget.uz - the open budget, meningfikrim.uz - petitions), a participation section
link (a menu item of at most 4 words with a word of ``words_content.toml`` [e_participation]:
Jamoatchilik muhokamasi, Ochiq byudjet, So‘rovnoma, Обсуждение проектов, Опрос, Poll...), or
an on-page poll (a form with radio buttons or check boxes whose text or attributes say poll or
vote). pass: any of them; fail: none. A page that only mentions a portal in its text, with no
link, does not count.
"""

from __future__ import annotations

from pageread.selectors import css_selector
from pageread.words import keywords

from .base import near_pages, Artifact, Evidence, Finding, Hints, Probe, Status, UIStrings, table
from .procurement import (hits_table, not_found, portal_hosts, portal_links,
                          section_links)

VERSION = "1.0"
KINDS = {"regulation.gov.uz": "discussion", "openbudget.uz": "budget",
         "meningfikrim.uz": "petition"}

UI = UIStrings("e-participation", {
    "pass": "E-participation is offered: {kinds}.",
    "fail": "No poll, public discussion, open-budget or petition link was found on {n} "
            "page(s).",
    "kind_discussion": "public discussion of draft acts ({text})",
    "kind_budget": "participatory budget ({text})",
    "kind_petition": "petitions ({text})",
    "kind_section": "a participation section ({text})",
    "kind_poll": "an on-page poll ({text})",
    "portal_link": "a link to the participation portal {host}",
    "section_link": "a participation section link ('{word}')",
    "poll": "a poll form ('{word}')",
    "title_links": "Participation links",
    "title_polls": "Polls",
})


def polls(page) -> list[tuple[object, str]]:
    """Forms with radio buttons or check boxes whose text or class/id/name say poll, vote or
    survey (words_content.toml [e_participation])."""
    kw = keywords("e_participation")
    out = []
    for form in page.tree.css("form"):
        if form.css_first("input[type=radio], input[type=checkbox]") is None:
            continue
        a = form.attributes
        text = " ".join(form.text(deep=True, separator=" ").split())[:300]
        heading = ""
        prev = form.prev
        while prev is not None and prev.tag == "-text":
            prev = prev.prev
        if prev is not None and prev.tag in ("h2", "h3", "h4", "legend", "p"):
            heading = prev.text(deep=True, strip=True)
        m = kw.anywhere(heading, text[:120], attrs=(a.get("class"), a.get("id"),
                                                    a.get("name"), a.get("action")))
        if m:
            out.append((form, m.text))
    return out


def judge(site, ctx) -> Finding:
    """The rule of the module docstring."""
    pages = near_pages(site, ("e_participation",))
    portals = portal_links(pages, portal_hosts("e_participation"))
    links = section_links(pages, "e_participation")
    found_polls = [(p, f, w) for p in pages for f, w in polls(p)]
    kinds: dict[str, str] = {}
    for h in portals:
        kinds.setdefault(KINDS.get(h.word, "section"), h.text or h.href)
    for h in links:
        kinds.setdefault("section", h.text)
    for _, _, w in found_polls:
        kinds.setdefault("poll", w)
    evidence = [h.evidence(UI.text("portal_link", host=h.word)) for h in portals[:3]]
    evidence += [h.evidence(UI.text("section_link", word=h.word)) for h in links[:2]]
    evidence += [Evidence(p.url, "form", (f.html or "")[:800], css_selector(f),
                          UI.text("poll", word=w)) for p, f, w in found_polls[:2]]
    details = {"found": bool(kinds), "pages_checked": len(pages), "kinds": sorted(kinds),
               "links": hits_table(portals + links, UI.text("title_links")),
               "polls": table([{"url": p.url, "matched": w} for p, _, w in found_polls[:5]],
                              title=UI.text("title_polls"))}
    if kinds:
        said = "; ".join(UI.text(f"kind_{k}", text=t) for k, t in kinds.items())
        return Finding("e-participation", Status.PASS, site.start_url,
                       UI("pass", kinds=said), evidence, details)
    return not_found("e-participation", site, UI("fail", n=len(pages)), details)


PROBE = Probe(id="e-participation", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(boxes=("form",)))

"""contact-form - a way to send a written appeal (LOSI #271, OSI #021 nearest).

Rule: one of
* an appeal/feedback form on the site: classified by ``pageread.forms`` from its fields and
  words - a free-text field (textarea) with appeal words (murojaat, мурожаат, обращение,
  appeal, feedback, fikr, taklif, отзыв...) or with contact fields (name, e-mail, phone) -
  never a search, login, subscription or comment form;
* a link to an appeal platform: the President's virtual reception ``pm.gov.uz``, the
  my.gov.uz appeal service (an appeal path on my.gov.uz), and the other national appeal hosts
  listed in ``pageread/data/words.toml`` [appeal_platform];
* an official Telegram appeal bot: ``t.me/<name>`` (or a written ``@<name>``) where the name
  ends in "bot" and the name or the link text says murojaat/мурожаат/обращение/appeal.

pass - any of them; warn - only a link to the site's own appeals section whose page was not
captured (the form may be there, or built by JavaScript); fail - none. Forms are never
submitted. Evidence: the form's fields, or the link.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from pageread.facts import page_facts, rendered_facts
from pageread.forms import script_built
from pageread.links import telegram_bot
from pageread.words import data_table, fold, keywords, menu_link

from .base import (in_reach, Artifact, Context, Evidence, Finding, Follow, Hints, Probe, Status,
                   UIStrings, bullets, counts, table)

VERSION = "1.1"

UI = UIStrings("contact-form", {
    # summaries
    "pass": "Appeals can be sent: {ways}. (Forms are never submitted.)",
    "warn_section_only": "An appeals section is linked, but no appeal form was seen on the "
                         "captured pages (it may be built by JavaScript or not captured).",
    "fail_other_forms": "No way to send a written appeal was found: no appeal form, no link "
                        "to pm.gov.uz / my.gov.uz appeals, no Telegram appeal bot (the forms "
                        "found are {forms}).",
    "fail_no_form": "No way to send a written appeal was found: no appeal form, no link to "
                    "pm.gov.uz / my.gov.uz appeals, no Telegram appeal bot (no form at all).",
    "error_script_form": "Could not tell whether appeals can be sent: no appeal form is in "
                         "the HTML as served, but {page} builds its content with JavaScript "
                         "({why}) and it was not rendered (--no-render, or beyond the "
                         "pages rendered).",
    # the ways to appeal, joined with "; " into {ways}
    "way_form": "an appeal form ({n})",
    "way_platform": "a link to {platforms}",
    "way_bot": "a Telegram appeal bot (@{bot})",
    # evidence messages
    "appeal_form": "an appeal/feedback form: {reasons}",
    "platform_link": "a link to the appeal platform {platform}",
    "bot_link": "an official Telegram appeal bot @{bot}",
    "bot_written": "an official Telegram appeal bot @{bot} (written, not linked)",
    "section_link": "a link to the site's appeals section",
    "why_other_forms": "the forms found are {forms}",
    "why_no_form": "no form at all",
    "script_form": "the page builds its content with JavaScript ({why}); it was not rendered",
    # details titles
    "title_platform_links": "Links to appeal platforms",
    "title_telegram_bots": "Telegram appeal bots",
    "title_section_links": "Links to the appeals section",
    "title_other_forms": "Other forms (not appeal forms)",
})

_AT_BOT = re.compile(r"(?<![\w@/])@([a-z0-9_]{3,40}bot)\b", re.I)


@lru_cache(maxsize=65536)  # menus repeat on every page: a pure function of strings
def platform_link(href: str) -> str:
    """The appeal platform a link goes to ("" when none): pm.gov.uz, the my.gov.uz appeal
    service, other national appeal hosts."""
    p = urlsplit(href)
    host = (p.hostname or "").lower().removeprefix("www.")
    table = data_table("appeal_platform")
    for h in table.get("hosts", []):
        if host == h or host.endswith("." + h):
            if h == "my.gov.uz":
                path = fold(p.path + "?" + p.query)
                if not any(w in path for w in table.get("my_gov_paths", [])):
                    return ""
            return h
    return ""


def is_appeal_bot(name: str, text: str = "") -> str:
    """The matched word when a bot's name or link text says appeal."""
    m = keywords("telegram_appeal").in_attr(name.lower())
    if m:
        return m.text
    if any(w in name.lower() for w in keywords("telegram_appeal").table.get("attr", [])):
        return name
    m = keywords("telegram_appeal").search(text)
    return m.text if m else ""


def _appeals_section_link(text: str, href: str) -> str:
    """A link to the site's own appeals section ("Murojaatlar", ``/appeals``)."""
    return menu_link("appeal_section", text, href, 5)


def _judge(site, ctx: Context, pages: list) -> Finding:
    """An appeal/feedback form (a free-text field with appeal words or contact fields; not
    search, login, subscription or comment), a link to pm.gov.uz / the my.gov.uz appeal
    service / another national appeal platform, or an official Telegram appeal bot
    (t.me/<...murojaat...bot>): pass. Only a link to the site's own appeals section whose
    page was not captured: warn. None: fail. Forms are never submitted."""
    url = site.start_url
    captured = {p.url.rstrip("/") for p in pages} | {
        p.response.requested_url.rstrip("/") for p in pages}
    forms_ev: list[Evidence] = []
    rejected: dict[str, int] = {}
    facts = [page_facts(p) for p in pages]
    for p, fx in zip(pages, facts):
        rf = rendered_facts(p)
        for forms in ([fx.forms] + ([rf.forms] if rf is not None else [])):
            for f in forms:
                if f.kind != "appeal":
                    rejected[f.kind] = rejected.get(f.kind, 0) + 1
                    continue
                if any(e.selector == f.selector and e.url == p.url for e in forms_ev):
                    continue
                forms_ev.append(Evidence(
                    p.url, "form", f.html, f.selector,
                    UI.text("appeal_form", reasons="; ".join(f.reasons)),
                    {"action": f.action, "method": f.method,
                     "fields": [x.to_dict() for x in f.visible_fields][:12]}))
    platform_ev: list[Evidence] = []
    bot_ev: list[Evidence] = []
    section: list[Evidence] = []
    seen: set[str] = set()
    for p, fx in zip(pages, facts):
        for lk in fx.links:
            if lk.url in seen:
                continue
            plat = platform_link(lk.url)
            if plat:
                seen.add(lk.url)
                platform_ev.append(Evidence(p.url, "link", f'<a href="{lk.url}">{lk.text}</a>',
                                            message=UI.text("platform_link", platform=plat),
                                            data={"href": lk.url, "platform": plat}))
                continue
            bot = telegram_bot(lk.url)
            if bot:
                w = is_appeal_bot(bot, lk.text)
                if w:
                    seen.add(lk.url)
                    bot_ev.append(Evidence(p.url, "link", f'<a href="{lk.url}">{lk.text}</a>',
                                           message=UI.text("bot_link", bot=bot),
                                           data={"href": lk.url, "bot": bot}))
                continue
            if lk.in_scope and _appeals_section_link(lk.text, lk.url):
                seen.add(lk.url)
                section.append(Evidence(p.url, "link", f'<a href="{lk.url}">{lk.text}</a>',
                                        message=UI.text("section_link"),
                                        data={"href": lk.url,
                                              "captured": lk.url.rstrip("/") in captured}))
        text = fx.body_text
        for m in _AT_BOT.finditer(text) if "bot" in text.lower() else ():
            name = m.group(1)
            ctx_text = text[max(0, m.start() - 60):m.start()]
            if is_appeal_bot(name, ctx_text) and not any(
                    e.data.get("bot", "").lower() == name.lower() for e in bot_ev):
                bot_ev.append(Evidence(p.url, "text", text[max(0, m.start() - 60):m.end()],
                                       message=UI.text("bot_written", bot=name),
                                       data={"bot": name}))
    details = {"found": bool(forms_ev or platform_ev or bot_ev or section),
               "pages_checked": len(pages), "appeal_forms": len(forms_ev),
               "platform_links": bullets([e.data["href"] for e in platform_ev][:5],
                                         title=UI.text("title_platform_links")),
               "telegram_bots": bullets([e.data["bot"] for e in bot_ev][:5],
                                        title=UI.text("title_telegram_bots")),
               "appeals_section_links": table([e.data for e in section][:5],
                                              headings=["href", "captured"],
                                              title=UI.text("title_section_links")),
               "other_forms": counts(rejected, title=UI.text("title_other_forms")),
               "submitted": False}
    ways = []
    if forms_ev:
        ways.append(UI.text("way_form", n=len(forms_ev)))
    if platform_ev:
        ways.append(UI.text("way_platform", platforms=", ".join(
            sorted({e.data["platform"] for e in platform_ev}))))
    if bot_ev:
        ways.append(UI.text("way_bot", bot=bot_ev[0].data["bot"]))
    if ways:
        ev = forms_ev[:2] + platform_ev[:2] + bot_ev[:2]
        return Finding("contact-form", Status.PASS, url, UI("pass", ways="; ".join(ways)),
                       ev, details)
    # a form built by script is not in the HTML as served: on the home page and the
    # appeals pages that were not rendered, signs of one make the answer "could not tell"
    targets = {e.data["href"].rstrip("/") for e in section}
    for p, fx in zip(pages, facts):
        if (p is pages[0] or p.url.rstrip("/") in targets) and (
                p.rendered is None or p.rendered.error is not None or not p.rendered.dom):
            why = script_built(fx.tree, fx.forms, sum(len(t.text) for t in fx.texts))
            if why:
                details["cause"] = "not-rendered"
                details["script_built"] = {"url": p.url, "why": why}
                return Finding("contact-form", Status.ERROR, url,
                               UI("error_script_form", page=p.url, why=why),
                               [Evidence(p.url, "message", message=UI.text(
                                   "script_form", why=why))] + section[:2], details)
    if section:
        return Finding("contact-form", Status.WARN, url, UI("warn_section_only"),
                       section[:3], details)
    if rejected:
        forms = ", ".join(f"{k} ({v})" for k, v in rejected.items())
        summary, why = (UI("fail_other_forms", forms=forms),
                        UI.text("why_other_forms", forms=forms))
    else:
        summary, why = UI("fail_no_form"), UI.text("why_no_form")
    return Finding("contact-form", Status.FAIL, url, summary,
                   [Evidence(url, "message", message=why)], details)

# the sections this probe reads besides the home page (its Follow tables)
SECTIONS = ("appeal_section",)

judge = in_reach(SECTIONS, _judge, rendered=True)


PROBE = Probe(id="contact-form", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}),
              # RENDERED is optional: forms built by script are read from the rendered DOM;
              # without it, signs of one make the finding "could not tell" (error)
              optional=frozenset({Artifact.RENDERED}), judge=judge,
              hints=Hints(follow=(Follow("appeal_section", 10, linked=True),), boxes=("form",)))

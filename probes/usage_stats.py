"""usage-stats - online-service usage statistics (LOSI item 47.11).

Rule: the home page or a page one click from it shows usage figures to its readers:

* a visible counter widget - an image or frame of a counter that shows its figures (WWW.UZ,
  LiveInternet, the Yandex.Metrica informer...: ``probes/data/usage_counters.toml
  [visible]``), not hidden (not 1x1, not ``display:none``, not moved off screen), or a link to
  such a counter's public statistics page;
* a labelled figure - a number beside a usage label ("Ko‘rishlar soni: 640", "Просмотров:
  72", "Views: 72", "Ҳозир онлайн: 5", "Jami murojaatlar: 1 204": ``words_services.toml
  [usage_label]``, the figure right after the label, or right before a views label) in an
  element whose class or id says counter/views/visitors/statistics or in plain text; or a
  bare figure in an element named so (``<span class="views">317</span>``) or beside an eye
  icon;
* usage statistics named - a short link or a heading with a statistics word
  (``[statistics]``) and a usage subject (appeals, services, visits, users:
  ``[usage_subject]``): "Murojaatlar statistikasi", "Ёзма мурожаатлар статистикаси",
  "Статистика обращений" (a heading counts when its section shows figures).

pass - any of these; warn - only a generic statistics section ("Statistika", "Статистика":
on a hokimiyat site often the region's economic statistics, not the site's usage); fail -
none. Analytics tags (Google Analytics, Yandex.Metrica's tag...) show nothing to readers: they
are listed in details as seen and never counted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from pageread.facts import page_facts
from pageread.selectors import css_selector
from pageread.words import fold, keywords

from .base import (near_pages, Artifact, Context, Evidence, Finding, Follow, Hints, Probe, Status,
                   UIStrings, bullets, table, data_file)
from .help import nothing_found, section_links

VERSION = "1.0"
SHORT_TEXT = 200  # characters: a counter's text, not a paragraph that happens to hold a number

UI = UIStrings("usage-stats", {
    "pass_counter": "A visible visit counter is shown ({host}).",
    "pass_figure": "Usage figures are shown: “{text}”.",
    "pass_link": "Usage statistics are published: “{text}” ({href}).",
    "pass_heading": "Usage statistics are shown: “{text}”.",
    "warn_generic": "A statistics section is linked (“{text}”, {href}), but nothing shows it "
                    "is about the use of the site or its services.",
    "fail": "No visible usage figures, counter or usage-statistics section was found on the "
            "{n} page(s) checked (hidden analytics tags do not count).",
    "counter": "a visible counter widget from {host}",
    "counter_link": "a link to the public statistics of the site's counter",
    "figure": "a usage figure: “{text}”",
    "stats_link": "a link to usage statistics (“{word}”)",
    "heading": "a usage-statistics heading with figures below it",
    "generic_link": "a link to a statistics section (“{word}”)",
    "checked": "checked {n} page(s)",
    "title_signals": "Usage statistics seen",
    "title_analytics": "Analytics tags (not counted: they show nothing to readers)",
})

# elements whose class or id says they hold a counter or a figure
_FIGURE_HOLDERS = ("[class*=view i], [class*=count i], [class*=visit i], [class*=stat i], "
                   "[class*=online i], [class*=hit i], [class*=korish i], [class*=prosmotr i], "
                   "[id*=count i], [id*=stat i], [id*=visit i], [id*=online i]")
_EYE = "[class*=eye i]"
FIGURE = re.compile(r"(?<![\d.,:/+\-])\d{1,3}(?:[ \u00a0.,]\d{3})+(?![\d.,:/])"
                    r"|(?<![\d.,:/+\-])\d+(?![\d.,:/\-])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|left\s*:\s*-\d{3,}"
                           r"|(?:width|height)\s*:\s*[01]px", re.I)


@lru_cache(maxsize=1)
def _data() -> dict:
    return data_file("usage_counters")


def _host_of(url: str, hosts) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return next((h for h in hosts if host == h or host.endswith("." + h)), "")


@lru_cache(maxsize=256)
def _src_query(hosts: tuple[str, ...], tags: tuple[str, ...]) -> str:
    """One CSS query for the elements of ``tags`` loading from any of ``hosts``."""
    return ", ".join(f'{t}[src*="{h}"]' for h in hosts for t in tags)


def _present(raw: str, hosts) -> tuple[str, ...]:
    """The hosts that occur in the page's HTML at all (a plain substring test, so that the
    CSS query runs only for them - usually for none)."""
    return tuple(h for h in hosts if h in raw)


def is_hidden(node) -> bool:
    """A counter element that shows nothing: 0-1 px wide or high, ``hidden``, or styled
    ``display:none`` / ``visibility:hidden`` / far off screen (its own style or a parent's,
    e.g. Yandex.Metrica's ``<noscript><div><img style="position:absolute; left:-9999px">``)."""
    n, depth = node, 0
    while n is not None and depth < 3:
        a = n.attributes
        if "hidden" in a or n.tag == "noscript" or _HIDDEN_STYLE.search(a.get("style") or ""):
            return True
        if depth == 0 and any((a.get(k) or "").strip() in ("0", "1") for k in ("width", "height")):
            return True
        n, depth = n.parent, depth + 1
    return False


def _is_usage(text: str) -> bool:
    return keywords("usage_subject").search(text) is not None


def counters(page) -> tuple[list[Evidence], list[str]]:
    """(visible counter widgets, hidden analytics/counter hosts) on one page."""
    shown, hidden = [], []
    raw = page.response.text
    vis = _present(raw, _data()["visible"]["hosts"])
    for n in page.tree.css(_src_query(vis, ("img", "iframe"))) if vis else ():
        src = urljoin(page.url, n.attributes.get("src") or "")
        host = _host_of(src, vis)
        if not host:
            continue
        if is_hidden(n):
            hidden.append(host)
        else:
            shown.append(Evidence(page.url, "element", n.html or "", css_selector(n),
                                  UI.text("counter", host=host), {"host": host, "src": src}))
    tags = _present(raw, _data()["analytics"]["hosts"])
    for n in page.tree.css(_src_query(tags, ("script", "img", "iframe"))) if tags else ():
        host = _host_of(urljoin(page.url, n.attributes.get("src") or ""), tags)
        if host and host not in hidden and not any(e.data["host"] == host for e in shown):
            hidden.append(host)
    return shown, hidden


def figures(page) -> list[Evidence]:
    """Labelled usage figures on one page (see the module docstring)."""
    out: list[Evidence] = []
    label = keywords("usage_label")
    for n in page.tree.css(_FIGURE_HOLDERS):
        if n.tag in ("script", "style", "body", "html", "main"):
            continue
        text = " ".join(n.text(deep=True, separator=" ").split())
        if not text or len(text) > SHORT_TEXT or not FIGURE.search(text):
            continue
        a = n.attributes
        named = label.in_attr(a.get("class")) or label.in_attr(a.get("id"))
        if _label_figure(text):
            shown = text
        elif named and len(text.split()) <= 2:  # <span class="views">317</span>
            shown = f"{named.text}: {text}"
        else:
            continue
        if not any(shown == e.data.get("text") for e in out):
            out.append(Evidence(page.url, "element", n.html or text, css_selector(n),
                                UI.text("figure", text=shown), {"text": shown}))
        if len(out) >= 3:
            return out
    for icon in page.tree.css(_EYE):
        holder = icon.parent
        text = " ".join(holder.text(deep=True, separator=" ").split()) if holder else ""
        if text and len(text) <= 40 and FIGURE.search(text):
            shown = f"👁 {text}"
            out.append(Evidence(page.url, "element", holder.html or text, css_selector(holder),
                                UI.text("figure", text=shown), {"text": shown}))
            break
    return out


@lru_cache(maxsize=1)
def _stems() -> tuple[str, ...]:
    """Apostrophe-free pieces (5+ characters, lower case) of the [usage_label] words, for a
    plain substring test of the page's HTML before anything is parsed."""
    out = []
    for w in keywords("usage_label").words():
        piece = max(w.rstrip("$").split("'"), key=len).strip().lower()
        if len(piece) >= 5 and piece not in out:
            out.append(piece)
    return tuple(out)




# the labels that may follow their number: views only ("1200 mehmonlar" - guests - or "1200
# visitors" in a sentence are about a fair, not the site)
_NUMBER_BEFORE = re.compile(r"(?<![\d.,:/])\d[\d \u00a0]*\s*(?:marta\s*)?$")
VIEWS_AFTER_NUMBER = frozenset({"ko'rildi", "кўрилди", "просмотров", "просмотры", "просмотр$",
                                "views", "viewed"})


def _label_figure(text: str) -> bool:
    """A usage label with a figure right after it ("Ko‘rishlar soni: 640") or, for a views
    label, right before it ("1 204 просмотров", "640 marta ko‘rildi")."""
    f = fold(text)
    for m in keywords("usage_label").find_all(f, folded=True):
        for at in re.finditer(re.escape(m.text), f):
            after = FIGURE.search(f[at.end():at.end() + 20])
            if after and not f[at.end():at.end() + after.start()].strip(" :-–—=").strip():
                return True
            before = f[max(0, at.start() - 16):at.start()]
            if m.word in VIEWS_AFTER_NUMBER and _NUMBER_BEFORE.search(before):
                return True
    return False


def _visible_text(facts) -> tuple[str, str]:
    """The page's text nodes joined by a space (scripts, styles and other ``SKIP_TAGS``
    left out, entities decoded), and the same in lower case."""
    text = " ".join(t.text for t in facts.texts)
    return text, text.lower()


def text_figures(page) -> list[Evidence]:
    """Usage figures in plain text ("/ Ko‘rishlar soni: 640 marta" after a news date): the
    page's text (its text nodes, scripts left out: ``pageread.facts``, parsed once for every
    probe) is searched for the labels' stems as plain substrings, and only the 240
    characters around a hit are read. (Until issue 14 this searched the served HTML and
    checked each hit for an enclosing script. One prefix-tree regex of the 61 stems instead
    of a ``find`` each was slower on the bench farm's pages.)"""
    text, low = page_facts(page).memo("usage-stats.text", _visible_text)
    for stem in _stems():
        i, hits = low.find(stem), 0
        while i >= 0 and hits < 4:
            hits += 1
            window = " ".join(text[max(0, i - 120):i + 120].split())
            if _label_figure(window):
                return [Evidence(page.url, "text", window,
                                 message=UI.text("figure", text=window),
                                 data={"text": window})]
            i = low.find(stem, i + len(stem))
    return []


def stats_headings(page) -> list[Evidence]:
    """Headings naming usage statistics whose section (the heading's parent) shows figures."""
    out = []
    for h in page.tree.css("h1, h2, h3, h4"):
        text = " ".join(h.text(deep=True).split())
        if not text or len(text.split()) > 8 or not keywords("statistics").search(text) \
                or not _is_usage(text):
            continue
        section = h.parent
        body = section.text(deep=True, separator=" ")[:2000] if section is not None else ""
        if FIGURE.search(body.replace(text, "")):
            out.append(Evidence(page.url, "element", f"<{h.tag}>{text}</{h.tag}>",
                                css_selector(h), UI.text("heading"), {"text": text}))
    return out


NEWS_ITEMS = 3  # news items linked from the home page that are read for view counters


def news_items(site, n: int) -> list:
    """The first ``n`` crawled pages the home page links to that are single news items
    (``procurement.is_news_item``: a numbered page under a news section), in link order."""
    from .procurement import is_news_item

    pages = site.html_pages(linked=True)
    if not pages:
        return []
    by_url = {p.url.rstrip("/"): p for p in pages[1:]}
    out: list = []
    for lk in pages[0].links:
        p = by_url.pop(lk.url.rstrip("/"), None)
        if p is not None and is_news_item(p.url):
            out.append(p)
            if len(out) >= n:
                break
    return out


def judge(site, ctx: Context) -> Finding:
    """A visible counter widget, a labelled usage figure (views, visitors, online, appeals
    counted), or usage statistics named by a link or a heading with figures, on the home
    page, its statistics and news sections, or the first news items it links to (where
    view counters are shown): pass. Only a generic "Statistika" section: warn. Nothing:
    fail; analytics tags are noted, never counted."""
    url = site.start_url
    pages = near_pages(site, ("statistics", "news"))
    pages += [p for p in news_items(site, NEWS_ITEMS) if p not in pages]
    shown: list[Evidence] = []
    hidden: list[str] = []
    figs: list[Evidence] = []
    heads: list[Evidence] = []
    for p in pages:
        s, h = counters(p)
        shown += s
        hidden += [x for x in h if x not in hidden]
        if len(figs) < 3:
            figs += figures(p) or text_figures(p)
        if not heads:
            heads += stats_headings(p)
    counter_links = [lk for p in pages
                     for marks in [_present(p.response.text, _data()["visible"]["stats_links"])]
                     if marks for lk in p.links if any(s in lk.url for s in marks)][:1]
    stat_links = section_links(pages, "statistics", limit=6)
    usage_links = [h for h in stat_links if _is_usage(h.text) or _is_usage(h.href)]
    rows = ([{"kind": "counter", "text": e.data["host"], "url": e.url} for e in shown]
            + [{"kind": "figure", "text": e.data["text"], "url": e.url} for e in figs]
            + [{"kind": "heading", "text": e.data["text"], "url": e.url} for e in heads]
            + [{"kind": "link", "text": h.text, "url": h.href} for h in stat_links])
    details = {"found": bool(rows or counter_links), "pages_checked": len(pages),
               "signals": table(rows[:10], headings=["kind", "text", "url"],
                                title=UI.text("title_signals")),
               "analytics_tags": bullets(hidden, title=UI.text("title_analytics"))}

    def done(key, ev, **params):
        return Finding("usage-stats", Status.PASS, url, UI(key, **params), ev, details)

    if shown:
        return done("pass_counter", shown[:2] + figs[:2], host=shown[0].data["host"])
    if figs:
        return done("pass_figure", figs[:4], text=figs[0].data["text"][:160])
    if usage_links:
        h = usage_links[0]
        return done("pass_link", [h.evidence(UI.text("stats_link", word=h.word))],
                    text=h.text, href=h.href)
    if counter_links:
        lk = counter_links[0]
        return done("pass_link", [Evidence(pages[0].url, "link",
                                           f'<a href="{lk.url}">{lk.text}</a>',
                                           message=UI.text("counter_link"))],
                    text=lk.text or lk.url, href=lk.url)
    if heads:
        return done("pass_heading", heads[:2], text=heads[0].data["text"])
    if stat_links:
        h = stat_links[0]
        return Finding("usage-stats", Status.WARN, url,
                       UI("warn_generic", text=h.text, href=h.href),
                       [h.evidence(UI.text("generic_link", word=h.word))], details)
    return nothing_found("usage-stats", UI, site, pages, details)


PROBE = Probe(id="usage-stats", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(follow=(Follow("statistics", 5, linked=True),)))

"""chatbot - a chat-bot on the site (OSI #09a, LOSI #270b), static half + rendered signals.

Rule: a chat widget of a known vendor (JivoChat, tawk.to, LiveChat, Crisp, Intercom, Bitrix24
Open Lines, Carrot quest, Talk-Me, Verbox, UseDesk, Chatra, Tidio, Dialogflow Messenger,
Botpress, Rasa Webchat, Microsoft Bot Framework Web Chat, Yandex, Zendesk, ... - the list is
data: ``probes/data/chat_vendors.toml``) is present:

* static fingerprints in the HTML as served: a ``<script src>`` from a vendor host or URL
  pattern, an inline script installing the widget (vendor markers), an ``<iframe>`` from a
  vendor host, the widget's DOM (custom elements, ids, classes), a direct chat link;
* rendered signals (``rendered_signals``, below): vendor network requests, frames, window
  globals, shadow roots, a floating chat launcher - these count like a static vendor
  fingerprint.

pass - a vendor (or self-hosted widget) was seen; warn - only a Telegram bot link
(``t.me/<name>bot`` or ``..._bot``: weak evidence - a Telegram *channel* ``t.me/<name>`` does not
count); fail - nothing, static or rendered; error - nothing in the served HTML and no page
could be rendered (a JavaScript widget cannot be excluded). Whether a bot is "AI" can only be shown by talking to it, which govscan
never does: ``details.ai_verified`` is always false.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from pageread.facts import page_facts
from pageread.links import telegram_bot
from pageread.selectors import css_selector

from .base import note_caps, pages_in_reach, Artifact, Context, Evidence, Finding, Hints, Probe, Status, UIStrings, bullets, data_file

VERSION = "1.0"

UI = UIStrings("chatbot", {
    # summaries (each ends with the AI note, as a whole sentence of its own)
    "pass": "A chat widget is present: {vendors}. Whether the chat is an AI bot cannot be "
            "shown without talking to it; govscan never does, so this is not verified.",
    "warn_telegram_only": "No chat widget on the site; only a Telegram bot is linked "
                          "(@{bot}), which is weak evidence. Whether the chat is an AI bot "
                          "cannot be shown without talking to it; govscan never does, so this "
                          "is not verified.",
    "error_not_rendered": "No chat fingerprint in the served HTML, and no page was rendered "
                          "({why}); a widget injected by JavaScript cannot be excluded, so "
                          "this is not judged.",
    "fail": "No chat widget or Telegram bot was found in the served HTML and the rendered "
            "pages.",
    # evidence messages
    "ai_note": "Whether the chat is an AI bot cannot be shown without talking to it; govscan "
               "never does, so this is not verified.",
    "not_rendered": "not gathered: --no-render or no browser",
    "checked": "checked {n} page(s)",
    "match_host": "host {host}",
    "match_url_pattern": "URL pattern {pattern}",
    "script_src": "a {vendor} script is loaded ({why})",
    "inline_script": "an inline script installs {vendor} ('{needle}')",
    "iframe": "an iframe of {vendor} ({why})",
    "element": "the page contains {vendor}'s widget element ({selector})",
    "chat_link": "a direct chat link to {vendor}",
    "telegram_bot": "a link to the Telegram bot @{bot} (weak evidence: a bot account, not a "
                    "chat on the site)",
    "r_network": "the page requested {vendor}'s host {host} ({resource_type})",
    "r_network_untyped": "the page requested {vendor}'s host {host} (request)",
    "r_frame": "an iframe from {vendor} ({host}) is on the page",
    "r_global": "the page defines {vendor}'s global window.{name}",
    "r_shadow_root": "a <{tag}> widget with an open shadow root",
    "r_element": "{vendor}'s widget element ({selector}) is in the rendered page",
    "r_launcher": "a visible chat launcher floats over the page",
    "r_launcher_text": "a visible chat launcher floats over the page: “{text}”",
    # details titles
    "title_vendors": "Chat vendors",
    "title_telegram_bots": "Telegram bots",
})
AI_NOTE = UI.text("ai_note")
_FIELDS = ("hosts", "iframe_hosts", "url_patterns", "globals", "tags", "selectors", "markers",
           "link_hosts")


@lru_cache(maxsize=1)
def load_vendors() -> dict[str, dict]:
    """Chat vendors, keyed by id: ``{"name", "kind", "hosts", "iframe_hosts",
    "url_patterns", "globals", "tags", "selectors", "markers", "link_hosts"}`` (lists;
    ``hosts`` already includes ``iframe_hosts``). Read from probes/data/chat_vendors.toml."""
    raw = data_file("chat_vendors")
    out = {}
    for vid, v in raw.items():
        d = {"id": vid, "name": v.get("name", vid), "kind": v.get("kind", "live-chat")}
        for f in _FIELDS:
            d[f] = list(v.get(f, []))
        for h in d["iframe_hosts"]:
            if h not in d["hosts"]:
                d["hosts"].append(h)
        out[vid] = d
    return out


@lru_cache(maxsize=1)
def _inline_needles() -> list[tuple[str, str, re.Pattern | None]]:
    """(lower-case needle, vendor id, confirming regex) for every vendor install marker and
    host; a host must stand as a host name (not inside a longer name), hence its regex."""
    out, seen = [], set()
    for vid, v in load_vendors().items():
        for m in v["markers"]:
            if m.lower() not in seen:
                seen.add(m.lower())
                out.append((m.lower(), vid, None))
        for h in v["hosts"]:
            if h.lower() not in seen:
                seen.add(h.lower())
                out.append((h.lower(), vid, re.compile(
                    r"(?<![\w-])" + re.escape(h.lower()) + r"(?![\w-])")))
    return out


def _host_match(host: str, hosts: list[str]) -> str:
    host = (host or "").lower().rstrip(".")
    for h in hosts:
        h = h.lower()
        if host == h or host.endswith("." + h):
            return h
    return ""


def vendor_of_url(url: str) -> tuple[str, str]:
    """(vendor id, what matched) for a script/iframe/link URL, or ("", "")."""
    host = urlsplit(url).hostname or ""
    low = url.lower()
    for vid, v in load_vendors().items():
        h = _host_match(host, v["hosts"])
        if h:
            return vid, UI.text("match_host", host=h)
        for p in v["url_patterns"]:
            if p.lower() in low:
                return vid, UI.text("match_url_pattern", pattern=p)
    return "", ""


def static_signals(page) -> list[Evidence]:
    """Vendor fingerprints in one page's HTML as served (its facts: the parsed part of the
    HTML, the links within the caps)."""
    fx = page_facts(page)
    tree, url = fx.tree, page.url
    out: list[Evidence] = []
    vendors = load_vendors()

    def add(vid, kind, snippet, selector, message, signal):
        if any(e.data.get("vendor_id") == vid and e.data.get("signal") == signal for e in out):
            return
        out.append(Evidence(url, kind, snippet, selector, message,
                            {"vendor": vendors[vid]["name"], "vendor_id": vid,
                             "signal": signal, "vendor_kind": vendors[vid]["kind"]}))

    for s in tree.css("script[src]"):
        src = urljoin(url, s.attributes.get("src") or "")
        vid, why = vendor_of_url(src)
        if vid:
            add(vid, "script", s.html or src, css_selector(s),
                UI.text("script_src", vendor=vendors[vid]["name"], why=why), "script-src")
    needles = _inline_needles()
    for s in tree.css("script:not([src])"):
        txt = s.text(deep=True) or ""
        if len(txt) > 500_000:
            txt = txt[:500_000]
        low = txt.lower()
        for needle, vid, rx in needles:
            if needle not in low:  # a fast substring test first; the regex only to confirm
                continue
            m = rx.search(low) if rx is not None else None
            if rx is not None and m is None:
                continue
            i = m.start() if m is not None else low.find(needle)
            add(vid, "script", txt[max(0, i - 150):i + 250], css_selector(s),
                UI.text("inline_script", vendor=vendors[vid]["name"], needle=needle),
                "inline-script")
    for f in tree.css("iframe[src], frame[src]"):
        src = urljoin(url, f.attributes.get("src") or "")
        vid, why = vendor_of_url(src)
        if vid:
            add(vid, "frame", f.html or src, css_selector(f),
                UI.text("iframe", vendor=vendors[vid]["name"], why=why), "iframe")
    raw = fx.html_lower
    for vid, v in vendors.items():
        for sel in v["tags"] + v["selectors"]:
            if raw and not _could_match(sel, raw):
                continue  # the selector's names are not even in the HTML: skip the query
            try:
                node = tree.css_first(sel)
            except Exception:  # noqa: BLE001 - a selector lexbor does not support
                node = None
            if node is not None:
                add(vid, "element", node.html or "", sel,
                    UI.text("element", vendor=v["name"], selector=sel), "element")
                break
    link_hosts = _link_hosts()
    for lk in fx.links:
        host = (urlsplit(lk.url).hostname or "").lower()
        vid = link_hosts.get(host) or next(
            (v for h, v in link_hosts.items() if host.endswith("." + h)), "")
        if vid:
            add(vid, "link", f'<a href="{lk.url}">{lk.text}</a>', "",
                UI.text("chat_link", vendor=vendors[vid]["name"]), "link")
    return out


_SEL_NOISE = {"id", "class", "iframe", "div", "span", "data-id", "data-product", "button"}


@lru_cache(maxsize=4096)
def _selector_names(selector: str) -> tuple[str, ...]:
    """The distinctive names in a selector (ids, classes, tags, attribute values)."""
    import re as _re

    return tuple(t.lower() for t in _re.findall(r"[A-Za-z_][\w-]{2,}", selector)
                 if t.lower() not in _SEL_NOISE)


def _could_match(selector: str, raw_lower: str) -> bool:
    """Cheap pre-check: every name in the selector (ids, classes, tags, attribute values)
    occurs in the page's HTML."""
    return all(n in raw_lower for n in _selector_names(selector))


@lru_cache(maxsize=1)
def _link_hosts() -> dict[str, str]:
    return {h.lower(): vid for vid, v in load_vendors().items() for h in v["link_hosts"]}


def telegram_signals(page) -> list[Evidence]:
    out = []
    seen = set()
    for lk in page_facts(page).links:
        bot = telegram_bot(lk.url)
        if bot and bot.lower() not in seen:
            seen.add(bot.lower())
            out.append(Evidence(page.url, "link", f'<a href="{lk.url}">{lk.text}</a>',
                                message=UI.text("telegram_bot", bot=bot),
                                data={"bot": bot, "href": lk.url, "signal": "telegram-bot"}))
    return out


# --- the rendered half ----------------------------------------------------------------------
#
# What a chat widget injected at run time leaves on a rendered page (``Page.rendered``):
# a request to a chat vendor's host in the network log (kind "request"); an (i)frame from a
# vendor's host ("frame"); an open shadow root or custom element of a known embeddable bot
# ("element"); a vendor's window global ("script": jivo_api, Tawk_API...); a visible launcher
# floating over the page (position fixed/sticky) whose id, class, label, title or text says
# "chat" in Uzbek, Russian or English ("element", vendor "self-hosted" unless a vendor was
# seen on the page); a vendor's widget element in the rendered DOM. Every ``Evidence.data``
# has "vendor" and "signal". The browser looks for the globals and launcher words because
# this probe's ``hints`` name them.



@lru_cache(maxsize=1)
def _launcher_data() -> dict:
    return data_file("chat_launcher")


@lru_cache(maxsize=1)
def vendors() -> dict[str, dict[str, list[str]]]:
    """vendor name -> {"hosts", "globals", "tags", "selectors"} for the rendered signals:
    the vendor list (``load_vendors``) plus the "self-hosted" custom elements of
    ``probes/data/chat_launcher.toml``."""
    out: dict[str, dict[str, list[str]]] = {}
    for v in load_vendors().values():
        out[v["name"]] = {k: list(v[k]) for k in ("hosts", "globals", "tags", "selectors")}
    out["self-hosted"] = {"hosts": [], "globals": [], "selectors": [],
                          "tags": list((_launcher_data().get("self_hosted") or {}).get("tags")
                                       or [])}
    return out


def known_globals() -> list[str]:
    """Every vendor global (dotted paths allowed), for the render pool to test."""
    return sorted({g for v in vendors().values() for g in v["globals"]})


def launcher_words() -> list[str]:
    """Words of a visible chat launcher (``probes/data/chat_launcher.toml``)."""
    return list(_launcher_data().get("words") or [])


def vendor_for_host(host: str) -> str:
    """The vendor whose host list matches ``host`` (the host itself or a subdomain)."""
    host = (host or "").lower().rstrip(".")
    for name, v in vendors().items():
        for h in v["hosts"]:
            h = h.lower().lstrip("*.").strip()
            if "/" in h:
                h = urlsplit(h if "//" in h else "//" + h).hostname or h
            if host == h or host.endswith("." + h):
                return name
    return ""


def vendor_for_global(name: str) -> str:
    for vendor, v in vendors().items():
        if name in v["globals"]:
            return vendor
    return ""


def vendor_for_tag(tag: str) -> str:
    tag = (tag or "").lower()
    for vendor, v in vendors().items():
        if tag in (t.lower() for t in v["tags"]):
            return vendor
    return ""


def rendered_signals(site) -> list[Evidence]:
    """Chat-widget signals on the rendered pages of ``site`` (see the module docstring).
    One evidence item per (page, signal, vendor, thing); pages not rendered are skipped."""
    out: list[Evidence] = []
    seen: set[tuple] = set()

    def add(ev: Evidence):
        key = (ev.url, ev.data.get("signal"), ev.data.get("vendor"), ev.snippet or ev.selector)
        if key not in seen:
            seen.add(key)
            out.append(ev)

    for page in site.pages:
        r = page.rendered
        if r is None or r.error is not None:
            continue
        url = r.url or page.url
        page_host = urlsplit(url).hostname or ""
        vendors_here: set[str] = set()
        for req in r.network:
            host = urlsplit(req.url).hostname or ""
            v = vendor_for_host(host) if host != page_host else ""
            if v:
                vendors_here.add(v)
                add(Evidence(url, "request", snippet=req.url,
                             message=UI.text("r_network", vendor=v, host=host,
                                             resource_type=req.resource_type)
                             if req.resource_type else
                             UI.text("r_network_untyped", vendor=v, host=host),
                             data={"vendor": v, "signal": "network", "host": host,
                                   "resource_type": req.resource_type}))
        for furl in r.frames:
            host = urlsplit(furl).hostname or ""
            v = vendor_for_host(host)
            if v:
                vendors_here.add(v)
                add(Evidence(url, "frame", snippet=furl,
                             message=UI.text("r_frame", vendor=v, host=host),
                             data={"vendor": v, "signal": "frame", "host": host}))
        for g in r.globals:
            v = vendor_for_global(g)
            if v:
                vendors_here.add(v)
                add(Evidence(url, "script", snippet=f"window.{g}",
                             message=UI.text("r_global", vendor=v, name=g),
                             data={"vendor": v, "signal": "global", "global": g}))
        for sh in r.extra.get("shadow") or []:
            v = vendor_for_tag(sh.get("tag", ""))
            if v:
                vendors_here.add(v)
                add(Evidence(url, "element", snippet=sh.get("html", ""),
                             selector=sh.get("selector", ""),
                             message=UI.text("r_shadow_root", tag=str(sh.get("tag"))),
                             data={"vendor": v, "signal": "shadow-root"}))
        if r.dom:
            for vendor, v in vendors().items():
                for sel in v["tags"] + v["selectors"]:
                    try:
                        node = r.tree.css_first(sel)
                    except Exception:  # noqa: BLE001 - a selector lexbor does not support
                        node = None
                    if node is not None:
                        vendors_here.add(vendor)
                        add(Evidence(url, "element", snippet=(node.html or "")[:1000],
                                     selector=sel,
                                     message=UI.text("r_element", vendor=vendor,
                                                     selector=sel),
                                     data={"vendor": vendor, "signal": "element"}))
                        break
        for ln in r.extra.get("launchers") or []:
            if not ln.get("fixed"):
                continue
            vendor = sorted(vendors_here)[0] if len(vendors_here) == 1 else (
                "self-hosted" if not vendors_here else ", ".join(sorted(vendors_here)))
            add(Evidence(url, "element", snippet=ln.get("html", ""),
                         selector=ln.get("selector", ""),
                         message=UI.text("r_launcher_text", text=ln["text"])
                         if ln.get("text") else UI.text("r_launcher"),
                         data={"vendor": vendor, "signal": "launcher",
                               "rect": ln.get("rect")}))
    return out


def judge(site, ctx: Context) -> Finding:
    finding = _judge(site, ctx)
    # the pages it reads (their HTML and element queries; no text): see _judge
    note_caps(finding, pages_in_reach(site)[0], rendered=True, text=False)
    return finding


def _judge(site, ctx: Context) -> Finding:
    """A chat widget of a known vendor (static fingerprints: vendor script hosts and URL
    patterns, inline install snippets, vendor iframes, widget DOM, direct chat links; plus
    the rendered signals: vendor requests, frames, globals, a floating chat launcher): pass,
    naming the vendor. Only a Telegram bot link (t.me/<name>bot, not a channel): warn (weak
    evidence). Nothing: fail. Whether it is an AI bot is never verified (ai_verified=false)."""
    url = site.start_url
    # a chat widget is part of the site's template: the home page and the pages one click
    # away that the capture fetched are the pages it is judged on (pages_in_reach)
    pages = pages_in_reach(site)[0]
    static: list[Evidence] = []
    tg: list[Evidence] = []
    for p in pages:
        static.extend(static_signals(p))
        for e in telegram_signals(p):
            if not any(x.data["bot"].lower() == e.data["bot"].lower() for x in tg):
                tg.append(e)
    rendered = rendered_signals(site)
    rendered_checked = "rendered" in site.gathered and any(
        p.rendered is not None and p.rendered.error is None for p in site.pages)
    vendors = []
    for e in static + rendered:
        v = e.data.get("vendor")
        if v and v not in vendors:
            vendors.append(v)
    details = {"found": bool(static or rendered or tg), "pages_checked": len(pages),
               "vendors": bullets(vendors, title=UI.text("title_vendors")),
               "ai_verified": False,
               "static_signals": len(static), "rendered_signals": len(rendered),
               "rendered_checked": rendered_checked,
               "telegram_bots": bullets([e.data["bot"] for e in tg][:5],
                                        title=UI.text("title_telegram_bots"))}
    ai = Evidence(url, "message", message=AI_NOTE)
    if vendors:
        ev = (static[:3] + rendered[:3])[:5] + [ai]
        return Finding("chatbot", Status.PASS, url, UI("pass", vendors=", ".join(vendors)),
                       ev, details)
    if tg:
        return Finding("chatbot", Status.WARN, url,
                       UI("warn_telegram_only", bot=tg[0].data["bot"]), tg[:3] + [ai], details)
    if not rendered_checked:
        why = site.errors.get("rendered")
        msg = UI("error_not_rendered", why=why.message if why else UI.text("not_rendered"))
        details["cause"] = str(why.cause) if why else "not-captured"
        return Finding("chatbot", Status.ERROR, url, msg,
                       [Evidence(url, "message", message=msg.text), ai], details)
    return Finding("chatbot", Status.FAIL, url, UI("fail"),
                   [Evidence(url, "message", message=UI.text("checked", n=len(pages))), ai],
                   details)


judge.__doc__ = _judge.__doc__


# RENDERED is optional: without a browser the static half is still judged (a vendor in the
# HTML passes, a Telegram bot warns); "nothing found" without a render is an error, not a fail.
def _hints() -> Hints:
    """The browser records the vendors' globals and looks for launchers; the boxes of
    frames and of the vendors' widget elements are kept for the evidence pictures."""
    widget = tuple(s for v in vendors().values() for s in v["tags"] + v["selectors"])
    return Hints(boxes=("iframe",) + widget, page_globals=tuple(known_globals()),
                 launcher_words=tuple(launcher_words()))


PROBE = Probe(id="chatbot", version=VERSION, requires=frozenset({Artifact.PAGES}),
              optional=frozenset({Artifact.RENDERED}), judge=judge, hints=_hints())

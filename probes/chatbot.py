"""chatbot - a chat-bot on the site (OSI #09a, LOSI #270b), static half + rendered signals.

Rule: a chat widget of a known vendor (JivoChat, tawk.to, LiveChat, Crisp, Intercom, Bitrix24
Open Lines, Carrot quest, Talk-Me, Verbox, UseDesk, Chatra, Tidio, Dialogflow Messenger,
Botpress, Rasa Webchat, Microsoft Bot Framework Web Chat, Yandex, Zendesk, ... - the list is
data: ``probes/data/chat_vendors.toml``) is present:

* static fingerprints in the HTML as served: a ``<script src>`` from a vendor host or URL
  pattern, an inline script installing the widget (vendor markers), an ``<iframe>`` from a
  vendor host, the widget's DOM (custom elements, ids, classes), a direct chat link;
* rendered signals (``probes.chatbot_rendered.rendered_signals``, written by the browser
  probes' engineer, loaded when present): vendor network requests, frames, window globals,
  shadow roots, a floating chat launcher - these count like a static vendor fingerprint.

pass - a vendor (or self-hosted widget) was seen; warn - only a Telegram bot link
(``t.me/<name>bot`` or ``..._bot``: weak evidence - a Telegram *channel* ``t.me/<name>`` does not
count); fail - nothing, static or rendered; error - nothing in the served HTML and no page
could be rendered (a JavaScript widget cannot be excluded). Whether a bot is "AI" can only be shown by talking to it, which govscan
never does: ``details.ai_verified`` is always false.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .base import Artifact, Context, Evidence, Finding, Probe, Status
from pageread.selectors import css_selector
from .search import _pages

VERSION = "1.0"
DATA = Path(__file__).resolve().parent / "data" / "chat_vendors.toml"
AI_NOTE = ("Whether the chat is an AI bot cannot be shown without talking to it; govscan "
           "never does, so this is not verified.")
_TG_HOSTS = ("t.me", "telegram.me", "www.t.me", "telegram.dog")
_FIELDS = ("hosts", "iframe_hosts", "url_patterns", "globals", "tags", "selectors", "markers",
           "link_hosts")


@lru_cache(maxsize=1)
def load_vendors() -> dict[str, dict]:
    """Chat vendors, keyed by id: ``{"name", "kind", "hosts", "iframe_hosts",
    "url_patterns", "globals", "tags", "selectors", "markers", "link_hosts"}`` (lists;
    ``hosts`` already includes ``iframe_hosts``). Read from probes/data/chat_vendors.toml."""
    raw = tomllib.loads(DATA.read_text(encoding="utf-8"))
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
            return vid, f"host {h}"
        for p in v["url_patterns"]:
            if p.lower() in low:
                return vid, f"URL pattern {p}"
    return "", ""


def telegram_bot(href: str) -> str:
    """The bot's name when ``href`` is a Telegram link to a bot (``t.me/<name>bot`` or
    ``..._bot``); "" for channels, groups and people."""
    p = urlsplit(href)
    if (p.hostname or "").lower() not in _TG_HOSTS:
        return ""
    name = p.path.strip("/").split("/")[0]
    if name.lower() in ("s", "joinchat", "share", "addstickers", "c", "iv") or "+" in name:
        return ""
    if len(name) > 3 and name.lower().endswith("bot"):
        return name
    return ""


def static_signals(page) -> list[Evidence]:
    """Vendor fingerprints in one page's HTML as served."""
    tree, url = page.tree, page.url
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
                f"a {vendors[vid]['name']} script is loaded ({why})", "script-src")
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
                f"an inline script installs {vendors[vid]['name']} ('{needle}')",
                "inline-script")
    for f in tree.css("iframe[src], frame[src]"):
        src = urljoin(url, f.attributes.get("src") or "")
        vid, why = vendor_of_url(src)
        if vid:
            add(vid, "frame", f.html or src, css_selector(f),
                f"an iframe of {vendors[vid]['name']} ({why})", "iframe")
    raw = (page.response.text if hasattr(page, "response") else "").lower()
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
                    f"the page contains {v['name']}'s widget element ({sel})", "element")
                break
    link_hosts = _link_hosts()
    for lk in page.links:
        host = (urlsplit(lk.url).hostname or "").lower()
        vid = link_hosts.get(host) or next(
            (v for h, v in link_hosts.items() if host.endswith("." + h)), "")
        if vid:
            add(vid, "link", f'<a href="{lk.url}">{lk.text}</a>', "",
                f"a direct chat link to {vendors[vid]['name']}", "link")
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
    for lk in page.links:
        bot = telegram_bot(lk.url)
        if bot and bot.lower() not in seen:
            seen.add(bot.lower())
            out.append(Evidence(page.url, "link", f'<a href="{lk.url}">{lk.text}</a>',
                                message=f"a link to the Telegram bot @{bot} (weak evidence: "
                                        "a bot account, not a chat on the site)",
                                data={"bot": bot, "href": lk.url, "signal": "telegram-bot"}))
    return out


def _rendered(site) -> tuple[list[Evidence], str]:
    try:
        from .chatbot_rendered import rendered_signals
    except ImportError:
        return [], "rendered signals unavailable (probes.chatbot_rendered not installed)"
    try:
        return list(rendered_signals(site)), ""
    except Exception as exc:  # noqa: BLE001 - the static half must still be judged
        return [], f"rendered signals failed: {exc!r}"


def judge(site, ctx: Context) -> Finding:
    """A chat widget of a known vendor (static fingerprints: vendor script hosts and URL
    patterns, inline install snippets, vendor iframes, widget DOM, direct chat links; plus
    the rendered signals: vendor requests, frames, globals, a floating chat launcher): pass,
    naming the vendor. Only a Telegram bot link (t.me/<name>bot, not a channel): warn (weak
    evidence). Nothing: fail. Whether it is an AI bot is never verified (ai_verified=false)."""
    url = site.start_url
    pages = _pages(site)
    static: list[Evidence] = []
    tg: list[Evidence] = []
    for p in pages:
        static.extend(static_signals(p))
        for e in telegram_signals(p):
            if not any(x.data["bot"].lower() == e.data["bot"].lower() for x in tg):
                tg.append(e)
    rendered, rendered_note = _rendered(site)
    rendered_checked = "rendered" in site.gathered and any(
        p.rendered is not None and p.rendered.error is None for p in site.pages)
    vendors = []
    for e in static + rendered:
        v = e.data.get("vendor")
        if v and v not in vendors:
            vendors.append(v)
    details = {"found": bool(static or rendered or tg), "pages_checked": len(pages),
               "vendors": vendors, "ai_verified": False,
               "static_signals": len(static), "rendered_signals": len(rendered),
               "rendered_checked": rendered_checked,
               "telegram_bots": [e.data["bot"] for e in tg][:5]}
    if rendered_note:
        details["rendered_note"] = rendered_note
    ai = Evidence(url, "message", message=AI_NOTE)
    if vendors:
        ev = (static[:3] + rendered[:3])[:5] + [ai]
        return Finding("chatbot", Status.PASS, url,
                       "A chat widget is present: " + ", ".join(vendors) + ". " + AI_NOTE,
                       ev, details)
    if tg:
        return Finding("chatbot", Status.WARN, url,
                       f"No chat widget on the site; only a Telegram bot is linked "
                       f"(@{tg[0].data['bot']}), which is weak evidence. " + AI_NOTE,
                       tg[:3] + [ai], details)
    if not rendered_checked:
        why = site.errors.get("rendered")
        msg = ("No chat fingerprint in the served HTML, and no page was rendered "
               f"({why.message if why else 'not gathered: --no-render or no browser'}); a "
               "widget injected by JavaScript cannot be excluded, so this is not judged.")
        details["cause"] = str(why.cause) if why else "not-captured"
        return Finding("chatbot", Status.ERROR, url, msg,
                       [Evidence(url, "message", message=msg), ai], details)
    scope = "the served HTML and the rendered pages"
    return Finding("chatbot", Status.FAIL, url,
                   f"No chat widget or Telegram bot was found in {scope}.",
                   [Evidence(url, "message", message=f"checked {len(pages)} page(s); "
                             + (rendered_note or "")), ai], details)


# RENDERED is optional: without a browser the static half is still judged (a vendor in the
# HTML passes, a Telegram bot warns); "nothing found" without a render is an error, not a fail.
PROBE = Probe(id="chatbot", version=VERSION, requires=frozenset({Artifact.PAGES}),
              optional=frozenset({Artifact.RENDERED}), judge=judge)

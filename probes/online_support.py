"""online-support - online user support (LOSI item 47.10), static half + rendered signals.

Rule: the site offers a way to chat with its staff:

* a live-chat widget - the chatbot probe's vendor fingerprints, reused (``probes.chatbot``:
  ``static_signals`` in the home page's HTML as served - a widget is part of the site's
  template -, ``rendered_signals`` on every rendered page: vendor
  requests, frames, globals, a visible floating chat launcher); a vendor of kind
  ``live-chat`` or a self-hosted launcher counts, a bot-framework widget alone is a bot, not
  staff (warn);
* a click-to-chat link: WhatsApp ``wa.me/<number>`` or ``api.whatsapp.com/send?phone=``,
  ``viber://chat`` (``probes/data/online_support.toml``);
* a visible support link (in the served HTML or the rendered home page) to a Telegram
  account: ``t.me/<name>`` whose text, label or parent
  element says support/consultation/help ("Onlayn maslahat", "Qo‘llab-quvvatlash",
  "Онлайн-консультант", "Поддержка", "Support": ``words_services.toml [support]``), or whose
  user name does.

pass - a live chat, a click-to-chat link or a Telegram support link; warn - only a
chat-bot platform, or only a Telegram bot without support words; fail - none, static or
rendered; error - nothing in the served HTML and no page could be rendered (a widget
injected by JavaScript cannot be excluded). A Telegram channel is social media, and a hidden
analytics script is nothing.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qs, urljoin, urlsplit

from pageread.links import TELEGRAM_HOSTS, telegram_bot
from pageread.selectors import css_selector
from pageread.words import keywords

from . import chatbot
from .base import near_pages, Artifact, Context, Evidence, Finding, Probe, Status, UIStrings, bullets, data_file
from .help import nothing_found, rendered_home
from .social_media import classify

VERSION = "1.0"
AROUND = 60  # characters before a link read as its label

UI = UIStrings("online-support", {
    "pass_chat": "A live chat is offered: {vendors}.",
    "pass_link": "A support chat is linked: “{text}” ({href}).",
    "warn_bot": "Only a chat-bot is offered ({vendors}); it is not shown to reach the staff.",
    "warn_telegram_bot": "Only a Telegram bot is linked (@{bot}), without a word saying it "
                         "is user support.",
    "error_not_rendered": "No live chat or support link in the served HTML, and no page was "
                          "rendered ({why}); a chat widget injected by JavaScript cannot be "
                          "excluded, so this is not judged.",
    "fail": "No live chat, click-to-chat link or support account was found on the {n} "
            "page(s) checked, in the served HTML and the rendered pages.",
    "click_to_chat": "a click-to-chat link ({host})",
    "telegram_support": "a Telegram support account (“{word}”)",
    "telegram_bot": "a Telegram bot (@{bot}) with no word saying it is user support",
    "not_rendered": "not gathered: --no-render or no browser",
    "checked": "checked {n} page(s)",
    "title_vendors": "Chat widgets",
    "title_links": "Support links",
    "title_bots": "Telegram bots",
})


@lru_cache(maxsize=1)
def _data() -> dict:
    return data_file("online_support")["click_to_chat"]


def click_to_chat(href: str) -> str:
    """The host (or scheme) when ``href`` opens a chat with a number: ``wa.me/<number>``,
    ``api.whatsapp.com/send?phone=...``, ``viber://chat?number=...``; "" otherwise (a
    share link ``wa.me/?text=...`` has no number)."""
    d = _data()
    low = href.lower()
    for s in d["schemes"]:
        if low.startswith(s):
            return s.split(":")[0]
    try:
        u = urlsplit(href)
    except ValueError:
        return ""
    host = (u.hostname or "").lower()
    if not any(host == h or host.endswith("." + h) for h in d["hosts"]):
        return ""
    has_number = any(c.isdigit() for c in u.path) or "phone" in parse_qs(u.query)
    return host if has_number else ""


def _telegram(href: str, text: str, node_text: str) -> tuple[str, str]:
    """("support", word) for a Telegram link whose text/label/surroundings or user name has a
    support word; ("bot", name) for a bot without one; ("", "") otherwise."""
    host = (urlsplit(href).hostname or "").lower()
    if host not in TELEGRAM_HOSTS:
        return "", ""
    kind, _, account = classify(href)
    bot = telegram_bot(href)
    if kind != "account" and not bot:
        return "", ""
    kw = keywords("support")
    m = kw.search(text) or kw.search(node_text) or kw.in_attr(account or bot)
    if m:
        return "support", m.text
    return ("bot", bot) if bot else ("", "")


def _kind_of(vendor: str) -> str:
    """live-chat | bot-framework for a vendor name (a self-hosted launcher is a live chat)."""
    for v in chatbot.load_vendors().values():
        if v["name"] == vendor:
            return v["kind"]
    return "live-chat"


def label_before(node) -> str:
    """The text right before a link, within its parent (the previous siblings, up to
    ``AROUND`` characters): "Onlayn maslahat: <a>@name</a>" gives "Onlayn maslahat:"."""
    parts: list[str] = []
    n, size = node.prev, 0
    while n is not None and size < AROUND:
        t = n.text(deep=True, separator=" ") if n.tag != "-text" else (n.text() or "")
        if n.tag == "a":
            break  # another link's text is not this one's label
        parts.insert(0, t)
        size += len(t)
        n = n.prev
    return " ".join(" ".join(parts).split())[-AROUND:]


_CHAT_LINKS = ('a[href*="t.me/"], a[href*="telegram."], a[href*="wa.me"], '
               'a[href*="whatsapp.com"], a[href^="viber:"], a[href^="whatsapp:"]')


def support_links(page) -> tuple[list[Evidence], list[Evidence]]:
    """(support links, Telegram bots without support words) on one page: only the links
    whose href names a chat host are read (one CSS query), with the text just before each
    (``label_before``)."""
    support, bots = [], []
    for a in page.tree.css(_CHAT_LINKS):
        href = urljoin(page.url, (a.attributes.get("href") or "").strip())
        text = " ".join((a.text(deep=True, separator=" ") or a.attributes.get("aria-label")
                         or a.attributes.get("title") or "").split())
        snippet = f'<a href="{href}">{text}</a>'
        host = click_to_chat(href)
        if host:
            support.append(Evidence(page.url, "link", snippet, css_selector(a),
                                    UI.text("click_to_chat", host=host),
                                    {"href": href, "text": text or href}))
            continue
        around = label_before(a)
        kind, word = _telegram(href, text, around)
        if kind == "support":
            support.append(Evidence(page.url, "link", snippet, css_selector(a),
                                    UI.text("telegram_support", word=word),
                                    {"href": href, "text": text or href}))
        elif kind == "bot":
            bots.append(Evidence(page.url, "link", snippet, css_selector(a),
                                 UI.text("telegram_bot", bot=word), {"href": href, "bot": word}))
    return support, bots


def judge(site, ctx: Context) -> Finding:
    """A live-chat widget (chatbot's vendor fingerprints, static or rendered, kind live-chat,
    or a visible self-hosted launcher), a click-to-chat link (wa.me, viber) or a Telegram
    link with a support word: pass. Only a chat-bot platform or a Telegram bot: warn.
    Nothing: fail; nothing and no rendered page: error."""
    url = site.start_url
    pages = near_pages(site)
    widgets: list[Evidence] = []
    links: list[Evidence] = []
    bots: list[Evidence] = []
    if pages:  # a chat widget is in the site's template: the home page shows it if any does
        widgets += chatbot.static_signals(pages[0])

    def read(some) -> None:
        for p in some:
            s, b = support_links(p)
            links.extend(e for e in s if not any(x.data["href"] == e.data["href"]
                                                 for x in links))
            bots.extend(e for e in b if not any(x.data["bot"] == e.data["bot"] for x in bots))

    read(pages)
    if not links:  # static first; then the rendered home page (links added by JavaScript)
        read(rendered_home(site))
    widgets += chatbot.rendered_signals(site)
    rendered_checked = "rendered" in site.gathered and any(
        p.rendered is not None and p.rendered.error is None for p in site.pages)
    vendors: dict[str, str] = {}
    for e in widgets:
        v = e.data.get("vendor")
        if v and v not in vendors:
            vendors[v] = e.data.get("vendor_kind") or _kind_of(v)
    live = [v for v, k in vendors.items() if k == "live-chat"]
    details = {"found": bool(vendors or links or bots), "pages_checked": len(pages),
               "rendered_checked": rendered_checked,
               "chat_widgets": bullets([f"{v} ({k})" for v, k in vendors.items()],
                                       title=UI.text("title_vendors")),
               "support_links": bullets([e.data["href"] for e in links][:5],
                                        title=UI.text("title_links")),
               "telegram_bots": bullets([e.data["bot"] for e in bots][:5],
                                        title=UI.text("title_bots"))}
    if live:
        ev = [e for e in widgets if e.data.get("vendor") in live][:4] + links[:1]
        return Finding("online-support", Status.PASS, url,
                       UI("pass_chat", vendors=", ".join(live)), ev, details)
    if links:
        e = links[0]
        return Finding("online-support", Status.PASS, url,
                       UI("pass_link", text=e.data["text"], href=e.data["href"]), links[:4],
                       details)
    if vendors:
        return Finding("online-support", Status.WARN, url,
                       UI("warn_bot", vendors=", ".join(vendors)), widgets[:4], details)
    if bots:
        return Finding("online-support", Status.WARN, url,
                       UI("warn_telegram_bot", bot=bots[0].data["bot"]), bots[:3], details)
    if not rendered_checked:
        why = site.errors.get("rendered")
        msg = UI("error_not_rendered", why=why.message if why else UI.text("not_rendered"))
        details["cause"] = str(why.cause) if why else "not-captured"
        return Finding("online-support", Status.ERROR, url, msg,
                       [Evidence(url, "message", message=msg.text)], details)
    return nothing_found("online-support", UI, site, pages, details)


# RENDERED is optional (as for chatbot, whose hints it shares: the browser records the chat
# vendors' globals and looks for launchers): without a browser the static half is judged,
# and "nothing found" without a render is an error, not a fail.
PROBE = Probe(id="online-support", version=VERSION, requires=frozenset({Artifact.PAGES}),
              optional=frozenset({Artifact.RENDERED}), judge=judge, hints=chatbot.PROBE.hints)

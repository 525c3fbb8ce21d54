"""social-media - the body's official social-media accounts are linked (OSI #007, LOSI #273).

Rule: the home page or a page one click from it links to an ACCOUNT on a social network -
Telegram first (``t.me/<channel>``: the main channel in Uzbekistan), then Facebook,
Instagram, YouTube (``/@name``, ``/channel/...``), X, and LinkedIn, TikTok, OK, VK
(``probes/data/social_networks.toml``). Not accounts: share buttons (``sharer.php``,
``t.me/share/url``, ``intent/tweet``, AddThis/ShareThis/Yandex share, any link carrying the
shared page in ``?u=``/``?url=``/``?text=``), posts and videos (``/p/...``, ``/watch``,
``youtu.be``, ``/status/...``), Telegram bots (``..._bot``: an appeal or chat channel, judged
by contact-form and chatbot) and invite links.

pass - at least one account (the networks are listed, Telegram first); fail - none (share
buttons seen are listed in details as not counted). When the served HTML has no account and
the home page was rendered (a scan renders it), the rendered home page's links are read too
(icons added by JavaScript). Whether an account is the body's own
cannot be proven: the link, its text and the page are the evidence.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from pageread.links import _TELEGRAM_NOT_ACCOUNTS, TELEGRAM_HOSTS, domain_in, telegram_bot

from .base import near_pages, Artifact, Context, Evidence, Finding, Probe, Status, UIStrings, bullets, table, data_file
from .help import LinkHit, nothing_found, rendered_home

VERSION = "1.0"

UI = UIStrings("social-media", {
    "pass": "Official accounts are linked: {networks}.",
    "fail": "No social-media account is linked from the {n} page(s) checked (the home page "
            "and the pages one click away).",
    "fail_share_only": "No social-media account is linked; only share buttons were found "
                       "({n}), which post the page to the reader's own account.",
    "account": "a link to the {network} account {account}",
    "share": "a share button (not an account)",
    "checked": "checked {n} page(s)",
    "title_accounts": "Accounts",
    "title_share": "Share buttons (not accounts)",
})


@lru_cache(maxsize=1)
def networks() -> dict[str, dict]:
    """Network id -> its table (``hosts`` filled in for Telegram), in report order."""
    raw = data_file("social_networks")
    out = {k: dict(v) for k, v in raw.items() if k != "share"}
    out["telegram"]["hosts"] = list(TELEGRAM_HOSTS)
    out["telegram"]["not_account"] = list(_TELEGRAM_NOT_ACCOUNTS)
    return out


@lru_cache(maxsize=1)
def _share() -> dict:
    return data_file("social_networks")["share"]


@lru_cache(maxsize=65536)  # footers repeat on every page: a pure function of the URL
def classify(href: str) -> tuple[str, str, str]:
    """(kind, network id, account) of a link: kind ``account`` (an account on a network of
    the data file), ``share`` (a share button or share service), or "" (anything else:
    posts, videos, bots, other sites)."""
    try:
        u = urlsplit(href)
    except ValueError:
        return "", "", ""
    if u.scheme not in ("http", "https"):
        return "", "", ""
    host = (u.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    share = _share()
    params = {k.lower() for k in parse_qs(u.query)}
    segs = [s for s in u.path.split("/") if s]
    for nid, net in networks().items():
        if not domain_in(host, net.get("hosts", [])):
            continue
        if params & set(share["params"]) or any(s.lower() in ("share", "sharer", "sharer.php",
                                                              "share.php") for s in segs):
            return "share", nid, ""
        if nid == "telegram" and len(segs) >= 2 and segs[0] == "s":
            segs = segs[1:]  # t.me/s/<channel>: the channel's public web preview
        if not segs or segs[0].lower() in {s.lower() for s in net.get("not_account", [])}:
            return "", nid, ""
        if any(s.lower() in net.get("post_segments", []) for s in segs[1:]):
            return "", nid, ""
        first = segs[0]
        if "account_prefixes" in net and not first.startswith("@"):
            if first.lower() not in net["account_prefixes"] or len(segs) < 2:
                return "", nid, ""
            return "account", nid, f"{first}/{segs[1]}"
        if nid == "telegram" and (telegram_bot(href) or first.startswith("+")):
            return "", nid, ""
        return "account", nid, first
    if domain_in(host, share["hosts"]):
        return "share", "", ""
    return "", "", ""


def judge(site, ctx: Context) -> Finding:
    """A link to an account on Telegram, Facebook, Instagram, YouTube, X (or LinkedIn,
    TikTok, OK, VK) on the home page or a page one click away: pass, listing the networks,
    Telegram first. Share buttons, posts, videos and bots are not accounts. None: fail."""
    url = site.start_url
    pages = near_pages(site)
    order = list(networks())
    accounts: dict[str, LinkHit] = {}
    share: dict[str, str] = {}  # share URL -> the page it was seen on

    def read(some) -> None:
        for p in some:
            for lk in p.links:
                kind, nid, account = classify(lk.url)
                if kind == "account" and nid not in accounts:
                    accounts[nid] = LinkHit(p.url, lk.url, lk.text or lk.url, account)
                elif kind == "share":
                    share.setdefault(lk.url, p.url)

    read(pages)
    if not accounts:
        read(rendered_home(site))
    found = sorted(accounts, key=order.index)
    names = [networks()[n]["name"] for n in found]
    details = {"found": bool(found), "pages_checked": len(pages), "networks": names,
               "telegram": "telegram" in accounts,
               "accounts": table([{"network": networks()[n]["name"], **accounts[n].row()}
                                  for n in found], headings=["network", "text", "href", "from"],
                                 title=UI.text("title_accounts")),
               "share_buttons": bullets(list(share)[:10], title=UI.text("title_share"))}
    if found:
        ev = [accounts[n].evidence(UI.text("account", network=networks()[n]["name"],
                                           account=accounts[n].word)) for n in found[:5]]
        return Finding("social-media", Status.PASS, url, UI("pass", networks=", ".join(names)),
                       ev, details)
    if share:
        return Finding("social-media", Status.FAIL, url, UI("fail_share_only", n=len(share)),
                       [Evidence(seen_on, "link", f'<a href="{s}">', message=UI.text("share"))
                        for s, seen_on in list(share.items())[:3]], details)
    return nothing_found("social-media", UI, site, pages, details)


PROBE = Probe(id="social-media", version=VERSION, requires=frozenset({Artifact.PAGES}),
              judge=judge)

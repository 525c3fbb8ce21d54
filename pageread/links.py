"""Reading links: what a link points at, by rules that both sides of the flow share."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

@lru_cache(maxsize=65536)  # a site's pages repeat the same links: split each URL once
def host_of(url: str) -> str:
    """The host of ``url``, lower-cased, without a leading ``www.``; "" when it has none or
    cannot be split."""
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


def domain_in(host: str, domains) -> str:
    """The domain of ``domains`` that ``host`` is, or is a subdomain of; "" otherwise."""
    for d in domains:
        if host == d or host.endswith("." + d):
            return d
    return ""


TELEGRAM_HOSTS = ("t.me", "telegram.me", "www.t.me", "telegram.dog")
# first path segments of t.me links that are not an account: share/join/sticker/post links
_TELEGRAM_NOT_ACCOUNTS = ("s", "joinchat", "share", "addstickers", "c", "iv")


def telegram_bot(href: str) -> str:
    """The bot's name when ``href`` is a Telegram link to a bot (``t.me/<name>bot`` or
    ``t.me/<name>_bot``: Telegram requires bot user names to end in "bot"); "" for channels,
    groups, people and share/join links."""
    p = urlsplit(href)
    if (p.hostname or "").lower() not in TELEGRAM_HOSTS:
        return ""
    name = p.path.strip("/").split("/")[0]
    if name.lower() in _TELEGRAM_NOT_ACCOUNTS or "+" in name:
        return ""
    if len(name) > 3 and name.lower().endswith("bot"):
        return name
    return ""

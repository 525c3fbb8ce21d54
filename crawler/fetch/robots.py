"""What robots.txt says for one origin (``RobotsRule``), and what an origin is (``origin_of``).

robots.txt follows RFC 9309 and is parsed by protego; the fetcher fetches it once per origin
and caches the rule. ``parse_robots`` reads the answer: 2xx is obeyed, 4xx means allow all,
5xx means disallow all, an unparsable file restricts nothing, nor does a redirect loop (RFC
9309: unavailable after five redirects); a file over the size cap is read up to the cap.
When robots.txt is unreachable (timeout, reset...) the rule carries that error and the pages
of that origin are not fetched; when no HTTP exchange was possible at all (DNS, refused, TLS
invalid, private address) the fetcher attempts the page so it fails with its own error and TLS facts (``.errors``'s
``UNREACHABLE``). ``Crawl-delay`` (``RobotsRule.crawl_delay``) raises that host's minimum
delay, capped by ``FetchConfig.max_crawl_delay`` - the fetcher applies it from the request
after robots.txt on. A byte order mark before the first line is dropped (``robots_text``)
before anything reads the file; ``Sitemap:`` lines belong to no group and are read whatever
the rules say (``sitemap_urls``).

One job: robots.txt rules per origin. May import the standard library, protego (lazily),
``crawler.causes`` and ``crawler.artifacts``.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..artifacts import Response
from ..causes import Cause, FetchError

ROBOTS_TOKEN = "govscan"


@dataclass
class RobotsRule:
    """What robots.txt says for one origin: a protego parser, or a blanket rule."""

    origin: str
    parser: Any = None  # protego.Protego when robots.txt was readable
    allow_all: bool = False
    disallow_all: bool = False
    error: FetchError | None = None  # robots.txt unreachable: pages get this error
    status: int | None = None
    crawl_delay: float | None = None
    response: Response | None = None  # the robots.txt fetch itself (gather_robots uses it)

    def allowed(self, url: str, token: str) -> bool:
        if self.allow_all:
            return True
        if self.disallow_all or self.error is not None:
            return False
        return self.parser is None or self.parser.can_fetch(url, token)


def parse_robots(origin: str, resp: Response) -> RobotsRule:
    """The rule an origin's robots.txt answer ``resp`` stands for (see the module doc)."""
    rule = RobotsRule(origin, status=resp.status, response=resp)
    if resp.error is not None and resp.error.cause in (Cause.REDIRECT_LOOP,
                                                       Cause.TOO_MANY_REDIRECTS):
        # RFC 9309 section 2.3.1.2: past five redirects robots.txt counts as unavailable,
        # and an unavailable robots.txt (4xx) restricts nothing
        rule.allow_all = True
    elif resp.error is not None and resp.error.cause not in (Cause.TOO_LARGE,
                                                             Cause.BAD_ENCODING):
        rule.error = FetchError(resp.error.cause,
                                f"robots.txt unreachable: {resp.error.detail}")
    elif resp.status is not None and 400 <= resp.status < 500:
        rule.allow_all = True
    elif resp.status is None or resp.status >= 500:
        rule.disallow_all = True
    else:
        from protego import Protego

        try:
            rule.parser = Protego.parse(robots_text(resp))
        except Exception:  # noqa: BLE001 - an unparsable file restricts nothing
            rule.allow_all = True
        else:
            delay = rule.parser.crawl_delay(ROBOTS_TOKEN)
            if delay:
                rule.crawl_delay = float(delay)
    return rule


def robots_text(resp: Response) -> str:
    """The text of a robots.txt answer without a byte order mark: a UTF-8 BOM in front of
    the first ``User-agent`` line would otherwise make that line, and its group, unreadable."""
    return resp.text.lstrip("\ufeff")


_SITEMAP_LINE = re.compile(r"\s*sitemap\s*:\s*(\S+)", re.I)


def sitemap_urls(resp: Response | None) -> list[str]:
    """The ``Sitemap:`` URLs a robots.txt answer announces (absolute, in order, each once).
    They belong to no user-agent group (RFC 9309 section 2.2.4; sitemaps.org), so they are
    read whatever the rules say - also when the rules disallow everything."""
    if resp is None or not resp.ok or not resp.body:
        return []
    out: list[str] = []
    for line in robots_text(resp).splitlines():
        m = _SITEMAP_LINE.match(line)
        if m:
            u = urljoin(resp.url, m.group(1).strip())
            if u not in out:
                out.append(u)
    return out


def origin_of(url: str) -> str:
    p = urlsplit(url)
    host = (p.hostname or "").lower()
    port = p.port
    default = {"http": 80, "https": 443}.get(p.scheme)
    netloc = host if (port is None or port == default) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port in (None, default) else f"[{host}]:{port}"
    return f"{p.scheme}://{netloc}"

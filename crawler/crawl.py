"""Scoped discovery: the pages of one target, the pages one click from its home, its
legacy domains.

``gather_pages`` crawls a target *within its scope* (``target.contains``: the URL prefix and
its language variants, minus sections owned by other targets) from the start URL (and the
in-scope sitemap URLs when sitemaps were gathered first), best-first: a link's priority is
the weight of the section it leads to, among those the selected probes asked for
(``env.options.hints.follow``: contacts, appeals, search, sitemap, news... matched with the
probes' own keyword tables in Uzbek Latin and Cyrillic, Russian, English; avoid-listed links
score negative), minus its depth, minus a little for the language variants other than the start
page's and for the n-th link of one URL pattern (40 news items do not eat the budget).
Budget (``max_pages``) and depth (``max_depth``) caps, trap protection and robots refusals
are written to ``site.notes`` so a reader knows what was *not* crawled.

The start page is always ``site.pages[0]``, even when it failed: its Response carries the
error, which is what every page-based probe then reports.
"""

from __future__ import annotations

import asyncio
import heapq
import re
from urllib.parse import urlsplit

from .artifacts import Page, Response, SiteCapture
from .capture import emit
from .causes import Cause
from .urls import (TrapGuard, dedup_key, link_priority, looks_binary,
                   normalize_url)

OTHER_LANGUAGE_PENALTY = 2.0
DEPTH_PENALTY = 1.5
PATTERN_PENALTY = 0.5  # per earlier link of the same URL pattern
MAX_LINKED = 8  # one-click pages at least (one per asked-for section when there are more)
MAX_LINKED_CEILING = 24  # never more one-click pages than this, however many sections
EVIDENCE_WEIGHT = 6  # sections weighing this much are never crowded out by their URL pattern


def _pattern(url: str) -> str:
    """Links of one list share a pattern: the path with digits and the last segment
    blanked (``/oz/x/news/123`` -> ``/oz/x/news/*``)."""
    p = urlsplit(url)
    path = re.sub(r"\d+", "N", p.path.rstrip("/"))
    head = path.rsplit("/", 1)[0]
    return f"{p.netloc}{head}/*"


class _Frontier:
    """Best-first queue of in-scope URLs not yet fetched."""

    def __init__(self, site: SiteCapture, max_depth: int, start_lang: str,
                 follow: tuple = ()):
        self.site = site
        self.follow = follow  # the sections the probes asked for (Hints.follow)
        self.target = site.target
        self.max_depth = max_depth
        self.start_lang = start_lang
        self.heap: list[tuple[float, int, str, int, str]] = []
        self.seen: set[str] = set()
        self.patterns: dict[str, int] = {}
        self.guard = TrapGuard()
        self.seq = 0
        self.out_of_scope = 0
        self.raw: set[str] = set()  # link URLs as written, already considered
        self.deep: set[str] = set()  # link URLs beyond max_depth

    def mark(self, url: str) -> bool:
        """Mark ``url`` seen; False when it was seen before."""
        k = dedup_key(url)
        if k in self.seen:
            return False
        self.seen.add(k)
        return True

    def score(self, url: str, text: str, depth: int) -> float:
        _, weight = link_priority(url, text, self.follow)
        s = weight - DEPTH_PENALTY * depth
        lang = self.target.language_of(url) if self.target.languages else ""
        if lang and self.start_lang and lang != self.start_lang:
            s -= OTHER_LANGUAGE_PENALTY
        if weight < EVIDENCE_WEIGHT:  # evidence pages are never crowded out by their pattern
            pat = _pattern(url)
            n = self.patterns.get(pat, 0)
            self.patterns[pat] = n + 1
            s -= PATTERN_PENALTY * n
        return s

    def offer(self, url: str, text: str, depth: int, found_from: str) -> None:
        if depth > self.max_depth:
            if url not in self.raw and url not in self.deep:
                self.deep.add(url)
            return
        if url in self.raw:  # the same link on another page (navigation, footer): done
            return
        self.raw.add(url)
        if url.split(":", 1)[0].lower() not in ("http", "https") or looks_binary(url):
            return
        n = normalize_url(url)
        if n is None:
            return
        if not self.target.contains(n):
            self.out_of_scope += 1
            return
        k = dedup_key(n)
        if k in self.seen:
            return
        self.seen.add(k)
        if self.guard.check(n):
            return
        self.seq += 1
        heapq.heappush(self.heap, (-self.score(n, text, depth), self.seq, n, depth, found_from))

    @property
    def too_deep(self) -> int:
        """Distinct in-scope, unseen links beyond the depth limit."""
        return sum(1 for u in self.deep if u not in self.raw and (n := normalize_url(u))
                   and self.target.contains(n) and dedup_key(n) not in self.seen)

    def pop(self) -> tuple[str, int, str]:
        _, _, url, depth, found = heapq.heappop(self.heap)
        return url, depth, found

    def __len__(self):
        return len(self.heap)


def release_parse(page: Page) -> None:
    """Drop a page's parse caches (lexbor tree ~0.4 MB, decoded text) once its links are
    known; whoever needs the tree again re-parses it. Keeps a 16-target x 30-page working
    set well under the memory budget."""
    page.__dict__.pop("tree", None)
    page.response.__dict__.pop("text", None)


def _options(env):
    opts = env.options
    return (max(1, int(opts.max_pages)), max(0, int(opts.max_depth)),
            max(1, int(opts.extra.get("crawl_concurrency", 4))))


async def gather_pages(site: SiteCapture, env) -> None:
    """Fill ``site.pages``: the start page first, then the best in-scope pages."""
    target = site.target
    max_pages, max_depth, workers = _options(env)
    fetcher = env.fetcher
    start = target.start_url
    home_resp = await fetcher.fetch(start, html_only=True)
    home = Page(home_resp, depth=0, found_from="", scope=target.scope)
    site.pages.append(home)
    emit(env, site, "page", url=home.url)  # i13 progress
    if env.options.single_url:
        return
    start_lang = target.language_of(start) if target.languages else ""
    fr = _Frontier(site, max_depth, start_lang, env.options.hints.follow)
    fr.mark(start)
    fr.mark(home_resp.url)
    if not (home_resp.ok and home_resp.is_html):
        if home_resp.error is None:
            site.notes.append(f"start page answered HTTP {home_resp.status}: nothing crawled")
        return
    for link in home.links:
        fr.offer(link.url, link.text, 1, home.url)
    for doc in site.sitemaps:  # when sitemaps were gathered before the crawl
        for u in doc.urls:
            fr.offer(u, "", 1, "sitemap:" + doc.url)

    robots_refused = non_html = left_scope = duplicates = failed = 0
    max_fetches = max_pages * 3 + 10
    fetches = 0
    tasks: dict[asyncio.Task, tuple[str, int, str, int]] = {}
    chosen: dict[int, int] = {}  # id(page) -> the order in which it was picked
    try:
        while True:
            while (fr and len(tasks) < workers and len(site.pages) + len(tasks) < max_pages
                   and fetches < max_fetches):
                url, depth, found = fr.pop()
                fetches += 1
                t = asyncio.ensure_future(fetcher.fetch(url, html_only=True))
                tasks[t] = (url, depth, found, fetches)
            if not tasks:
                break
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for t in done:
                url, depth, found, order = tasks.pop(t)
                resp: Response = t.result()
                err = resp.error
                if err is not None and err.cause == Cause.ROBOTS:
                    robots_refused += 1
                    continue
                if err is not None and err.cause == Cause.NOT_HTML:
                    non_html += 1
                    continue
                if resp.url != url:
                    if not target.contains(resp.url):
                        left_scope += 1
                        continue
                    if not fr.mark(resp.url):
                        duplicates += 1
                        continue
                if err is not None or (resp.status or 0) >= 400:
                    failed += 1
                page = Page(resp, depth=depth, found_from=found, scope=target.scope)
                site.pages.append(page)
                emit(env, site, "page", url=page.url)  # i13 progress
                chosen[id(page)] = order
                if resp.ok and resp.is_html:
                    for link in page.links:
                        fr.offer(link.url, link.text, depth + 1, page.url)
                    release_parse(page)
    finally:
        for t in tasks:
            t.cancel()
    # pages in the order the crawler chose them (its priority), not the order the network
    # happened to answer: evidence pages first, deterministic from run to run
    site.pages[1:] = sorted(site.pages[1:], key=lambda pg: chosen.get(id(pg), 0))

    if len(site.pages) >= max_pages and len(fr):
        site.notes.append(f"page budget of {max_pages} reached; {len(fr)} more in-scope "
                          f"links not crawled")
    elif fetches >= max_fetches and len(fr):
        site.notes.append(f"request cap of {max_fetches} reached; {len(fr)} more in-scope "
                          f"links not crawled")
    too_deep = fr.too_deep
    if too_deep:
        site.notes.append(f"depth limit of {max_depth} reached; {too_deep} deeper in-scope "
                          f"links not followed")
    if fr.guard.skipped:
        site.notes.append(f"trap protection skipped {sum(fr.guard.skipped.values())} URLs "
                          f"({fr.guard.summary()})")
    if robots_refused:
        site.notes.append(f"robots.txt disallows {robots_refused} in-scope URLs; not fetched")
    if non_html:
        site.notes.append(f"{non_html} in-scope links were not HTML pages (not kept)")
    if left_scope:
        site.notes.append(f"{left_scope} in-scope links redirected out of scope (not kept)")
    if failed:
        site.notes.append(f"{failed} crawled pages failed (HTTP error or network error)")


def _same_site(url: str, start: str) -> bool:
    a, b = urlsplit(url), urlsplit(start)
    return ((a.hostname or "").removeprefix("www.") == (b.hostname or "").removeprefix("www.")
            and a.scheme in ("http", "https"))


async def gather_linked(site: SiteCapture, env) -> None:
    """Fetch the pages one click from the home page that look like contacts, appeals,
    sitemap or search pages - the ``linked`` sections of ``env.options.hints.follow`` - (by
    link text/URL, same site, the best link of each section first: ``_choose_linked``), not
    already crawled; they go to ``site.linked`` with role "linked"."""
    home = site.home
    if home is None or not (home.response.ok and home.response.is_html):
        return
    follow = env.options.hints.follow
    wanted = {f.table for f in follow if f.linked}
    have = {dedup_key(p.url) for p in site.pages} | {dedup_key(p.response.requested_url)
                                                     for p in site.pages}
    cands: dict[str, tuple[float, str]] = {}
    for link in home.links:
        if not _same_site(link.url, home.url) or looks_binary(link.url):
            continue
        n = normalize_url(link.url)
        if n is None or dedup_key(n) in have:
            continue
        cat, weight = link_priority(n, link.text, follow)
        if cat not in wanted:
            continue
        k = dedup_key(n)
        if k not in cands or cands[k][0] < weight:
            cands[k] = (weight + (1 if site.target.contains(n) else 0), n, cat)
    chosen = _choose_linked(list(cands.values()), len(wanted),
                            env.options.extra.get("max_linked"))
    resps = await asyncio.gather(*(env.fetcher.fetch(u, html_only=True) for u in chosen))
    for r in resps:
        if r.error is not None and r.error.cause in (Cause.ROBOTS, Cause.NOT_HTML):
            continue
        site.linked.append(Page(r, depth=1, found_from=home.url, role="linked",
                                scope=site.target.scope))
        emit(env, site, "page", url=r.url)  # i13 progress


def _choose_linked(cands: list[tuple[float, str, str]], sections: int,
                   limit: int | None = None) -> list[str]:
    """Every asked-for section gets its best link first (so 20 probes asking for 20 sections
    do not crowd each other out), then the best of the rest: ``MAX_LINKED`` pages, or one per
    section when more sections were asked for, never more than ``MAX_LINKED_CEILING`` (or
    ``limit`` when given)."""
    ranked = sorted(cands, key=lambda x: -x[0])
    cap = int(limit) if limit is not None else min(MAX_LINKED_CEILING,
                                                   max(MAX_LINKED, sections))
    first, seen_cats, rest = [], set(), []
    for c in ranked:
        (rest if c[2] in seen_cats else first).append(c)
        seen_cats.add(c[2])
    return [u for _, u, _ in (first + rest)[:cap]]


async def gather_legacy(site: SiteCapture, env) -> None:
    """Fetch ``http://<d>/`` and ``https://<d>/`` for each legacy domain of the target
    (entries may carry ":port"); each Response, with its redirect chain, goes to
    ``site.legacy``."""
    urls = [f"{scheme}://{d.strip().strip('/')}/" for d in site.target.legacy_domains
            if d.strip() for scheme in ("http", "https")]
    resps = await asyncio.gather(*(env.fetcher.fetch(u) for u in urls))
    site.legacy.extend(resps)

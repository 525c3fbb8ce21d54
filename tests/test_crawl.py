"""The crawler against the farm: scope, budget, depth, priority, traps, robots, linked
pages, legacy domains - and the URL rules it is built on."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from crawler.capture import CaptureEnv, CaptureOptions, capture_site
from crawler.causes import Cause
from crawler.farm.sites import broken
from crawler.artifacts import Hints
from crawler.fetch import Fetcher, FetchConfig
from crawler.targets import Target
from crawler.urls import (TrapGuard, dedup_key, link_priority, has_repeating_segments,
                          is_calendar_like, normalize_url)


def conf(farm, **kw):
    base = dict(allow_private=True, ca_bundle=str(farm.ca_pem),
                resolve={**farm.resolve, **broken.RESOLVE}, per_host_delay=0.0,
                per_host_concurrency=4, retries=0)
    base.update(kw)
    return FetchConfig(**base)


def crawl_target(farm, exclude=()) -> Target:
    u = f"http://crawl.test:{farm.port('no-redirect')}/site"
    return Target("crawl", "", "", "demo", u, u, exclude=tuple(exclude))


def buxoro(farm, languages=True, legacy=()) -> Target:
    u = farm.host_url("gov.test", "/oz/buxoro")
    langs = {lg: farm.host_url("gov.test", f"/{lg}/buxoro") for lg in ("oz", "uz", "ru", "en")}
    return Target("buxoro", "", "", "region", u, u, languages=langs if languages else {},
                  legacy_domains=tuple(legacy))


def _hints():
    """What today's probes ask the capture for, as the pipeline passes it."""
    from probes.base import hints_for, registry

    return hints_for(registry().values())


def capture(farm, target, artifacts=("pages",), fetch_conf=None, **opts):
    async def go():
        async with Fetcher(fetch_conf or conf(farm)) as f:
            opts.setdefault("hints", _hints())
            env = CaptureEnv(f, CaptureOptions(**opts), resolve=f.config.resolve)
            return await capture_site(target, list(artifacts), env)

    t0 = time.monotonic()
    site = asyncio.run(go())
    return site, t0


def requested(farm, host, t0):
    return [p for t, m, h, p, n in farm.requests_to(host) if t >= t0]


def test_scope_budget_traps_and_notes(farm):
    site, t0 = capture(farm, crawl_target(farm), max_pages=30, max_depth=3)
    paths = requested(farm, "crawl.test", t0)
    assert site.pages[0].url.endswith("/site") and site.pages[0].depth == 0
    assert len(site.pages) == 30
    # scope: nothing outside the /site prefix (nor /site-two, which only shares letters)
    assert all(p == "/robots.txt" or p == "/site" or p.startswith("/site/") for p in paths)
    assert "/other/section" not in paths and "/site-two/" not in paths
    # robots.txt: /site/secret never requested
    assert not any(p.startswith("/site/secret") for p in paths)
    # traps: bounded calendar, bounded query variants, no growing paths, no huge URLs
    assert sum(p.startswith("/site/calendar/") for p in paths) <= 3
    assert sum(p.startswith("/site/list") for p in paths) <= 5
    assert not any(has_repeating_segments(p) for p in paths)
    assert max(len(p) for p in paths) < 1100
    # session ids and tracking parameters do not make a second copy of a page
    assert not any("PHPSESSID" in p or "jsessionid" in p or "utm_" in p for p in paths)
    assert len({dedup_key(p.url) for p in site.pages}) == len(site.pages)
    notes = " | ".join(site.notes)
    assert re.search(r"page budget of 30 reached; \d+ more in-scope links not crawled", notes)
    assert "trap protection skipped" in notes and "robots.txt disallows 1" in notes
    # out-of-scope links are still recorded on the page
    links = {l.url: l for l in site.pages[0].links}
    assert "https://pm.gov.uz/uz" in links and not links["https://pm.gov.uz/uz"].in_scope


def test_evidence_pages_first(farm):
    """The sections the probes ask for (contacts, appeals, sitemap) come right after the
    start page; FAQ and "about" pages, which no probe asks for, do not jump the queue."""
    site, _ = capture(farm, crawl_target(farm), max_pages=8)
    first = [urlpath(p.url) for p in site.pages[1:4]]
    assert sorted(first) == sorted(f"/site{p}" for p in ("/aloqa", "/murojaat", "/karta"))
    without = capture(farm, crawl_target(farm), max_pages=8, hints=Hints())[0]
    assert [urlpath(p.url) for p in without.pages[1:4]] != first


def urlpath(u: str) -> str:
    return "/" + u.split("/", 3)[3]


def test_small_budget_and_depth(farm):
    site, _ = capture(farm, crawl_target(farm), max_pages=5)
    assert len(site.pages) == 5
    assert any("page budget of 5 reached" in n for n in site.notes)
    deep, _ = capture(farm, crawl_target(farm), max_pages=60, max_depth=1)
    assert max(p.depth for p in deep.pages) == 1
    assert any(n.startswith("depth limit of 1 reached") for n in deep.notes)


def test_excluded_section_not_crawled(farm):
    u = f"http://crawl.test:{farm.port('no-redirect')}/site/news"
    site, t0 = capture(farm, crawl_target(farm, exclude=[u]), max_pages=30)
    assert not any(p.startswith("/site/news") for p in requested(farm, "crawl.test", t0))
    assert len(site.pages) > 5


def test_single_url_fetches_only_the_start_page(farm):
    site, t0 = capture(farm, crawl_target(farm), single_url=True)
    assert len(site.pages) == 1
    assert [p for p in requested(farm, "crawl.test", t0) if p != "/robots.txt"] == ["/site"]


def test_failed_start_page_is_first_and_only(farm):
    port = farm.closed_port()
    t = Target("dead", "", "", "demo", f"http://127.0.0.1:{port}/x", f"http://127.0.0.1:{port}/x")
    site, _ = capture(farm, t)
    assert len(site.pages) == 1 and site.pages[0].response.error.cause == Cause.REFUSED
    u = f"http://broken.test:{farm.port('no-redirect')}/status/404"
    site404, _ = capture(farm, Target("nf", "", "", "demo", u, u))
    assert len(site404.pages) == 1 and site404.pages[0].response.status == 404
    assert site404.fatal_error({"pages"}).cause == Cause.HTTP_ERROR


def test_language_variants_in_scope_start_language_first(farm):
    site, t0 = capture(farm, buxoro(farm), max_pages=20)
    paths = [urlpath(p.url) for p in site.pages]
    assert all(re.match(r"^/(oz|uz|ru|en)/buxoro", p) for p in paths)
    assert all(p.startswith("/oz/") for p in paths[:6])
    assert any(p.startswith(("/ru/", "/uz/", "/en/")) for p in paths)  # variants are scope
    # the neglected section next door is another target: never requested
    assert not any("/xiva" in p for p in requested(farm, "gov.test", t0))
    oz_only, _ = capture(farm, buxoro(farm, languages=False), max_pages=12)
    assert all(urlpath(p.url).startswith("/oz/buxoro") for p in oz_only.pages)


def test_gather_linked_one_click_evidence(farm):
    site, _ = capture(farm, buxoro(farm), artifacts=("pages", "linked"), single_url=True)
    linked = {urlpath(p.url) for p in site.linked}
    assert {"/oz/buxoro/contacts", "/oz/buxoro/appeals", "/oz/buxoro/sitemap"} <= linked
    # only the sections the probes mark ``linked``: news is followed in a crawl, not here
    assert not any("/news" in p or "/about" in p for p in linked)
    assert len(site.linked) <= 8 and all(p.role == "linked" for p in site.linked)
    assert all(p.response.ok for p in site.linked)


def test_gather_legacy_records_redirects(farm):
    site, _ = capture(farm, buxoro(farm, legacy=[f"buxoro-old.test:{farm.port()}",
                                                 f"legacy.test:{farm.port()}"]),
                      artifacts=("legacy",), single_url=True)
    by = {(r.requested_url.split(":")[0], r.requested_url.split("/")[2].split(":")[0]): r
          for r in site.legacy}
    assert len(site.legacy) == 4
    old = by[("http", "buxoro-old.test")]
    assert old.redirects and "gov.test" in old.url and "/oz/buxoro" in old.url
    assert "buxoro-old.test" in old.redirects[0].url
    leg = by[("https", "legacy.test")]
    assert "legacy.test" in leg.url  # never moved to gov.uz


# --- URL rules -------------------------------------------------------------------------

@pytest.mark.parametrize("url,expected", [
    ("HTTP://Gov.UZ:80/oz/Buxoro#top", "http://gov.uz/oz/Buxoro"),
    ("https://gov.uz:443", "https://gov.uz/"),
    ("https://gov.uz:8443/a?b=2&a=1", "https://gov.uz:8443/a?a=1&b=2"),
    ("https://gov.uz/a?utm_source=tg&id=5&PHPSESSID=abc&fbclid=x", "https://gov.uz/a?id=5"),
    ("https://gov.uz/a;jsessionid=ABC123?x=1", "https://gov.uz/a?x=1"),
    ("https://gov.uz/a?sid=9f8e", "https://gov.uz/a"),
    ("https://gov.uz/%D0%BD%D0%BE%D0%B2", "https://gov.uz/%D0%BD%D0%BE%D0%B2"),
    ("mailto:x@gov.uz", None), ("javascript:void(0)", None), ("http://[::1", None),
])
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


def test_dedup_key_ignores_scheme_www_and_trailing_slash():
    assert dedup_key("http://www.gov.uz/oz/x/") == dedup_key("https://gov.uz/oz/x")
    assert dedup_key("https://gov.uz/oz/x?a=1") != dedup_key("https://gov.uz/oz/x?a=2")


@pytest.mark.parametrize("url,calendar", [
    ("https://x.uz/events/calendar?month=11&year=2026", True),
    ("https://x.uz/news/2026/11/05/", True), ("https://x.uz/archive/2025-03", True),
    ("https://x.uz/ru/календарь", True), ("https://x.uz/news/123", False),
    ("https://x.uz/oz/buxoro/news/2026", False), ("https://x.uz/page?id=2026", False),
])
def test_calendar_like(url, calendar):
    assert is_calendar_like(url) is calendar


def test_trap_guard():
    g = TrapGuard(max_query_variants=3, max_calendar=2)
    assert [g.check(f"https://x.uz/list?page={i}") for i in range(5)] == \
        [None, None, None, "query-string variants", "query-string variants"]
    assert [g.check(f"https://x.uz/cal/2026/{m}") for m in (1, 2, 3)] == \
        [None, None, "calendar-like URLs"]
    assert g.check("https://x.uz/a/b/a/b/c") == "repeating path segments"
    assert g.check("https://x.uz/d/x/d/y/d") == "repeating path segments"
    assert g.check("https://x.uz/" + "q" * 1100) == "very long URL"
    assert g.check("https://x.uz/oz/news/1") is None
    assert g.skipped["query-string variants"] == 2


def _follow():
    """The sections today's probes ask the crawler for (Hints.follow)."""
    return _hints().follow


@pytest.mark.parametrize("text,url,cat", [
    ("Bog‘lanish", "/oz/x/page/1", "contacts"), ("Боғланиш", "/uz/x/p", "contacts"),
    ("Контакты", "/ru/x/p", "contacts"), ("Contact us", "/en/x/p", "contacts"),
    ("Murojaatlar", "/p", "appeal_section"), ("Обращения граждан", "/p", "appeal_section"),
    ("", "/oz/x/murojaat", "appeal_section"), ("Sayt xaritasi", "/p", "sitemap"),
    ("Карта сайта", "/p", "sitemap"), ("Qidiruv", "/p", "search"),
    ("Yangiliklar", "/p", "news"), ("Новости", "/ru/x/p", "news"),
    ("", "/oz/x/contacts", "contacts"),
    ("Shaxsiy kabinetga kirish", "/p", "avoid"), ("", "/oz/x/login", "avoid"),
    ("Viloyat iqtisodiyoti", "/oz/x/economy", ""), ("Bosh sahifa", "/oz/x", ""),
])
def test_link_priority_four_language_forms(text, url, cat):
    assert link_priority("https://gov.uz" + url, text, _follow())[0] == cat


def test_link_priority_follows_only_what_probes_ask_for():
    """No probe selected that wants the contacts page: a contacts link is just a link."""
    from crawler.artifacts import Follow

    assert link_priority("https://gov.uz/oz/x/p", "Bog‘lanish", ())[0] == ""
    assert link_priority("https://gov.uz/oz/x/p", "Bog‘lanish",
                         (Follow("contacts", 10),)) == ("contacts", 10)


def test_avoid_list_matches_whole_words_only():
    """'feed' must not push /feedback (an appeal page) out of the budget."""
    from crawler.urls import avoided

    assert not avoided("https://gov.test/oz/x/feedback", "Fikr-mulohaza")
    assert not avoided("https://gov.test/en/blueprint")
    assert avoided("https://gov.test/rss/feed")
    assert avoided("https://gov.test/news?sort=date")
    assert avoided("https://gov.test/oz/login", "Kirish")

"""findability probe: always manual, with the on-page basics as details."""

from __future__ import annotations

from helpers import html_response, site_from_pages
from probes.base import Context, run_probe
from probes.findability import PROBE

HOME = "https://gov.test/ru/x"
FULL = ('<title>Хокимият</title><meta name="description" content="Официальный сайт">'
        '<link rel="canonical" href="https://gov.test/ru/x">'
        '<link rel="alternate" hreflang="uz-Latn" href="https://gov.test/oz/x">')


def judge(head, robots=None, headers=None):
    site = site_from_pages({HOME: f"<html><head>{head}</head><body>x</body></html>"},
                           gathered=("pages", "robots"))
    if headers:
        site.home.response.headers.update(headers)
    site.robots = robots
    return run_probe(PROBE, site, Context())


def robots(text, status=200):
    r = html_response("https://gov.test/robots.txt", text, status)
    r.headers["content-type"] = "text/plain"
    return r


def test_always_manual_with_the_basics():
    f = judge(FULL, robots("User-agent: *\nAllow: /\nSitemap: https://gov.test/sitemap.xml"))
    assert f.status == "manual"
    d = f.details
    assert d["title"] == "Хокимият" and d["meta_description"] == "Официальный сайт"
    assert d["canonical"] == "https://gov.test/ru/x" and d["basics_missing"] == []
    assert d["hreflang"]["items"] == [{"hreflang": "uz-Latn", "href": "https://gov.test/oz/x"}]
    assert d["sitemaps"]["items"] == ["https://gov.test/sitemap.xml"]


def test_missing_basics_and_blocked_crawlers_are_listed():
    f = judge("<title>t</title>", robots("User-agent: Yandex\nDisallow: /\n"),
              {"x-robots-tag": "noindex"})
    assert f.status == "manual"
    allowed = {r["crawler"]: r["allowed"] for r in f.details["robots_allow"]["items"]}
    assert allowed == {"*": True, "Googlebot": True, "YandexBot": False}
    assert {"meta_description", "canonical", "sitemaps", "hreflang",
            "indexing allowed (noindex)", "robots.txt allows search engines"} <= \
        set(f.details["basics_missing"])


def test_robots_status_rules():
    """RFC 9309: 4xx = allow everything; 5xx or unreachable = disallow."""
    assert all(r["allowed"] for r in judge(FULL, robots("", 404)).details["robots_allow"]["items"])
    assert not any(r["allowed"] for r in
                   judge(FULL, robots("", 503)).details["robots_allow"]["items"])

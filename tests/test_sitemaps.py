"""robots.txt and sitemaps: discovery, indexes, gzip, validation, the guarded parser."""

from __future__ import annotations

import asyncio
import time

from crawler.artifacts import SitemapDoc
from crawler.capture import CaptureEnv, CaptureOptions, capture_site
from crawler.farm.sites import broken
from crawler.fetch import Fetcher, FetchConfig
from crawler.sitemaps import MAX_URLS, parse_sitemap
from crawler.targets import Target


def capture(farm, target, artifacts):
    conf = FetchConfig(allow_private=True, ca_bundle=str(farm.ca_pem),
                       resolve={**farm.resolve, **broken.RESOLVE}, per_host_delay=0.0,
                       retries=0)

    async def go():
        async with Fetcher(conf) as f:
            return await capture_site(target, artifacts, CaptureEnv(f, CaptureOptions(
                single_url=True)))

    return asyncio.run(go())


def maps_target(farm):
    u = f"http://maps.test:{farm.port('no-redirect')}/site"
    return Target("maps", "", "", "demo", u, u)


def test_robots_kept_without_a_second_request(farm):
    t0 = time.monotonic()
    site = capture(farm, maps_target(farm), ["robots"])
    assert site.robots is not None and site.robots.ok
    assert "Sitemap:" in site.robots.text
    n = [p for t, m, h, p, _ in farm.requests_to("maps.test") if t >= t0 and p == "/robots.txt"]
    assert len(n) == 1


def test_sitemaps_discovered_followed_and_validated(farm):
    site = capture(farm, maps_target(farm), ["sitemaps"])
    docs = {d.url.split("/", 3)[3]: d for d in site.sitemaps}
    idx = docs["sm/index.xml"]
    assert idx.source == "robots" and idx.is_index and not idx.error
    assert len(idx.children) == 3 and idx.lastmods == ["2026-11-01"]
    a = docs["sm/a.xml.gz"]  # gzip, found through the index
    assert a.source == "index" and not a.error and a.url_count == 3
    b = docs["sm/b.xml"]
    assert b.url_count == 6001 and len(b.urls) == MAX_URLS and not b.error
    assert "well-formed" in docs["sm/broken.xml"].error
    assert "DOCTYPE" in docs["sm/bomb.xml"].error and docs["sm/bomb.xml"].urls == []
    assert "404" in docs["sm/missing.xml"].error  # announced, so kept with its error
    assert "HTML page" in docs["sm/html"].error
    root = docs["sitemap.xml"]  # well-known path, no namespace
    assert root.source == "well-known" and "namespace" in root.error and root.url_count == 2
    scoped = docs["site/sitemap.xml"]  # under the target's scope prefix
    assert scoped.source == "well-known" and not scoped.error and scoped.url_count == 2
    # soft-404 HTML pages at the other usual paths are not sitemaps; the index loop is cut
    assert "sitemap_index.xml" not in docs and "wp-sitemap.xml" not in docs
    assert sum(1 for d in site.sitemaps if d.url.endswith("/sm/index.xml")) == 1


def test_sitemap_of_govuz_like_host(farm):
    u = farm.host_url("gov.test", "/oz/buxoro")
    site = capture(farm, Target("b", "", "", "region", u, u), ["sitemaps"])
    valid = [d for d in site.sitemaps if not d.error]
    assert valid and valid[0].source == "robots" and valid[0].url_count > 0


def doc(body: bytes) -> SitemapDoc:
    d = SitemapDoc(url="https://x.uz/s.xml", source="well-known")
    parse_sitemap(d, body)
    return d


def test_parse_sitemap_unit():
    good = doc(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               b'<url><loc> https://x.uz/a </loc></url><url><loc>https://x.uz/b</loc>'
               b'<lastmod>2026-01-02</lastmod></url></urlset>')
    assert not good.error and good.urls == ["https://x.uz/a", "https://x.uz/b"]
    assert good.lastmods == ["2026-01-02"]
    assert "no <loc>" in doc(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                             b'</urlset>').error
    assert "root element is <rss>" in doc(b"<rss><channel/></rss>").error
    ext = doc(b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
              b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;'
              b'</loc></url></urlset>')
    assert "DOCTYPE" in ext.error and ext.urls == []
    text = doc(b"https://x.uz/a\nhttps://x.uz/b\n")
    assert not text.error and text.url_count == 2
    assert doc(b"hello world").error == "not XML and not a text sitemap"
    assert "gzip" in doc(b"\x1f\x8b\x08garbage").error


def _sitemaps_with(served: dict[str, bytes]):
    """gather_sitemaps on https://x.uz/ (no robots.txt) against a fake fetcher serving
    ``served`` (path -> XML body; anything else 404): (docs, the URLs requested)."""
    from types import SimpleNamespace

    from crawler.artifacts import Response, SiteCapture
    from crawler.sitemaps import gather_sitemaps

    asked: list[str] = []

    class Fake:
        async def fetch_once(self, url, max_body=None):
            asked.append(url)
            path = "/" + url.split("/", 3)[3]
            body = served.get(path)
            return Response(requested_url=url, url=url, status=200 if body else 404,
                            headers={"content-type": "application/xml"}, body=body or b"")

    site = SiteCapture(target=Target.for_url("https://x.uz/"))
    asyncio.run(gather_sitemaps(site, SimpleNamespace(fetcher=Fake())))
    return site.sitemaps, asked


SM = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
      b'<url><loc>https://x.uz/a</loc></url></urlset>')


def test_other_usual_sitemap_paths_only_when_sitemap_xml_has_none():
    docs, asked = _sitemaps_with({"/sitemap.xml": SM})
    assert asked == ["https://x.uz/sitemap.xml"]  # found: the other paths are not asked
    assert [d.url for d in docs if not d.error] == ["https://x.uz/sitemap.xml"]
    docs, asked = _sitemaps_with({"/wp-sitemap.xml": SM})  # WordPress: second round
    assert asked[0] == "https://x.uz/sitemap.xml" and "https://x.uz/wp-sitemap.xml" in asked
    assert [d.url for d in docs if not d.error] == ["https://x.uz/wp-sitemap.xml"]

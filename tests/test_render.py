"""The render pool and the browser gatherers on farm pages (real Chromium, real fetcher)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from crawler import render
from crawler.capture import CaptureEnv, CaptureOptions
from crawler.causes import Cause
from crawler.farm.sites.browser_chat import vendor_resolve
from crawler.fetch import FetchConfig
from probes.base import Artifact

pytestmark = pytest.mark.browser

ALL = {Artifact.RENDERED, Artifact.AXE, Artifact.MOBILE, Artifact.ENGINES}
needs_chromium = pytest.mark.skipif(render.find_chromium() is None, reason="no Chromium")


def fetch_config(farm) -> FetchConfig:
    return FetchConfig(allow_private=True, ca_bundle=str(farm.ca_pem),
                       resolve={**farm.resolve, **vendor_resolve()}, per_host_delay=0.0,
                       retries=0, user_agent="govscan-test/0.1 (+https://example.invalid)")


def capture_paths(farm, paths, artifacts=ALL, capture_dir="") -> dict[str, object]:
    """path -> SiteCapture, each /browser/<path> on gov.test captured as its own target."""
    urls = [farm.host_url("gov.test", f"/browser/{p}") for p in paths]
    sites = asyncio.run(render.capture_urls(urls, artifacts, fetch_config(farm),
                                            capture_dir=capture_dir, resolve_only=True))
    return {p: s for p, s in zip(paths, sites)}


@pytest.fixture(scope="module")
def captured(farm, tmp_path_factory):
    d = tmp_path_factory.mktemp("captures")
    before = len([r for r in farm.requests_to("gov.test") if r[3] == "/browser/accessible"])
    sites = capture_paths(farm, ["accessible", "chat-vendor", "mixed", "js-error"],
                          capture_dir=str(d))
    after = len([r for r in farm.requests_to("gov.test") if r[3] == "/browser/accessible"])
    sites["_loads"] = after - before
    return d, sites


@needs_chromium
def test_rendered_page_has_dom_network_and_screenshot(captured):
    d, sites = captured
    site = sites["accessible"]
    assert not site.errors, site.errors
    r = site.home.rendered
    assert r.error is None and r.title == "Namangan viloyati hokimligi"
    assert "<h1>Namangan viloyati hokimligi</h1>" in r.dom
    doc = [n for n in r.network if n.resource_type == "document"]
    assert doc and doc[0].status == 200
    # the image was requested (in the log) but its download was blocked by the pool
    img = [n for n in r.network if n.resource_type == "image"]
    assert img and img[0].failure == render.BLOCKED_FAILURE
    shot = Path(d) / r.screenshot
    assert r.screenshot.startswith(site.target.id + "/") and shot.stat().st_size > 1000
    assert shot.read_bytes()[:4] == b"\x89PNG"
    assert r.extra["nav"]["visible"] >= 3
    # axe and mobile were gathered on the same page object
    assert r.axe["axe_version"] == "4.14.1" and r.axe["violations"] == []
    assert r.mobile["360"]["device_width"] == 360 and r.mobile["414"]["device_width"] == 414
    import struct
    mshot = (Path(d) / r.mobile["screenshot"]).read_bytes()
    assert struct.unpack(">I", mshot[16:20])[0] == 360  # the phone-width picture
    # one static fetch + ONE browser load: axe and the mobile measurements reused the page
    assert sites["_loads"] == 2


@needs_chromium
def test_script_injected_widget_and_globals(captured):
    r = captured[1]["chat-vendor"].home.rendered
    assert "jivo_api" in r.globals
    assert any("code.jivosite.com" in n.url and n.status == 200 for n in r.network)
    assert any(lnk["fixed"] and "jivo" in lnk["selector"] for lnk in r.extra["launchers"])
    # the static HTML had no launcher: it exists only in the rendered DOM
    site = captured[1]["chat-vendor"]
    assert "jivo-launcher" not in site.home.response.text and "jivo-launcher" in r.dom


@needs_chromium
def test_page_errors_and_hidden_nav_recorded(captured):
    r = captured[1]["js-error"].home.rendered
    assert any("undefinedMenuInit" in e for e in r.page_errors)
    assert r.engines["chromium"]["page_errors"] and r.engines["chromium"]["nav_visible"] == 0
    # engines that are not installed (or not tried with --resolve) say why
    for name in ("firefox", "webkit"):
        assert r.engines[name]["available"] is False and r.engines[name]["error"]
    ok = captured[1]["accessible"].home.rendered
    assert ok.page_errors == [] and ok.engines["chromium"]["nav_visible"] >= 3


@needs_chromium
def test_mixed_content_seen_in_console_and_network(captured):
    r = captured[1]["mixed"].home.rendered
    assert any("counter.js" in m and "blocked" in m for m in
               r.extra.get("mixed_content_console", []))
    assert any(n.url.startswith("http://") and n.resource_type == "stylesheet"
               for n in r.network)


def test_no_browser_is_an_error_not_a_crash(farm, monkeypatch, tmp_path):
    monkeypatch.setenv("GOVSCAN_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(render, "chromium_candidates", lambda: ["/nonexistent/chromium"])
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    sites = capture_paths(farm, ["accessible"], ALL)
    site = sites["accessible"]
    for art in ("rendered", "axe", "mobile", "engines"):
        assert site.errors[art].cause == Cause.BROWSER_UNAVAILABLE, art
    assert "GOVSCAN_CHROMIUM" in site.errors["rendered"].detail
    # and the probes say "error" with that cause (run_probe's site.errors path)
    from probes.base import registry, run_probe
    for pid in ("wcag", "responsive", "browser-compat"):
        f = run_probe(registry()[pid], site)
        assert f.status == "error" and f.details["cause"] == "browser-unavailable", pid


@needs_chromium
def test_unreachable_page_gives_render_error(farm):
    async def go():
        pool = render.RenderPool(render.RenderConfig(resolve=farm.resolve, resolve_only=True,
                                                     ignore_https_errors=True,
                                                     page_timeout=10))
        try:
            v = await pool.visit(f"https://gov.test:{farm.closed_port()}/", axe=True)
            w = await pool.visit("https://not-mapped.example/")
            return v, w
        finally:
            await pool.close()
    v, w = asyncio.run(go())
    assert v.rendered.error is not None and v.rendered.error.cause == Cause.RENDER_FAILED
    assert "REFUSED" in v.rendered.error.detail and v.axe is None
    # resolve_only: a name outside the map never reaches DNS
    assert w.rendered.error is not None and "NAME_NOT_RESOLVED" in w.rendered.error.detail


@needs_chromium
def test_pool_recycles_and_bounds_concurrency(farm):
    async def go():
        pool = render.RenderPool(render.RenderConfig(
            resolve=farm.resolve, resolve_only=True, ignore_https_errors=True,
            recycle_after=3, concurrency=2, settle_ms=100))
        url = farm.host_url("gov.test", "/browser/news")
        active = {"now": 0, "max": 0}
        orig = pool._visit

        async def counting(*a, **kw):
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
            try:
                return await orig(*a, **kw)
            finally:
                active["now"] -= 1
        pool._visit = counting
        try:
            vs = await asyncio.gather(*(pool.visit(url, full_dom=False) for _ in range(7)))
        finally:
            await pool.close()
        return pool, vs, active
    pool, vs, active = asyncio.run(go())
    assert all(v.rendered.error is None for v in vs)
    assert active["max"] == 2
    assert pool.launches == 3  # 7 visits, a new browser every 3


def test_resolver_rules_and_env_wiring(farm):
    assert render.resolver_rules({"a.test": "127.0.0.1", "b.test": "10.0.0.1"}) == \
        "MAP a.test 127.0.0.1, MAP b.test 10.0.0.1"
    assert render.resolver_rules({}, only=True) == "MAP * ~NOTFOUND"

    class F:  # the fetcher's config decides whether certificate errors may be ignored
        config = fetch_config(farm)
    env = CaptureEnv(fetcher=F(), options=CaptureOptions(), resolve=farm.resolve)
    pool = render.pool_for(env)
    assert env.renderer is pool and render.pool_for(env) is pool
    assert pool.config.ignore_https_errors is True
    assert pool.config.resolve == farm.resolve and pool.config.concurrency == 2
    F.config = FetchConfig()  # no private CA: certificates are checked by Chromium
    env2 = CaptureEnv(fetcher=F(), options=CaptureOptions())
    assert render.pool_for(env2).config.ignore_https_errors is False


@needs_chromium
def test_outlined_evidence_screenshots(farm, tmp_path):
    import struct

    from crawler.screenshots import outline_screenshot

    url = farm.host_url("gov.test", "/browser/accessible")
    opts = CaptureOptions(single_url=True, render_pages=1)
    opts.extra["outline"] = ["form[role=search]", "#no-such-element"]
    sites = asyncio.run(render.capture_urls([url], {Artifact.RENDERED}, fetch_config(farm),
                                            capture_dir=str(tmp_path), options=opts,
                                            resolve_only=True))
    out = sites[0].home.rendered.extra["outlined"]
    assert [o["found"] for o in out] == [True, False]
    png = tmp_path / out[0]["path"]
    assert not Path(out[0]["path"]).is_absolute() and png.read_bytes()[:4] == b"\x89PNG"
    assert struct.unpack(">II", png.read_bytes()[16:24]) == (1280, 800)  # the viewport

    async def later():
        pool = render.RenderPool(render.RenderConfig(resolve=farm.resolve, resolve_only=True,
                                                     ignore_https_errors=True))
        try:
            return await outline_screenshot(pool, url, "#q", tmp_path / "ev" / "search.png")
        finally:
            await pool.close()
    res = asyncio.run(later())
    assert res["found"] and (tmp_path / "ev" / "search.png").stat().st_size > 1000

"""responsive: measured at 360/414 px on farm pages, and judged on recorded measurements."""

from __future__ import annotations

import pytest

from crawler import browser
from crawler.artifacts import Rendered
from probes import responsive
from probes.base import Artifact, Context, run_probe

from helpers import site_from_pages
from test_render import capture_paths

needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason="no Chromium")


@pytest.fixture(scope="module")
def judged(farm, tmp_path_factory):
    d = tmp_path_factory.mktemp("mobile")
    sites = capture_paths(farm, ["responsive", "fixed-width", "app-link"],
                          {Artifact.RENDERED, Artifact.MOBILE}, capture_dir=str(d))
    return d, {p: (s, run_probe(responsive.PROBE, s, Context())) for p, s in sites.items()}


@pytest.mark.browser
@needs_chromium
def test_fluid_page_passes(judged):
    d, res = judged
    site, f = res["responsive"]
    assert f.status == "pass", f.summary
    m = f.details["pages"]["items"][0]["widths"]
    assert set(m) == {"360", "414"}
    assert m["360"]["viewport_ok"] and m["360"]["scroll_width"] <= 361
    assert m["360"]["legible_share"] >= 0.99
    shot = next(e for e in f.evidence if e.kind == "screenshot")
    assert (d / shot.data["path"]).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.browser
@needs_chromium
def test_fixed_width_page_fails(judged):
    _, res = judged
    site, f = res["fixed-width"]
    assert f.status == "fail", f.summary
    w = f.details["pages"]["items"][0]["widths"]["360"]
    assert not w["viewport_ok"] and not w["no_horizontal_scroll"]
    assert w["scroll_width"] >= 1200 and w["legible_share"] < 0.6
    assert "sideways" in f.summary and "viewport" in f.summary
    assert any(e.kind == "measurement" and e.data["width"] == 414 for e in f.evidence)


@pytest.mark.browser
@needs_chromium
def test_app_store_link_counts(judged):
    _, res = judged
    site, f = res["app-link"]
    assert f.status == "warn" and not f.details["home_ok"]
    assert any("play.google.com/store/apps" in a for a in f.details["app_links"]["items"])
    assert "app" in f.summary


def _site(mobile_by_url, html="<html><body><p>x</p></body></html>"):
    site = site_from_pages({u: html for u in mobile_by_url})
    for p in site.pages:
        p.rendered = Rendered(p.url, mobile=mobile_by_url[p.url])
    return site


def _m(width, vp="width=device-width", scroll=None, legible=1.0, tap=1.0):
    return {"viewport_meta": vp, "device_width": width, "inner_width": width,
            "scroll_width": scroll or width, "legible_share": legible, "tap_targets": 10,
            "tap_share": tap}


def test_inner_page_or_tap_targets_give_warn():
    good = {"360": _m(360), "414": _m(414)}
    crowded = {"360": _m(360, tap=0.5), "414": _m(414, tap=0.5)}
    wide = {"360": _m(360, scroll=700), "414": _m(414, scroll=700)}
    f = responsive.judge(_site({"https://a.test/": good, "https://a.test/t": wide}), Context())
    assert f.status == "warn" and "inner page" in f.summary
    f = responsive.judge(_site({"https://a.test/": crowded}), Context())
    assert f.status == "warn" and f.details["pages"]["items"][0]["widths"]["360"]["tap_share"] == 0.5
    f = responsive.judge(_site({"https://a.test/": good}), Context())
    assert f.status == "pass"


def test_small_text_alone_fails_and_unmeasured_is_error():
    small = {"360": _m(360, legible=0.3), "414": _m(414, legible=0.3)}
    f = responsive.judge(_site({"https://a.test/": small}), Context())
    assert f.status == "fail" and "30%" in f.summary
    f = responsive.judge(_site({"https://a.test/": {"error": "net::ERR_TIMED_OUT"}}), Context())
    assert f.status == "error" and "ERR_TIMED_OUT" in f.summary


def test_viewport_predicate():
    assert responsive.has_viewport_width("width=device-width, initial-scale=1")
    assert responsive.has_viewport_width("initial-scale=1, width = 360")
    assert not responsive.has_viewport_width("initial-scale=1")
    assert not responsive.has_viewport_width(None)

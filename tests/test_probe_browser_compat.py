"""browser-compat: engines tried, uncaught errors and visible navigation."""

from __future__ import annotations

import pytest

from crawler import browser
from crawler.artifacts import Rendered
from probes import browser_compat
from probes.base import Artifact, Context, run_probe

from helpers import site_from_pages
from test_render import capture_paths

needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason="no Chromium")


@pytest.mark.browser
@needs_chromium
def test_clean_page_passes_broken_page_fails(farm):
    # ENGINES alone (no RENDERED requested): the gatherer visits the pages itself
    sites = capture_paths(farm, ["accessible", "js-error"], {Artifact.ENGINES})
    ok = run_probe(browser_compat.PROBE, sites["accessible"], Context())
    bad = run_probe(browser_compat.PROBE, sites["js-error"], Context())
    assert ok.status == "pass", ok.summary
    assert ok.details["engines_tried"]["chromium"] == "available"
    assert set(ok.details["engines_tried"]) == {"chromium", "firefox", "webkit"}
    assert "Not available here: firefox, webkit" in ok.summary
    assert bad.status == "fail"
    problems = " ".join(e.message for e in bad.evidence)
    assert "undefinedMenuInit" in problems and "navigation not visible" in problems


def _site(engines_by_url):
    site = site_from_pages({u: "<html><body><a href=/x>x</a></body></html>"
                            for u in engines_by_url})
    for p in site.pages:
        p.rendered = Rendered(p.url, engines=engines_by_url[p.url])
    return site


OK = {"available": True, "loaded": True, "page_errors": [], "nav_links": 5, "nav_visible": 5}


def test_any_engine_failing_fails_and_unavailable_is_not_held_against():
    ff_bad = dict(OK, page_errors=["TypeError: x is undefined"])
    site = _site({"https://a.test/": {"chromium": OK, "firefox": ff_bad,
                                      "webkit": {"available": False, "error": "not installed"}}})
    f = browser_compat.judge(site, Context())
    assert f.status == "fail" and "firefox" in f.summary
    assert f.details["engines_tried"] == {"chromium": "available", "firefox": "available",
                                          "webkit": "not installed"}
    site = _site({"https://a.test/": {"chromium": OK,
                                      "webkit": {"available": False, "error": "no"}}})
    assert browser_compat.judge(site, Context()).status == "pass"


def test_navigation_fallback_without_landmarks():
    assert browser_compat.navigation_visible({"nav_links": 0, "links_visible": 12})
    assert not browser_compat.navigation_visible({"nav_links": 4, "nav_visible": 0,
                                                  "links_visible": 12})
    assert not browser_compat.navigation_visible({"nav_links": 0, "links_visible": 1})


def test_nothing_rendered_is_error():
    f = browser_compat.judge(_site({"https://a.test/": {}}), Context())
    assert f.status == "error" and f.details["cause"] == "browser-unavailable"

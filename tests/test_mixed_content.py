"""Mixed content: http sub-resources of an https page, from the rendered capture."""

from __future__ import annotations

import pytest

from crawler import browser
from crawler.artifacts import NetRequest, Rendered
from probes.base import Artifact
from probes.https import mixed_content

from helpers import site_from_pages
from test_render import capture_paths

needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason="no Chromium")


@pytest.mark.browser
@needs_chromium
def test_farm_mixed_page_reported_clean_page_not(farm):
    sites = capture_paths(farm, ["mixed", "accessible"], {Artifact.RENDERED})
    ev = mixed_content(sites["mixed"])
    res = {e.data["resource"].rsplit("/", 1)[-1]: e for e in ev}
    assert set(res) == {"logo.png", "counter.js", "old.css"}
    assert all(e.data["resource"].startswith("http://") for e in ev)
    assert all(e.url.startswith("https://") for e in ev)  # where it was seen: the page
    assert res["counter.js"].data["blocked"] is True  # active content: Chromium blocks it
    assert mixed_content(sites["accessible"]) == []


def test_from_recorded_network_console_and_dom():
    page_url = "https://a.test/"
    site = site_from_pages({page_url: "<html></html>", "http://a.test/plain": "<html></html>"})
    site.pages[0].rendered = Rendered(
        page_url, network=[
            NetRequest("http://cdn.a.test/img.png", "image", frame_url=page_url),
            NetRequest("https://cdn.a.test/ok.js", "script", frame_url=page_url),
            NetRequest("http://a.test/", "document", frame_url=page_url)],
        extra={"mixed_content_console": [
            "Mixed Content: The page at 'https://a.test/' was loaded over HTTPS, but requested"
            " an insecure script 'http://cdn.a.test/x.js'. This request has been blocked; the "
            "content must be served over HTTPS."]},
        dom='<html><head><link rel="stylesheet" href="http://cdn.a.test/s.css"></head><body>'
            '<a href="http://elsewhere.test/">a link is not a sub-resource</a></body></html>')
    # an http page cannot have mixed content
    site.pages[1].rendered = Rendered("http://a.test/plain", network=[
        NetRequest("http://cdn.a.test/img.png", "image", frame_url="http://a.test/plain")])
    ev = mixed_content(site)
    got = {e.data["resource"]: e.data for e in ev}
    assert set(got) == {"http://cdn.a.test/img.png", "http://cdn.a.test/x.js",
                        "http://cdn.a.test/s.css"}
    assert got["http://cdn.a.test/x.js"]["source"] == "console"
    assert got["http://cdn.a.test/x.js"]["resource_type"] == "script"
    assert got["http://cdn.a.test/s.css"]["source"] == "dom"

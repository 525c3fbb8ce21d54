"""sitemap probe: the user-facing page and the XML sitemaps, reported separately."""

from __future__ import annotations

import json

import pytest

from crawler.artifacts import SitemapDoc
from crawler.causes import Cause, FetchError
from govscan.cli import main
from helpers import site_from_pages
from probes.base import Context, run_probe
from probes.sitemap import PROBE, is_sitemap_link

HOME = "https://gov.test/oz/x"
G = ("pages", "robots", "sitemaps")


def page(body):
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


@pytest.mark.parametrize("text,href", [
    ("Sayt xaritasi", "/oz/x/map"), ("Сайт харитаси", "/uz/x/s"), ("Карта сайта", "/ru/x/k"),
    ("Sitemap", "/en/x/p"), ("", "/oz/x/sitemap"), ("🗺", "/ru/x/karta-sayta"),
])
def test_sitemap_links(text, href):
    assert is_sitemap_link(text, "https://gov.test" + href)


@pytest.mark.parametrize("text,href", [("Yangiliklar", "/oz/x/news"),
                                       ("Interaktiv xarita", "/oz/x/xarita"),
                                       ("Карта региона", "/ru/x/karta"),
                                       ("sitemap.xml", "/sitemap.xml"),
                                       ("Xarita", "/oz/x/sitemap.xml.gz")])
def test_not_sitemap_links(text, href):
    assert not is_sitemap_link(text, "https://gov.test" + href)


def test_html_sitemap_page_passes():
    site = site_from_pages({HOME: page('<footer><a href="/oz/x/sitemap">Sayt xaritasi</a>'
                                       '</footer>')}, gathered=G)
    f = run_probe(PROBE, site, Context())
    assert f.status == "pass" and f.details["passed_by"] == ["html"]


def test_broken_sitemap_link_does_not_count():
    site = site_from_pages({HOME: page('<a href="/oz/x/sitemap">Sayt xaritasi</a>')},
                           linked={HOME + "/sitemap": page("<h1>404</h1>")}, gathered=G)
    site.linked[0].response.status = 404
    f = run_probe(PROBE, site, Context())
    assert f.status == "fail" and f.details["html"]["broken"]["items"]


def _doc(urls, url="https://gov.test/sitemap.xml", lastmods=(), error=""):
    return SitemapDoc(url, "robots", urls=list(urls), url_count=len(urls),
                      lastmods=list(lastmods), error=error)


def test_xml_sitemap_counts_only_in_scope_urls():
    site = site_from_pages({HOME: page("<p>x</p>")}, gathered=G)
    site.sitemaps.append(_doc(["https://gov.test/oz/x/a", "https://gov.test/oz/x/b",
                               "https://gov.test/oz/other/c", "https://gov.test/oz/xy"],
                              lastmods=["2026-01-02", "2026-03-04", "2099-01-01"]))
    f = run_probe(PROBE, site, Context())
    assert f.status == "pass" and f.details["passed_by"] == ["xml"]
    assert f.details["xml"]["urls_in_scope"] == 2
    assert f.details["xml"]["newest_lastmod"] == "2026-03-04"
    assert f.details["xml"]["future_lastmods_ignored"]["items"] == ["2099-01-01"]


def test_xml_sitemap_of_other_targets_and_invalid_ones_fail():
    site = site_from_pages({HOME: page("<p>x</p>")}, gathered=G)
    site.sitemaps += [_doc(["https://gov.test/oz/other/c"]),
                      _doc([], "https://gov.test/s2.xml", error="not XML")]
    f = run_probe(PROBE, site, Context())
    assert f.status == "fail" and f.details["found"] is False
    assert f.details["xml"]["invalid"] == 1


def test_sitemap_gathering_error_without_page_link_is_error():
    site = site_from_pages({HOME: page("<p>x</p>")}, gathered=("pages", "robots"))
    site.errors["sitemaps"] = FetchError(Cause.TIMEOUT, "sitemap.xml")
    f = run_probe(PROBE, site, Context())
    assert f.status == "error"


def probe(farm, capsys, path):
    main(["probe", "sitemap", farm.host_url("gov.test", path), "--json", "--no-render",
          "--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0",
          *[f"--resolve={h}:127.0.0.1" for h in farm.resolve]])
    [f] = json.loads(capsys.readouterr().out)
    return f


@pytest.mark.parametrize("path", ["/oz/ind-qarshi", "/uz/ind-navoiy", "/ru/ind-fergana",
                                  "/en/ind-andijan"])
def test_farm_html_sitemaps_in_four_languages(farm, capsys, path):
    f = probe(farm, capsys, path)
    assert f["status"] == "pass" and "html" in f["details"]["passed_by"], f["summary"]


def test_farm_xml_sitemap_lists_the_section(farm, capsys):
    f = probe(farm, capsys, "/oz/buxoro")
    assert f["details"]["passed_by"] == ["html", "xml"]
    assert f["details"]["xml"]["urls_in_scope"] == 4  # of 5 host-wide URLs


@pytest.mark.parametrize("path", ["/oz/ind-xonqa", "/en/ind-bare"])
def test_farm_no_sitemap(farm, capsys, path):
    f = probe(farm, capsys, path)
    assert f["status"] == "fail" and f["details"]["found"] is False
    # the host-wide sitemap.xml was read, but lists nothing of this section
    assert f["details"]["xml"]["valid"] >= 1 and f["details"]["xml"]["urls_in_scope"] == 0

"""open-data probe: the national portal, or data files on the site's open-data section;
sitemaps and feeds are not data sets."""

from __future__ import annotations

import pytest

from crawler.artifacts import Page
from helpers import html_response, site_from_pages
from probes.base import Context, run_probe
from probes.open_data import PROBE, data_format, portal_host
from services_farm import ABSENT, PRESENT, cli_probe, farm_findings

HOME = "https://gov.test/oz/x"


def page(body, h1=""):
    return (f"<!doctype html><html><head><title>t</title></head><body>"
            f"{f'<h1>{h1}</h1>' if h1 else ''}{body}</body></html>")


@pytest.fixture(scope="module")
def found(farm):
    return farm_findings(farm, "open-data")


@pytest.mark.parametrize("lang,key", [("oz", "pass_portal"), ("uz", "pass_files"),
                                      ("ru", "pass_portal"), ("en", "pass_files")])
def test_farm_open_data_in_four_languages(found, lang, key):
    f = found[PRESENT[lang]]
    assert f["status"] == "pass" and f["message"]["id"] == f"open-data.{key}", f["summary"]
    if key == "pass_files":  # the section page was fetched one click away and lists files
        assert f["details"]["formats"] and f["details"]["data_files"]["items"]
        assert all(i["open_data_section"] for i in f["details"]["data_files"]["items"])
    else:
        assert "data.egov.uz" in f["evidence"][0]["data"]["href"]


def test_farm_sitemaps_and_feeds_are_not_data_sets(found):
    for lang in ("oz", "ru", "en"):  # sitemap.xml and rss.xml links on the Urgut section
        f = found[ABSENT[lang]]
        assert f["status"] == "fail", f["summary"]
        assert f["details"]["data_files"]["items"] == []


def test_farm_a_data_file_outside_an_open_data_section_warns(found):
    f = found[ABSENT["uz"]]
    assert f["status"] == "warn" and f["details"]["formats"] == ["xlsx"]


def test_cli_probe_open_data(farm, capsys):
    assert cli_probe(farm, capsys, "open-data", PRESENT["uz"])["status"] == "pass"


@pytest.mark.parametrize("href,fmt", [
    ("https://gov.test/files/aholi.xlsx", "xlsx"), ("https://gov.test/d/Maktablar.CSV", "csv"),
    ("https://gov.test/api/data.json", "json"), ("https://gov.test/sitemap.xml", ""),
    ("https://gov.test/news/rss.xml", ""), ("https://gov.test/manifest.json", ""),
    ("https://gov.test/report.pdf", ""), ("https://gov.test/xlsx", ""),
])
def test_data_files(href, fmt):
    assert data_format(href) == fmt


@pytest.mark.parametrize("href,host", [
    ("https://data.egov.uz/oz/organizations/x", "data.egov.uz"),
    ("http://www.data.gov.uz/", "data.gov.uz"), ("https://data.egov.uz.example/", ""),
    ("https://egov.uz/", ""),
])
def test_portal_hosts(href, host):
    assert portal_host(href) == host


def test_an_open_data_section_without_data_warns():
    site = site_from_pages({HOME: page('<a href="/oz/x/opendata">Ochiq maʼlumotlar</a>')},
                           gathered=("pages", "linked"))
    site.linked.append(Page(html_response(HOME + "/opendata", page("<p>Tez orada</p>",
                                                                   "Ochiq maʼlumotlar")),
                            role="linked", depth=1))
    f = run_probe(PROBE, site, Context())
    assert f.status == "warn" and f.message["id"] == "open-data.warn_section"


def test_nothing_fails():
    site = site_from_pages({HOME: page("<p>Ochiq maʼlumotlar haqida maqola</p>")},
                           gathered=("pages", "linked"))
    assert run_probe(PROBE, site, Context()).status == "fail"

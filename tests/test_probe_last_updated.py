"""last-updated probe: newest evidence and its age; look-alikes that are not updates."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from crawler.artifacts import SitemapDoc
from govscan.cli import main
from helpers import site_from_pages
from probes.base import Context, run_probe
from probes.last_updated import PROBE

HOME = "https://gov.test/oz/x"
NOW = dt.date(2026, 4, 10)


def page(body, head=""):
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


def judge(body, head="", now=NOW, headers=None, sitemaps=()):
    site = site_from_pages({HOME: page(body, head)}, gathered=("pages", "sitemaps"))
    if headers:
        site.pages[0].response.headers.update(headers)
    site.sitemaps.extend(sitemaps)
    return run_probe(PROBE, site, Context(now=now))


@pytest.mark.parametrize("body,kind,date", [
    ("<p>Date edited: 03/04/2026 17:16. Views: 72</p>", "stamp", "2026-04-03"),
    ("<article><span>Mart 29, 2026</span> / Muharrir: admin</article>", "news-item",
     "2026-03-29"),
    ('<div class="news-item"><span>29 марта 2026</span></div>', "news-item", "2026-03-29"),
    ("<p>Янгиланган: 1 апрел 2026 йил</p>", "stamp", "2026-04-01"),
    ('<time datetime="2026-04-09T08:00">кеча</time>', "time", "2026-04-09"),
])
def test_recent_evidence_passes(body, kind, date):
    f = judge(body)
    assert f.status == "pass", f.summary
    assert f.details["source"] == kind and f.details["date"].startswith(date)
    assert f.details["found"] is True


def test_old_evidence_warns_with_age():
    f = judge("<article><p>31-01-2023</p></article>")
    assert f.status == "warn"
    assert f.details["age_days"] == (NOW - dt.date(2023, 1, 31)).days


def test_meta_jsonld_and_next_payload():
    head = '<meta property="article:modified_time" content="2026-01-01T10:00:00+05:00">'
    f = judge('<script>self.__next_f.push([1,"7:{\\"date\\":\\"2026-04-05 14:25:00\\"}"])'
              '</script>', head)
    assert f.status == "pass" and f.details["source"] == "next-payload"
    assert f.details["evidence_counts"]["items"] == {"meta": 1, "next-payload": 1}


def test_newest_of_many_wins():
    f = judge("<article>01.01.2026</article><article>05.04.2026</article>"
              "<article>02.02.2026</article>")
    assert f.details["date"].startswith("2026-04-05")


@pytest.mark.parametrize("body", [
    '<header><p class="today">bugun : 10.04.2026</p></header>',
    "<p>Сегодня: 10.04.2026</p>",
    "<footer>Copyright © 2010 – 2026</footer>",
    "<p>Festival 15.08.2026 kuni bo‘ladi</p>",  # the future
])
def test_look_alikes_are_not_updates(body):
    f = judge(body)
    assert f.status == "fail", f.summary
    assert f.details["found"] is False


def test_ignored_items_are_noted():
    f = judge('<p class="today">bugun : 10.04.2026</p><p>Tadbir 15.08.2026</p>'
              "<footer>© 2010 – 2018</footer>")
    assert f.details["ignored_counts"]["items"] == {"today-widget": 1, "future": 1}
    assert f.details["copyright_notices"]["items"]
    msgs = " ".join(e.message for e in f.evidence)
    assert "today" in msgs and "future" in msgs and "copyright" in msgs


def test_last_modified_header_alone_is_not_evidence():
    f = judge("<p>Matn</p>", headers={"last-modified": "Fri, 10 Apr 2026 08:00:00 GMT"})
    assert f.status == "fail"
    assert f.details["http_last_modified"]["items"]
    assert any(e.kind == "header" for e in f.evidence)


def test_sitemap_lastmod_counts_only_when_the_sitemap_is_the_targets_own():
    own = SitemapDoc("https://gov.test/oz/x/sitemap.xml", "robots",
                     urls=[HOME, HOME + "/a"], url_count=2, lastmods=["2026-04-08"])
    f = judge("<p>x</p>", sitemaps=[own])
    assert f.status == "pass" and f.details["source"] == "sitemap-lastmod"
    shared = SitemapDoc("https://gov.test/sitemap.xml", "robots",
                        urls=[HOME, "https://gov.test/oz/y"], url_count=2,
                        lastmods=["2026-04-08"])
    f = judge("<p>x</p>", sitemaps=[shared])
    assert f.status == "fail" and f.details["ignored_counts"]["items"] == {"shared-sitemap": 1}


def probe(farm, capsys, path):
    main(["probe", "last-updated", farm.host_url("gov.test", path), "--json", "--no-render",
          "--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0",
          *[f"--resolve={h}:127.0.0.1" for h in farm.resolve]])
    [f] = json.loads(capsys.readouterr().out)
    return f


@pytest.mark.parametrize("path,kinds", [
    ("/oz/ind-qarshi", {"news-item", "stamp"}), ("/uz/ind-navoiy", {"stamp"}),
    ("/ru/ind-fergana", {"jsonld"}), ("/en/ind-andijan", {"next-payload"}),
])
def test_farm_recent_in_four_languages(farm, capsys, path, kinds):
    f = probe(farm, capsys, path)
    assert f["status"] == "pass", f["summary"]
    assert f["details"]["source"] in kinds and f["details"]["age_days"] <= 7


def test_farm_old_news_warns(farm, capsys):
    f = probe(farm, capsys, "/oz/xiva")
    assert f["status"] == "warn" and f["details"]["date"].startswith("2022-03-29")
    assert f["details"]["ignored_counts"]["items"].get("today-widget")


@pytest.mark.parametrize("path", ["/oz/ind-xonqa", "/ru/ind-kokand"])
def test_farm_today_widget_copyright_and_future_are_not_updates(farm, capsys, path):
    f = probe(farm, capsys, path)
    assert f["status"] == "fail", f["summary"]
    assert f["details"]["ignored_counts"]["items"].get("today-widget")
    assert f["details"]["ignored_counts"]["items"].get("future")
    assert f["details"]["copyright_notices"]["items"]

"""advanced-search probe: refining controls on search forms / results pages, or an
"advanced search" link; synthetic pages and the farm."""

from __future__ import annotations

import json

import pytest

from govscan.cli import main
from helpers import html_response, site_from_pages
from probes.base import Context, run_probe
from probes.advanced_search import PROBE

HOME = "https://gov.test/ru/x"


def page(body):
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


def judge(body, results_body=None, gathered=("pages", "search_query")):
    site = site_from_pages({HOME: page(body)}, gathered=gathered)
    if results_body is not None:
        site.side["search_query"] = html_response(HOME + "/search?q=x", page(results_body))
    return run_probe(PROBE, site, Context())


BOX = '<form role="search" action="/ru/x/search"><input type="search" name="q"></form>'


@pytest.mark.parametrize("form", [
    '<form action="/s"><input type="search" name="q"><input type="date" name="from"></form>',
    '<form action="/s"><input type="search" name="q"><select name="cat"><option>a</option>'
    '</select></form>',
    '<form action="/s"><input type="search" name="q"><label><input type="checkbox" '
    'name="type" value="doc"> Hujjatlar</label></form>',
    '<form action="/qidiruv"><input name="q" placeholder="Qidirish"><input name="sana_dan" '
    'placeholder="Sana (dan)"></form>',
])
def test_refining_controls_on_the_search_form_pass(form):
    f = judge(form)
    assert f.status == "pass", f.summary
    assert f.details["found"] is True and f.details["refining_forms"] == 1


@pytest.mark.parametrize("link", ["Kengaytirilgan qidiruv", "Кенгайтирилган қидирув",
                                  "Расширенный поиск", "Advanced search"])
def test_advanced_search_link_passes_in_four_forms(link):
    f = judge(BOX + f'<a href="/ru/x/search/adv">{link}</a>')
    assert f.status == "pass" and f.details["advanced_links"] == 1


def test_filters_on_the_results_page_pass():
    res = ('<form action="/ru/x/search"><input name="q" value="x"><select name="section" '
           'aria-label="Раздел"><option>Все</option></select></form><ul class="results">'
           '<li><a href="/ru/x/n/1">x</a></li></ul>')
    f = judge(BOX, res)
    assert f.status == "pass" and f.details["results_page_checked"] is True
    assert f.evidence[0].data["results_page"] is True


def test_bare_search_fails_and_login_form_selects_do_not_count():
    body = BOX + ('<form action="/login" method="post"><input name="u"><input type="password"'
                  ' name="p"><select name="lang"><option>ru</option></select></form>')
    f = judge(body, '<ul class="results"><li><a href="/ru/x/n/1">x</a></li></ul>')
    assert f.status == "fail" and f.details["found"] is False
    assert f.details["search_form_seen"] is True


def test_no_search_at_all_fails():
    f = judge("<p>Matn</p>")
    assert f.status == "fail" and "no search form" in f.summary


def test_results_page_network_error_is_error():
    from crawler.artifacts import Response
    from crawler.causes import Cause, FetchError

    site = site_from_pages({HOME: page(BOX)}, gathered=("pages", "search_query"))
    site.side["search_query"] = Response(HOME + "/search?q=x",
                                         error=FetchError(Cause.RESET, "x"))
    f = run_probe(PROBE, site, Context())
    assert f.status == "error" and f.details["cause"] == "reset"


def probe(farm, capsys, path, *extra):
    main(["probe", "advanced-search", farm.host_url("gov.test", path), "--json",
          "--no-render", "--ca-bundle", str(farm.ca_pem), "--allow-private",
          "--per-host-delay", "0", *[f"--resolve={h}:127.0.0.1" for h in farm.resolve],
          *extra])
    [f] = json.loads(capsys.readouterr().out)
    return f


@pytest.mark.parametrize("path,status", [
    ("/ru/ind-fergana", "pass"),   # "Расширенный поиск" link
    ("/uz/ind-navoiy", "pass"),    # section select on the results page (Cyrillic)
    ("/oz/buxoro", "pass"),        # date range on the results page
    ("/en/ind-andijan", "fail"),   # a bare query box only
    ("/oz/ind-qarshi", "fail"),    # POST search not exercised: its results not seen
    ("/ru/ind-kokand", "fail"),
])
def test_farm(farm, capsys, path, status):
    f = probe(farm, capsys, path)
    assert f["status"] == status, f["summary"]


def test_farm_post_results_page_seen_when_exercised(farm, capsys):
    f = probe(farm, capsys, "/oz/ind-qarshi", "--exercise-post-search")
    assert f["status"] == "pass", f["summary"]
    assert f["details"]["advanced_links"] >= 1

"""search probe: detection (synthetic pages, four language forms, look-alikes) and the
functional query through the real pipeline on the farm (``govscan probe search``)."""

from __future__ import annotations

import json

import pytest

from govscan.cli import main
from helpers import html_response, site_from_pages
from probes.base import Context, run_probe
from pageread.forms import pick_query_form, query_request, search_boxes
from probes.search import PROBE

HOME = "https://gov.test/oz/x"


def page(body: str, lang: str = "uz-Latn") -> str:
    return f'<!doctype html><html lang="{lang}"><head><title>t</title></head><body>{body}</body></html>'


def judge(body: str, side: dict | None = None, gathered=("pages", "search_query")):
    site = site_from_pages({HOME: page(body)}, gathered=gathered)
    site.side.update(side or {})
    return run_probe(PROBE, site, Context())


def boxes(body: str):
    from selectolax.lexbor import LexborHTMLParser

    return search_boxes(LexborHTMLParser(page(body)), HOME)


@pytest.mark.parametrize("body", [
    '<form role="search" action="/s"><input name="w"></form>',
    '<form action="/find"><input type="search" name="w"></form>',
    '<form action="/oz/x/qidiruv"><input name="w"></form>',
    '<form action="/go"><input name="w" placeholder="Қидириш..."></form>',
    '<form action="/go"><input name="w" aria-label="Поиск по сайту"></form>',
    '<form action="/go"><input name="w"><button>Search</button></form>',
    '<form action="/go" method="get"><input name="q"></form>',
    '<form action="/search" method="POST"><input type="hidden" name="_csrf" value="t">'
    '<input name="SearchForm[text]" placeholder="Qidirish"></form>',
])
def test_search_boxes_are_detected(body):
    assert [b.kind for b in boxes(body)] == ["search"]


@pytest.mark.parametrize("body", [
    # a newsletter box is not search
    '<form action="/subscribe" method="post"><input type="email" name="email" '
    'placeholder="E-mail"><button>Obuna bo‘lish</button></form>',
    # a login form is not search, even with a q-like field
    '<form action="/login" method="post"><input name="q"><input type="password" name="p">'
    '</form>',
    # an appeal form is not search
    '<form action="/appeal" method="post"><input name="fio"><textarea name="message">'
    '</textarea><button>Yuborish</button></form>',
    # a link saying "search for jobs" on another site is not a box
    '<a href="https://hh.uz/">Поиск работы</a>',
])
def test_look_alikes_are_not_search_boxes(body):
    assert boxes(body) == []
    f = judge(body)
    assert f.status == "fail" and f.details["found"] is False


def test_search_toggle_without_box_is_found_but_warns():
    f = judge('<header><button class="search-toggle" aria-label="Qidirish">🔍</button>'
              '</header>')
    assert f.status == "warn" and f.details["found"] is True
    assert "toggle" in f.summary


@pytest.mark.parametrize("button", [
    '<button type="button" class="btn"><svg class="icon icon-search"></svg></button>',
    '<button type="button"><i class="fa fa-search"></i></button>',
    '<a href="#" class="open"><img src="/i/lupa.svg" alt="Поиск"></a>',
    '<button><svg><use xlink:href="#icon-search"></use></svg></button>',
])
def test_icon_only_search_toggles(button):
    f = judge(f"<header>{button}</header>")
    assert f.status == "warn" and f.details["found"] is True


def test_icon_buttons_that_are_not_search():
    f = judge('<header><button><i class="fa fa-bars"></i></button><a href="#top"><img '
              'src="/up.svg" alt="Yuqoriga"></a></header>')
    assert f.status == "fail"


def test_formless_javascript_search_input_warns():
    f = judge('<div class="top"><input type="search" placeholder="Search..."></div>')
    assert f.status == "warn" and f.details["found"] is True
    assert f.details["boxes"]["items"][0]["formless"] is True


def test_post_search_is_present_but_not_exercised():
    f = judge('<form action="/search" method="POST"><input type="hidden" name="_csrf" '
              'value="t"><input name="text" placeholder="Qidirish"></form>')
    assert f.status == "warn" and f.details["found"] is True
    assert "--exercise-post-search" in f.details["not_exercised_reason"]


FORM = '<header><form role="search" action="/oz/x/search"><input name="q"></form></header>'


def results(body: str, status: int = 200, url: str = HOME + "/search?q=hokim"):
    return html_response(url, page(body), status=status)


def test_query_with_result_links_passes():
    r = results('<ol class="search-results"><li><a href="/oz/x/news/1">hokim 1</a></li>'
                '<li><a href="/oz/x/news/2">hokim 2</a></li></ol>')
    f = judge(FORM, {"search_query": r})
    assert f.status == "pass", f.summary
    assert f.details["result_links"] == 2 and f.details["query_word"] == "hokim"
    assert any(e.kind == "request" for e in f.evidence)


def test_query_that_finds_nothing_fails_but_box_is_found():
    f = judge(FORM, {"search_query": results("<p>Hech narsa topilmadi</p>")})
    assert f.status == "fail" and f.details["found"] is True


def test_query_http_error_fails():
    f = judge(FORM, {"search_query": results("<h1>Server error</h1>", status=500)})
    assert f.status == "fail" and f.details["results_status"] == 500


def test_post_query_refused_by_csrf_check_warns():
    post = ('<header><form action="/oz/x/search" method="POST"><input type="hidden" '
            'name="_csrf" value="t"><input name="text" placeholder="Qidirish"></form></header>')
    r = results("<h1>Bad Request (#400)</h1>", status=400, url=HOME + "/search")
    f = judge(post, {"search_query_post": r})
    assert f.status == "warn" and f.details["exercised"] is True
    assert "CSRF" in f.summary


def test_query_network_error_is_error_not_fail():
    from crawler.artifacts import Response
    from crawler.causes import Cause, FetchError

    r = Response(HOME + "/search?q=hokim", error=FetchError(Cause.TIMEOUT, "read"))
    f = judge(FORM, {"search_query": r})
    assert f.status == "error" and f.details["found"] is True


def test_menu_links_on_results_page_are_not_results():
    body = ('<header><nav><a href="/oz/x/about">Biz haqimizda</a></nav></header>'
            '<main><p>Natijalar:</p></main><footer><a href="/oz/x/contacts">Aloqa</a></footer>')
    f = judge(FORM, {"search_query": results(body)})
    assert f.status == "warn" and f.details["result_links"] == 0


def test_query_request_keeps_hidden_fields_and_replaces_action_query():
    from selectolax.lexbor import LexborHTMLParser

    html = page('<form role="search" action="/s?old=1"><input type="hidden" name="lang" '
                'value="oz"><input type="search" name="q"><select name="sec"><option>a'
                '</option></select></form>')
    site = site_from_pages({HOME: html})
    form = pick_query_form(site, "get")
    url, data = query_request(form, "hokim")
    assert url == "https://gov.test/s?lang=oz&q=hokim" and data == {}
    assert search_boxes(LexborHTMLParser(html), HOME)[0].query_field().name == "q"


# --- the real pipeline on the farm ---------------------------------------------------------

def probe(farm, capsys, path: str, *extra: str) -> dict:
    args = ["probe", "search", farm.host_url("gov.test", path), "--json", "--no-render",
            "--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0",
            *[f"--resolve={h}:127.0.0.1" for h in farm.resolve], *extra]
    main(args)
    [f] = json.loads(capsys.readouterr().out)
    return f


@pytest.mark.parametrize("path,word", [("/ru/ind-fergana", "хоким"),
                                       ("/uz/ind-navoiy", "ҳоким"),
                                       ("/en/ind-andijan", "news"),
                                       ("/oz/buxoro", "hokim")])
def test_farm_get_search_works(farm, capsys, path, word):
    f = probe(farm, capsys, path)
    assert f["status"] == "pass", f["summary"]
    assert f["details"]["query_word"] == word
    assert f["details"]["result_links"] >= 3


def test_farm_post_search_with_csrf(farm, capsys):
    f = probe(farm, capsys, "/oz/ind-qarshi")
    assert f["status"] == "warn" and f["details"]["found"] is True
    assert f["details"]["exercised"] is False
    f = probe(farm, capsys, "/oz/ind-qarshi", "--exercise-post-search")
    assert f["status"] == "pass", f["summary"]
    assert f["details"]["method"] == "POST" and f["details"]["result_links"] == 6


@pytest.mark.parametrize("path", ["/oz/ind-xonqa", "/ru/ind-kokand", "/uz/ind-bare"])
def test_farm_no_search(farm, capsys, path):
    f = probe(farm, capsys, path)
    assert f["status"] == "fail", f["summary"]
    assert f["details"]["found"] is False


def test_farm_gatherer_never_submits_other_forms(farm, capsys):
    before = len(farm.stats.log)
    probe(farm, capsys, "/oz/ind-xonqa", "--exercise-post-search")
    probe(farm, capsys, "/ru/ind-kokand", "--exercise-post-search")
    sent = farm.stats.log[before:]
    assert not [r for r in sent if r[1] == "POST"], "a login/newsletter form was submitted"

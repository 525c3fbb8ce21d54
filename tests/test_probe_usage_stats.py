"""usage-stats probe: visible figures, counters, usage-statistics sections; a hidden analytics
tag is not usage statistics."""

from __future__ import annotations

import pytest

from helpers import site_from_pages
from probes.base import Context, run_probe
from probes.usage_stats import PROBE
from services_farm import ABSENT, PRESENT, cli_probe, farm_findings

HOME = "https://gov.test/oz/x"


def judge(body):
    return run_probe(PROBE, site_from_pages({HOME: f"<html><body>{body}</body></html>"},
                                            gathered=("pages", "linked")), Context())


@pytest.fixture(scope="module")
def found(farm):
    return farm_findings(farm, "usage-stats",
                         [*PRESENT.values(), *ABSENT.values(), "/oz/xiva"])


@pytest.mark.parametrize("lang,key,text", [
    ("oz", "pass_figure", "views: 317"), ("uz", "pass_figure", "Ҳозир онлайн: 12"),
    ("ru", "pass_counter", ""), ("en", "pass_figure", "Visitors today: 120"),
])
def test_farm_usage_figures_in_four_languages(found, lang, key, text):
    f = found[PRESENT[lang]]
    assert f["status"] == "pass" and f["message"]["id"] == f"usage-stats.{key}", f["summary"]
    assert text in f["summary"]
    assert f["evidence"][0]["url"].endswith(PRESENT[lang])


def test_farm_a_plain_text_views_count_counts(found):
    """"Mart 29, 2022 / Muharrir: admin / Ko‘rishlar soni: 640 marta" (peers-and-sites.md)."""
    f = found["/oz/xiva"]
    assert f["status"] == "pass" and "Ko‘rishlar soni: 640" in f["summary"]


def test_farm_analytics_tags_are_not_usage_statistics(found):
    f = found[ABSENT["ru"]]  # Google Analytics + Yandex.Metrica tags
    assert f["status"] == "fail", f["summary"]
    assert f["details"]["analytics_tags"]["items"] == ["googletagmanager.com", "mc.yandex.ru"]
    f = found[ABSENT["oz"]]  # a hidden Yandex.Metrica pixel
    assert f["status"] == "fail"


def test_farm_a_views_count_inside_a_script_is_not_shown(found):
    assert found[ABSENT["en"]]["status"] == "fail"


def test_farm_a_generic_statistics_page_warns(found):
    f = found[ABSENT["uz"]]  # "Статистика" -> the region's economy in figures
    assert f["status"] == "warn" and f["message"]["id"] == "usage-stats.warn_generic"


def test_cli_probe_usage_stats(farm, capsys):
    assert cli_probe(farm, capsys, "usage-stats", PRESENT["ru"])["status"] == "pass"


@pytest.mark.parametrize("body,key", [
    ('<a href="https://www.uz/ru/res/visitor/index?id=1"><img width="88" height="31" '
     'src="https://cnt0.www.uz/counter/collect?id=1"></a>', "pass_counter"),
    ('<img src="https://informer.yandex.ru/informer/1/3_1_FFFFFFFF_EFEFEFFF_0_pageviews" '
     'style="width:88px; height:31px;">', "pass_counter"),
    ('<a href="https://www.uz/uz/res/visitor/index?id=7">WWW.UZ</a>', "pass_link"),
    ('<div class="counter">Bugun: 15 · Jami: 12 430</div>', "pass_figure"),
    ("<p>Просмотров: 1 204</p>", "pass_figure"),
    ('<a href="/ru/x/stat">Статистика обращений</a>', "pass_link"),
    ('<section><h2>Murojaatlar statistikasi</h2><p>Jami: 412</p></section>', "pass_heading"),
    ('<a href="/oz/x/statistika">Statistika</a>', "warn_generic"),
])
def test_usage_signals(body, key):
    f = judge(body)
    assert f.message["id"] == f"usage-stats.{key}", f.summary


@pytest.mark.parametrize("body", [
    '<img src="https://cnt0.www.uz/counter/collect?id=1" width="1" height="1">',
    '<div style="display:none"><img src="https://counter.yadro.ru/hit?t44.1"></div>',
    '<script src="https://mc.yandex.ru/metrika/tag.js"></script>',
    '<div class="header-date">bugun : 03.08.2021</div>',  # a today widget, not a figure
    "<p>Viloyatga 2024 yilda 1200 mehmonlar tashrif buyurdi</p>",  # a sentence about guests
    '<section><h2>Murojaatlar statistikasi</h2><p>Tez orada</p></section>',  # no figures
    # a count of the services offered, in an element named "online": not their use
    '<div class="online-services">Onlayn xizmatlar 250 ta</div>',
])
def test_look_alikes_are_not_usage_statistics(body):
    assert judge(body).status == "fail"


@pytest.mark.parametrize("label", ["Ko‘rishlar soni: 72", "Кўришлар сони: 72",
                                   "Просмотров: 72", "Views: 72"])
def test_view_counts_on_the_news_items_the_home_page_links_to(label):
    """View counters live on the news items: the first ones the home page links to are read
    (issue 14: a site-level probe reads the home page and what it leads to, not every
    page); a news item the home page does not link to is not."""
    home = '<main><a href="/oz/x/news/100">Hokim aholi bilan uchrashdi</a></main>'
    item = f"<article><h1>Yangilik</h1><p>12.11.2026 · {label}</p></article>"
    site = site_from_pages({HOME: f"<html><body>{home}</body></html>",
                            HOME + "/news/100": f"<html><body>{item}</body></html>"},
                           gathered=("pages", "linked"))
    f = run_probe(PROBE, site, Context())
    assert f.status == "pass" and f.evidence[0].url == HOME + "/news/100", f.summary
    site = site_from_pages({HOME: "<html><body><p>Bosh sahifa</p></body></html>",
                            HOME + "/news/100": f"<html><body>{item}</body></html>"},
                           gathered=("pages", "linked"))
    assert run_probe(PROBE, site, Context()).status == "fail"

"""help probe: FAQ, manuals, instructions, video guides linked; a help word in running text
is not help."""

from __future__ import annotations

import pytest

from helpers import site_from_pages
from probes.base import Context, near_pages, run_probe
from probes.help import PROBE, section_links
from services_farm import ABSENT, LANGS, PRESENT, cli_probe, farm_findings

HOME = "https://gov.test/oz/x"


def page(body):
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


def judge(body, **kw):
    return run_probe(PROBE, site_from_pages({HOME: page(body)}, **kw), Context())


@pytest.fixture(scope="module")
def found(farm):
    return farm_findings(farm, "help")


@pytest.mark.parametrize("lang", LANGS)
def test_farm_help_links_in_four_languages(found, lang):
    f = found[PRESENT[lang]]
    assert f["status"] == "pass", f["summary"]
    ev = f["evidence"][0]
    assert ev["kind"] == "link" and ev["data"]["href"].endswith(("/faq", "/guide"))
    assert ev["url"].endswith(PRESENT[lang])  # the page it was found on
    assert {"ko‘p so‘raladigan savollar", "тсс", "часто задаваемые вопросы", "user guide"} \
        & {ev["data"]["text"].lower()}


@pytest.mark.parametrize("lang", LANGS)
def test_farm_help_words_in_text_are_not_help(found, lang):
    """Each absent section names the FAQ, "Савол-жавоб", "Инструкция" or "help" in a
    paragraph, never as a link."""
    f = found[ABSENT[lang]]
    assert f["status"] == "fail", f["summary"]
    assert f["details"]["found"] is False


def test_cli_probe_help(farm, capsys):
    f = cli_probe(farm, capsys, "help", PRESENT["oz"])
    assert f["indicator"] == "help" and f["status"] == "pass"
    assert f["message"]["id"] == "help.pass"


@pytest.mark.parametrize("link", [
    '<a href="/oz/x/savollar">Ko‘p so‘raladigan savollar</a>',
    '<a href="/uz/x/yoriqnoma">Фойдаланувчи йўриқномаси</a>',
    '<a href="/ru/x/help">Помощь</a>',  # the whole link text is "help"
    '<a href="/en/x/videos">Video tutorial</a>',
    '<a href="/oz/x/faq"><img src="q.png" alt=""></a>',  # by its URL alone
])
def test_help_links(link):
    assert judge(link).status == "pass"


@pytest.mark.parametrize("body", [
    "<p>Ko‘p so‘raladigan savollar tez orada</p>",
    '<a href="/oz/x/yordam-puli">Kam ta’minlangan oilalarga moddiy yordam ko‘rsatildi</a>',
    '<a href="/ru/x/n/5">Юридическая помощь</a>',  # "help" inside a longer text: legal aid
    '<a href="tel:1242">Yordam</a>',
])
def test_look_alikes_are_not_help(body):
    assert judge(body).status == "fail"


def test_a_help_page_itself_counts_and_deeper_pages_are_not_read():
    home = page('<a href="/oz/x/news">Yangiliklar</a>')
    faq = page("<h1>Tez-tez so‘raladigan savollar</h1>")
    # fetched one click away for the probes (``linked``): its heading makes it a help page
    site = site_from_pages({HOME: home}, linked={HOME + "/faq": faq},
                           gathered=("pages", "linked"))
    assert run_probe(PROBE, site, Context()).status == "pass"
    # the same page crawled, but the home page does not link to it: not read (issue 14)
    site = site_from_pages({HOME: home, HOME + "/faq": faq})
    assert near_pages(site) == site.pages[:1]
    assert run_probe(PROBE, site, Context()).status == "fail"


def test_each_target_once_and_in_page_order():
    home = page('<a href="/oz/x/faq">FAQ</a><a href="/oz/x/faq">Savol-javob</a>'
                '<a href="/oz/x/qollanma">Qo‘llanma</a>')
    hits = section_links(near_pages(site_from_pages({HOME: home})), "help")
    assert [h.href for h in hits] == [HOME + "/faq", HOME + "/qollanma"]


SERVICES = ("help", "helpdesk_phone", "online_support", "usage_stats", "business_info",
            "privacy_policy", "open_data", "social_media")


@pytest.mark.parametrize("module", SERVICES)
def test_uzbek_and_russian_messages_match_the_english_ones(module):
    """probes/locales/<module>.toml has every message of the module's UI block, with the
    same {named} parameters, in Uzbek (Latin) and Russian."""
    import importlib
    import string
    import tomllib
    from pathlib import Path

    ui = importlib.import_module(f"probes.{module}").UI.strings
    path = Path(__file__).resolve().parent.parent / "probes" / "locales" / f"{module}.toml"
    loc = tomllib.loads(path.read_text(encoding="utf-8"))

    def params(t):
        return {f for _, f, _, _ in string.Formatter().parse(t) if f}

    for lang in ("uz", "ru"):
        assert set(loc[lang]) == set(ui), lang
        assert all(params(loc[lang][k]) == params(v) for k, v in ui.items()), lang


def test_a_menu_built_by_javascript_is_read_on_the_rendered_home_page():
    from crawler.artifacts import Rendered

    site = site_from_pages({HOME: page('<div id="__next"></div>')})
    assert run_probe(PROBE, site, Context()).status == "fail"
    site.pages[0].rendered = Rendered(HOME, dom=page(
        '<div id="__next"><nav><a href="/oz/x/faq">Ko‘p so‘raladigan savollar</a></nav></div>'))
    f = run_probe(PROBE, site, Context())
    assert f.status == "pass" and f.evidence[0].data["href"] == HOME + "/faq"
    site.pages[0].rendered.error = object()  # a failed render is not read
    assert run_probe(PROBE, site, Context()).status == "fail"

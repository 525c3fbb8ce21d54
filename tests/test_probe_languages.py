"""languages probe: the versions exist and each is really in its language (CLD2 + script)."""

from __future__ import annotations


import pytest

from crawler.farm.sites._html import FILLER, page, paragraphs
from helpers import site_from_pages
from services_farm import cli_probe
from probes.base import Context, run_probe
from probes.languages import PROBE, identify, text_variant, url_variant

G = "https://gov.test"
SWITCH = ('<div class="langs"><a href="/oz/x">O‘z</a> <a href="/uz/x">Ўз</a> '
          '<a href="/ru/x">Ру</a> <a href="/en/x">En</a></div>')


def doc(lang, text_lang=None, switch=SWITCH):
    return page("t", f"<header>{switch}</header><main>{paragraphs(text_lang or lang, 4, 3)}"
                f"</main>", lang)


def judge(home_lang="oz", linked=None, languages=None):
    linked = linked if linked is not None else {
        f"{G}/{lg}/x": doc(lg) for lg in ("uz", "ru", "en")}
    site = site_from_pages({f"{G}/{home_lang}/x": doc(home_lang)}, linked=linked,
                           gathered=("pages", "linked"))
    if languages:
        site.target.languages.update(languages)
    return run_probe(PROBE, site, Context())


@pytest.mark.parametrize("lang,expected", [("oz", "oz"), ("uz", "uz"), ("ru", "ru"),
                                           ("en", "en")])
def test_identify_the_four_forms(lang, expected):
    assert identify(FILLER[lang] * 2)[0] == expected


def test_too_little_text_is_not_identified():
    assert identify("Bosh sahifa") == ("", 0)


@pytest.mark.parametrize("text,v", [("O‘zbekcha", "oz"), ("Ўзб", "uz"), ("Рус", "ru"),
                                    ("Eng", "en"), ("Qaraqalpaqsha", "qr"),
                                    ("Русский язык и литература в школах", "")])
def test_switcher_texts(text, v):
    assert text_variant(text) == v


def test_url_variants():
    assert url_variant(f"{G}/ru/buxoro/news")[0] == "ru"
    assert url_variant(f"{G}/uz/buxoro")[0] == "uz?"  # either script: the page decides
    assert url_variant(f"{G}/page?lang=en")[0] == "en"
    assert url_variant(f"{G}/oz/x")[1] == url_variant(f"{G}/en/x")[1]


@pytest.mark.parametrize("home", ["oz", "uz", "ru", "en"])
def test_four_versions_in_their_languages_pass(home):
    linked = {f"{G}/{lg}/x": doc(lg) for lg in ("oz", "uz", "ru", "en") if lg != home}
    f = judge(home, linked)
    assert f.status == "pass", f.summary
    assert sorted(f.details["offered"]) == ["en", "oz", "ru", "uz"]


def test_an_english_page_still_in_uzbek_fails_naming_it():
    linked = {f"{G}/uz/x": doc("uz"), f"{G}/ru/x": doc("ru"), f"{G}/en/x": doc("en", "oz")}
    f = judge("oz", linked)
    assert f.status == "fail"
    assert f"{G}/en/x" in f.summary and "Uzbek (Latin)" in f.summary
    assert f.evidence[0].url == f"{G}/en/x"


def test_a_cyrillic_version_in_latin_script_fails():
    linked = {f"{G}/uz/x": doc("uz", "oz"), f"{G}/ru/x": doc("ru"), f"{G}/en/x": doc("en")}
    f = judge("oz", linked)
    assert f.status == "fail" and "Uzbek (Cyrillic)" in f.summary


def test_a_version_not_captured_warns_and_one_language_fails():
    f = judge("oz", {f"{G}/ru/x": doc("ru"), f"{G}/en/x": doc("en")})
    assert f.status == "warn" and "Uzbek (Cyrillic)" in f.summary
    lone = site_from_pages({f"{G}/oz/x": doc("oz", switch="")}, gathered=("pages", "linked"))
    assert run_probe(PROBE, lone, Context()).status == "fail"


def test_declared_variants_are_read_from_the_crawl():
    """targets.toml ``languages``: a crawled page under the variant's prefix is its page."""
    site = site_from_pages({f"{G}/oz/x": doc("oz", switch=""),
                            f"{G}/ru/x/news": doc("ru", switch="")},
                           gathered=("pages", "linked"), scope=f"{G}/oz/x")
    site.target.languages.update({"oz": f"{G}/oz/x", "ru": f"{G}/ru/x"})
    f = run_probe(PROBE, site, Context())
    assert f.status == "warn" and f.details["offered"] == ["oz", "ru"]  # no uz, no en


def probe(farm, capsys, path):
    return cli_probe(farm, capsys, "languages", path)


@pytest.mark.parametrize("path", ["/oz/ind-denov", "/uz/ind-denov", "/ru/ind-denov",
                                  "/en/ind-denov"])
def test_farm_switched_pages_are_fetched_and_pass(farm, capsys, path):
    f = probe(farm, capsys, path)
    assert f["status"] == "pass", f["summary"]
    assert all(r["ok"] for r in f["details"]["versions"]["items"])


def test_farm_english_page_in_uzbek_fails(farm, capsys):
    f = probe(farm, capsys, "/oz/ind-nurota")
    assert f["status"] == "fail" and "/en/ind-nurota" in f["summary"]


@pytest.mark.parametrize("path", ["/en/ind-bare", "/uz/ind-bare"])
def test_farm_single_language_fails(farm, capsys, path):
    assert probe(farm, capsys, path)["status"] == "fail"

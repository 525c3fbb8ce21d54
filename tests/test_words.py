"""pageread.words: folding and keyword matching in four language forms."""

from __future__ import annotations

import pytest

from pageread.words import fold, guess_lang, has, keywords


@pytest.mark.parametrize("variant", ["Bogʻlanish", "Bog‘lanish", "Bog’lanish", "Bog'lanish",
                                     "Bog`lanish", "BOGʼLANISH", "bog´lanish"])
def test_apostrophe_variants_fold_to_one_form(variant):
    assert fold(variant) == "bog'lanish"
    assert has("contacts", variant) is not None


def test_uzbek_cyrillic_letters_fold_onto_russian_lookalikes():
    assert fold("Ҳоким ҚИДИРИШ ғўё") == "хоким кидириш гуе"
    # a page typing "хоким" (no ҳ) still matches a list written with ҳ, and back
    assert fold("ҳоким") == fold("хоким")


def test_white_space_and_invisible_characters():
    assert fold("Sayt\u00a0 xa\u00adritasi\n") == "sayt xaritasi"


@pytest.mark.parametrize("text", ["Qidirish", "Қидириш", "Поиск по сайту", "Search",
                                  "Qidiruv tizimi"])
def test_search_words_in_four_forms(text):
    assert keywords("search").search(text) is not None


def test_prefix_matching_is_anchored_at_a_word_start():
    kw = keywords("appeal")
    assert kw.search("Murojaatlar bo‘limi").word == "murojaat"  # agglutinative suffix
    assert kw.search("Fuqarolar murojaatlari") is not None
    assert kw.search("xmurojaat") is None  # inside a word: no


def test_exact_words_do_not_match_longer_words():
    kw = keywords("search")
    assert kw.search("найти") is not None
    assert kw.search("найтись") is None  # "найти$" is a whole word


def test_attribute_matching_by_token_and_long_substring():
    kw = keywords("search")
    assert kw.in_attr("header-search-form") is not None
    assert kw.in_attr("headersearchbox") is not None  # long word inside a value
    assert kw.in_attr("research-centre") is not None  # documented limitation: substring
    q = keywords("search_param")
    assert q.in_attr("q") is not None
    assert q.in_attr("qty") is None  # exact words never match inside a value


def test_look_alike_words_are_not_search():
    assert keywords("search").search("Yangiliklarga obuna bo‘lish") is None
    assert keywords("subscription").search("Yangiliklarga obuna bo‘lish") is not None


@pytest.mark.parametrize("text,lang_attr,url,expected", [
    ("Вилоят ҳокимлиги аҳолининг мурожаатларини кўриб чиқиш", "", "", "uz"),
    ("Хокимият области ведёт работу по рассмотрению обращений", "", "", "ru"),
    ("Viloyat hokimligi aholining murojaatlarini ko‘rib chiqish va bo‘yicha", "", "", "oz"),
    ("The regional administration reviews the appeals of citizens and", "", "", "en"),
    ("anything", "uz-Cyrl", "", "uz"),
    ("anything", "", "https://gov.uz/ru/buxoro", "ru"),
])
def test_guess_lang(text, lang_attr, url, expected):
    assert guess_lang(text, lang_attr, url) == expected


def test_every_keyword_table_has_the_four_language_forms():
    import tomllib
    from pathlib import Path

    data = tomllib.loads((Path(__file__).resolve().parent.parent / "pageread" / "data" /
                          "words.toml").read_text(encoding="utf-8"))
    for name in ("search", "advanced_search", "sitemap", "contacts", "appeal", "login",
                 "subscription", "updated_stamp", "today_widget", "no_results"):
        for lang in ("oz", "uz", "ru", "en"):
            assert data[name].get(lang), f"[{name}] has no {lang} words"


def test_may_name_section_never_hides_a_menu_link():
    """The crawl's one-scan prefilter (``may_name_section``) is a necessary condition of
    ``menu_link``: on link texts and URLs made of the tables' own words, their pieces and
    noise, whenever any table's ``menu_link`` matches, the prefilter says "may"; and it
    says "no" on plain news headlines (so it does skip work)."""
    import random

    from pageread.words import _load_words, keywords, may_name_section, menu_link

    tables = tuple(sorted(t for t, v in _load_words().items()
                          if isinstance(v, dict) and any(isinstance(x, list) for x in v.values())))
    pool = [w.rstrip("$") for t in tables for w in keywords(t).words()]
    pool += [w.rstrip("$") for t in tables for w in keywords(t).table.get("attr", [])]
    noise = ["Yangilik", "hokim", "uchrashdi", "новости", "2026", "the", "va", "-", "’"]
    rng = random.Random(14)
    hits = 0
    for _ in range(1000):
        words = [rng.choice(pool if rng.random() < 0.5 else noise)
                 for _ in range(rng.randint(1, 5))]
        cut = rng.choice(words)
        text = " ".join(words)
        if rng.random() < 0.3:
            text = text.upper()
        seg = cut.replace(" ", "-")[: rng.randint(3, 20)] if rng.random() < 0.5 else "page"
        href = f"https://gov.test/oz/x/{seg}/"
        some = tuple(rng.sample(tables, rng.randint(1, min(8, len(tables)))))
        any_match = any(menu_link(t, text, href, 6) for t in some)
        hits += bool(any_match)
        assert may_name_section(some, text, href) or not any_match, (some, text, href)
    assert hits > 100  # the cases did exercise matches
    assert not may_name_section(("contacts", "search", "sitemap"),
                                "Hokim aholi bilan uchrashdi", "https://gov.test/oz/x/news/12")

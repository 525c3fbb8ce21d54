"""pageread.dates: every date form seen on Uzbek government pages, and what a date *is*."""

from __future__ import annotations

import datetime as dt

import pytest
from selectolax.lexbor import LexborHTMLParser

from pageread.dates import copyright_years, find_dates, newest, page_dates, parse_date


@pytest.mark.parametrize("text,expected", [
    ("Date edited: 03/01/2025 17:16. Views: 72", dt.datetime(2025, 1, 3, 17, 16)),
    ("31-01-2023", dt.datetime(2023, 1, 31)),
    ("03.08.2021", dt.datetime(2021, 8, 3)),
    ("Mart 29, 2022 / Muharrir: admin", dt.datetime(2022, 3, 29)),
    ("29 марта 2022 г.", dt.datetime(2022, 3, 29)),
    ("29 март 2022", dt.datetime(2022, 3, 29)),
    ("29 ноябр 2026 йил", dt.datetime(2026, 11, 29)),
    ("2023 йил 14 декабрь", dt.datetime(2023, 12, 14)),
    ("2022 yil 29-mart", dt.datetime(2022, 3, 29)),
    ("5-avgust, 2024-yil", dt.datetime(2024, 8, 5)),
    ("Sentyabr 1, 2024", dt.datetime(2024, 9, 1)),
    ("March 29, 2022", dt.datetime(2022, 3, 29)),
    ("29 March 2022, 14:05", dt.datetime(2022, 3, 29, 14, 5)),
    ("2026-05-05 14:25:00", dt.datetime(2026, 5, 5, 14, 25)),
    ("2025-01-03T17:16:00+05:00", dt.datetime(2025, 1, 3, 17, 16)),
    ("12/31/2024", dt.datetime(2024, 12, 31)),  # cannot be day-first: month-first
])
def test_date_forms(text, expected):
    found = find_dates(text)
    assert found, text
    assert found[0].when == expected


@pytest.mark.parametrize("text", ["© 2010 – 2018", "Copyright 2015-2024", "2030 yilgacha",
                                  "Farmon PP-308", "tel 1242", "32.13.2024", "v1.2.3"])
def test_years_and_numbers_are_not_dates(text):
    assert find_dates(text) == []


def test_parse_date_values():
    assert parse_date("2024-05-01") == dt.datetime(2024, 5, 1)
    assert parse_date("2024-05-01T10:00:00Z") == dt.datetime(2024, 5, 1, 10)
    assert parse_date("01.05.2024") == dt.datetime(2024, 5, 1)
    assert parse_date("soon") is None


def _tree(body, head=""):
    return LexborHTMLParser(f"<html><head>{head}</head><body>{body}</body></html>")


def test_today_widget_is_rejected_by_words_and_by_class():
    hits = page_dates(_tree('<p class="x">bugun : <b>03.08.2021</b></p>'
                            '<div class="header-date">28.11.2026</div>'
                            '<p>Сегодня: 28.11.2026</p>'
                            '<p>Tahrirlangan sana: 01.02.2020</p>'))
    by_raw = {h.raw: h for h in hits}
    assert by_raw["03.08.2021"].rejected == "today-widget"
    assert all(h.rejected == "today-widget" for h in hits if h.raw == "28.11.2026")
    assert by_raw["01.02.2020"].rejected == "" and by_raw["01.02.2020"].kind == "stamp"
    assert newest(hits).raw == "01.02.2020"


def test_kinds_of_dates():
    ld = '{"@type": "NewsArticle", "dateModified": "2026-03-02T10:00:00+05:00"}'
    head = ('<meta property="article:modified_time" content="2026-03-01T09:00:00+05:00">'
            f'<script type="application/ld+json">{ld}</script>')
    body = ('<article><h3>Yangilik</h3><span>Mart 29, 2022</span></article>'
            '<time datetime="2026-02-01">1 fevral</time>'
            '<p>Farmon 14.09.2023 yilda qabul qilingan.</p>'
            '<script>self.__next_f.push([1,"5:[{\\"date\\":\\"2026-05-05 14:25:00\\"}]"])'
            '</script>')
    kinds = {h.kind: h for h in page_dates(_tree(body, head))}
    assert kinds["meta"].when == dt.datetime(2026, 3, 1, 9)
    assert kinds["jsonld"].when == dt.datetime(2026, 3, 2, 10)
    assert kinds["time"].when == dt.datetime(2026, 2, 1)
    assert kinds["next-payload"].when == dt.datetime(2026, 5, 5, 14, 25)
    assert kinds["news-item"].when == dt.datetime(2022, 3, 29)
    assert kinds["text"].when == dt.datetime(2023, 9, 14)


def test_dates_in_scripts_styles_and_options_are_not_visible_dates():
    hits = page_dates(_tree('<script>var d="01.01.2026";</script><select><option>'
                            '02.02.2026</option></select><style>/* 03.03.2026 */</style>'))
    assert hits == []


def test_relative_stamps_in_news_items_only():
    from pageread.dates import visible_dates

    tree = _tree('<div class="news-item"><span>Bugun, 14:25</span></div>'
                 '<li class="post"><span>Вчера в 09:10</span></li>'
                 '<article><small>3 kun oldin</small></article>'
                 '<div class="news"><i>50 часов назад</i></div>'
                 '<p>Bugun 10:00 da yig‘ilish</p><div class="top">сегодня 12:00</div>'
                 '<div class="header-date">bugun 12:00</div>')
    got = [(h.when, h.kind) for h in visible_dates(tree, "u", dt.date(2026, 11, 28))]
    assert got == [(dt.datetime(2026, 11, 28, 14, 25), "news-item"),
                   (dt.datetime(2026, 11, 27, 9, 10), "news-item"),
                   (dt.datetime(2026, 11, 25), "news-item"),
                   (dt.datetime(2026, 11, 26), "news-item")]
    assert visible_dates(tree, "u", None) == []  # no fetch day: no relative dates


def test_copyright_years_are_noted():
    [notice] = copyright_years("Copyright © 2010 – 2018 Xiva tumani")
    assert notice.endswith("2010 – 2018")

"""contact-us probe: a contacts page/block with a phone, e-mail or address."""

from __future__ import annotations

import json

import pytest
from selectolax.lexbor import LexborHTMLParser

from govscan.cli import main
from helpers import site_from_pages
from probes.base import Context, run_probe
from probes.contact_us import PROBE, facts_in, is_contacts_link

HOME = "https://gov.test/oz/x"


def page(body):
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


def facts(html):
    return facts_in(LexborHTMLParser(page(html)).body)


@pytest.mark.parametrize("text,expected", [
    ("Tel: (+998 65) 222-22-22", "(+998 65) 222-22-22"),
    ("Murojaat qiling: (+998) 65-222-22-22", "(+998) 65-222-22-22"),
    ("Телефон: +998 71 123 45 67", "+998 71 123 45 67"),
    ("Phone +998712345678", "+998712345678"),
    ("Тел.: +998 (79) 223-45-67", "+998 (79) 223-45-67"),
    ("Приёмная: (71) 123-45-67", "(71) 123-45-67"),
    ("Tel: 71 233-45-67", "71 233-45-67"),
])
def test_phone_formats(text, expected):
    assert facts(f"<p>{text}</p>").phones == [expected]


@pytest.mark.parametrize("text,hotline", [("Ishonch telefoni: 1242", "1242"),
                                          ("Колл-центр: 1000", "1000"),
                                          ("Hotline - 1093", "1093")])
def test_short_hotlines_after_a_phone_word(text, hotline):
    assert facts(f"<p>{text}</p>").hotlines == [hotline]


def test_bare_local_numbers_need_a_phone_word():
    assert facts("<p>Hujjat raqami 12 345-67-89</p>").phones == []


def test_numbers_that_are_not_hotlines():
    fx = facts("<p>Telefon: 2024 yil</p><p>Uy 1242</p><p>Tel: (+998 65) 222-22-22</p>")
    assert fx.hotlines == []  # a year; a number without a phone word; the +998 prefix


def test_emails_addresses_and_links():
    fx = facts('<p>E-mail: info@qarshi.uz</p><a href="mailto:devon@exat.uz">Pochta</a>'
               '<img src="logo@2x.png"><p>Manzil: Qarshi shahri, Islom Karimov ko‘chasi, '
               '12-uy Telefon: +998 75 221 12 34</p><a href="tel:1242">1242</a>')
    assert fx.emails == ["info@qarshi.uz", "devon@exat.uz"]
    assert fx.addresses == ["Qarshi shahri, Islom Karimov ko‘chasi, 12-uy"]
    assert fx.hotlines == ["1242"]


@pytest.mark.parametrize("text,address", [
    ("Адрес: г. Фергана, ул. Мустакиллик, 12", "г. Фергана, ул. Мустакиллик, 12"),
    ("Манзил: Навоий шаҳри, Ғалаба шоҳ кўчаси, 5-уй", "Навоий шаҳри, Ғалаба шоҳ кўчаси, 5-уй"),
    ("Address: 1 Navoi avenue, Andijan", "1 Navoi avenue, Andijan"),
])
def test_address_labels_in_four_forms(text, address):
    assert facts(f"<p>{text}</p>").addresses == [address]


def test_street_without_label_and_years_are_not_addresses():
    assert facts("<p>Toshkent sh., Mustaqillik maydoni, 5</p>").addresses
    assert facts("<footer>Copyright © 2010 – 2018 Xiva tumani</footer>").addresses == []


@pytest.mark.parametrize("text,href,ok", [
    ("Bog‘lanish", "/oz/x/b", True), ("Боғланиш", "/uz/x/b", True),
    ("Контакты", "/ru/x/k", True), ("Contact us", "/en/x/c", True), ("", "/oz/x/kontakt", True),
    ("Manzil", "/oz/x/m", True),
    ("Kontakt linzalar haqida maqola", "/oz/x/maqola", False),
    ("info@x.uz", "mailto:info@x.uz", False),
])
def test_contacts_links(text, href, ok):
    assert bool(is_contacts_link(text, "https://gov.test" + href if href[0] == "/" else href)) \
        is ok


def judge(pages, linked=None):
    site = site_from_pages({u: page(b) for u, b in pages.items()},
                           linked={u: page(b) for u, b in (linked or {}).items()},
                           gathered=("pages", "linked"))
    return run_probe(PROBE, site, Context())


def test_contacts_page_one_click_away_passes():
    f = judge({HOME: f'<a href="{HOME}/aloqa">Aloqa</a>'},
              {HOME + "/aloqa": "<main><h1>Aloqa</h1><p>Tel: +998 65 222-22-22</p></main>"})
    assert f.status == "pass" and f.details["contacts_pages"]["items"] == [HOME + "/aloqa"]
    assert f.details["phones"]["items"] == ["+998 65 222-22-22"]


def test_footer_block_passes():
    f = judge({HOME: "<main>x</main><footer><p>Ishonch telefoni: 1242</p></footer>"})
    assert f.status == "pass" and f.details["hotlines"]["items"] == ["1242"]


def test_details_only_in_article_text_warn():
    f = judge({HOME: "<main><p>Ma’lumot uchun: +998 71 200-00-00 raqamiga qo‘ng‘iroq "
                     "qiling.</p></main>"})
    assert f.status == "warn" and f.details["found"] is True


def test_contacts_link_to_an_uncaptured_page_warns():
    f = judge({HOME: f'<nav><a href="{HOME}/contacts">Контакты</a></nav>'})
    assert f.status == "warn"


def test_nothing_fails():
    f = judge({HOME: "<main><h1>Hokimlik</h1><p>Matn</p></main>"})
    assert f.status == "fail" and f.details["found"] is False


def probe(farm, capsys, path):
    main(["probe", "contact-us", farm.host_url("gov.test", path), "--json", "--no-render",
          "--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0",
          *[f"--resolve={h}:127.0.0.1" for h in farm.resolve]])
    [f] = json.loads(capsys.readouterr().out)
    return f


@pytest.mark.parametrize("path,key,value", [
    ("/oz/ind-qarshi", "hotlines", "1093"),
    ("/uz/ind-navoiy", "addresses", "Навоий шаҳри, Ғалаба шоҳ кўчаси, 5-уй"),
    ("/ru/ind-fergana", "hotlines", "1000"),
    ("/en/ind-andijan", "emails", "info@andijan.uz"),
])
def test_farm_contacts_pages_in_four_languages(farm, capsys, path, key, value):
    f = probe(farm, capsys, path)
    assert f["status"] == "pass", f["summary"]
    assert value in f["details"][key]["items"]
    assert f["details"]["contacts_pages"]["items"]


@pytest.mark.parametrize("path", ["/oz/ind-xonqa", "/ru/ind-kokand", "/uz/ind-bare"])
def test_farm_no_contacts(farm, capsys, path):
    f = probe(farm, capsys, path)
    assert f["status"] == "fail", f["summary"]


@pytest.mark.parametrize("menu,path", [("Rahbariyat", "rahbariyat"), ("Руководство", "rukovodstvo"),
                                       ("Murojaatlar", "murojaat")])
def test_numbers_on_the_leadership_or_appeals_page_the_menu_leads_to(menu, path):
    """Without a contacts page, the leadership and appeals sections one click away are read
    too (hokimiyat sites put the reception phone there): the number is found, as page text
    (warn); the same page not linked from the home page is not read (fail)."""
    text = "<main><h1>Hokim</h1><p>Qabulxona telefoni: (+998 76) 223-10-10</p></main>"
    linked = site_from_pages({HOME: page(f'<nav><a href="/oz/x/{path}">{menu}</a></nav>'),
                              f"{HOME}/{path}": page(text)}, gathered=("pages", "linked"))
    f = run_probe(PROBE, linked, Context())
    assert f.status in ("warn", "pass") and "223-10-10" in f.summary, f.summary
    alone = site_from_pages({HOME: page("<p>Bosh sahifa</p>"), f"{HOME}/{path}": page(text)},
                            gathered=("pages", "linked"))
    assert run_probe(PROBE, alone, Context()).status == "fail"

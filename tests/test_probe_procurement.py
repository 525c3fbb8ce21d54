"""procurement probe: a procurement platform link or a procurement section."""

from __future__ import annotations


import pytest

from helpers import judge_home, page_html
from services_farm import cli_probe
from probes.procurement import PROBE, host_in, is_news_item, portal_hosts

HOME = "https://gov.test/oz/x"


page = page_html


def judge(body, linked=None):
    return judge_home(PROBE, HOME, body, linked)


@pytest.mark.parametrize("body,host", [
    ('<a href="https://xarid.uzex.uz/">Davlat xaridlari</a>', "xarid.uzex.uz"),
    ('<a href="https://etender.uzex.uz/lots">Тендерлар</a>', "etender.uzex.uz"),
    ('<a href="https://www.cooperation.uz/">Кооперация порталы</a>', "cooperation.uz"),
])
def test_platform_links_pass(body, host):
    f = judge(body)
    assert f.status == "pass" and host in f.summary
    assert f.evidence[0].data["href"].startswith("https://")


@pytest.mark.parametrize("text,path", [("Davlat xaridlari", "/oz/x/xaridlar"),
                                       ("Давлат харидлари", "/uz/x/harid"),
                                       ("Государственные закупки", "/ru/x/zakupki"),
                                       ("Tenders", "/en/x/t")])
def test_section_links_in_four_forms(text, path):
    url = "https://gov.test" + path
    assert judge(f'<a href="{url}">{text}</a>', {url: "<h1>x</h1>"}).status == "pass"
    assert judge(f'<a href="{url}">{text}</a>').status == "warn"  # its page not opened


@pytest.mark.parametrize("body", [
    # a news item mentioning a tender is not procurement
    '<a href="/oz/x/news/12">Tender e‘lon qilindi</a>',
    '<a href="/ru/x/news/tender-na-remont-2026">Тендер на ремонт</a>',
    '<a href="/oz/x/yangilik">Hokimlik yangi maktab qurilishi uchun tender e‘lon qildi</a>',
    '<p>Tenderlar xarid.uzex.uz saytida o‘tkaziladi</p>',  # named, not linked
    '<a href="https://uzex.uz.evil.test/">Davlat xaridlari portali haqida batafsil ma’lumot</a>',
])
def test_look_alikes_fail(body):
    f = judge(body)
    assert f.status == "fail" and f.details["found"] is False


def test_hosts_and_news_items():
    hosts = portal_hosts("procurement")
    assert host_in("https://xarid.uzex.uz/ru/trade", hosts) == "xarid.uzex.uz"
    assert host_in("https://xarid.uzex.uz.fake.test/", hosts) == ""
    assert is_news_item("https://gov.uz/oz/x/news/view/123")
    assert not is_news_item("https://gov.uz/oz/x/tenders")


def probe(farm, capsys, path):
    return cli_probe(farm, capsys, "procurement", path)


@pytest.mark.parametrize("path,status", [
    ("/oz/ind-denov", "pass"), ("/uz/ind-denov", "pass"), ("/ru/ind-denov", "pass"),
    ("/en/ind-denov", "pass"), ("/oz/ind-nurota", "fail"), ("/ru/ind-kokand", "fail")])
def test_farm(farm, capsys, path, status):
    f = probe(farm, capsys, path)
    assert f["status"] == status, f["summary"]

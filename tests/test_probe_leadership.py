"""leadership probe: heads with names, posts and contacts or reception days."""

from __future__ import annotations


import pytest

from helpers import site_from_pages
from services_farm import cli_probe
from probes.base import Context, run_probe
from probes.leadership import PROBE

HOME = "https://gov.test/oz/x"
LEAD = HOME + "/rahbariyat"


def page(body):
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


def judge(link_text, lead_body, home_extra=""):
    site = site_from_pages({HOME: page(f'<nav><a href="{LEAD}">{link_text}</a></nav>'
                                       + home_extra)},
                           linked={LEAD: page(f"<main><h1>{link_text}</h1>{lead_body}</main>")}
                           if lead_body is not None else None,
                           gathered=("pages", "linked"))
    return run_probe(PROBE, site, Context())


@pytest.mark.parametrize("link,body,name", [
    ("Rahbariyat", "<div><h3>Sodiqov Jasur Akramovich</h3><p>Viloyat hokimi</p>"
                   "<p>Qabul kunlari: dushanba</p></div>", "Sodiqov Jasur Akramovich"),
    ("Раҳбарият", "<div><h3>Содиқов Жасур Акрамович</h3><p>Ҳоким ўринбосари</p>"
                  "<p>Тел: (+998 76) 223-10-10</p></div>", "Содиқов Жасур Акрамович"),
    ("Руководство", "<p>Заместитель хокима: Каримова Дилноза Бахтиёровна</p>"
                    "<p>Приёмные дни: вторник, четверг</p>", "Каримова Дилноза Бахтиёровна"),
    ("Leadership", "<div><h3>Jasur Sodiqov</h3><p>Governor</p>"
                   "<p>E-mail: j.sodiqov@denov.uz</p></div>", "Jasur Sodiqov"),
])
def test_heads_with_names_posts_and_contacts_pass(link, body, name):
    f = judge(link, body)
    assert f.status == "pass", f.summary
    assert f.details["people"]["items"][0]["name"] == name
    assert any(e.kind == "text" and e.snippet == name for e in f.evidence)


def test_names_with_posts_but_no_contacts_warn():
    f = judge("Rahbariyat", "<div><h3>Sodiqov Jasur Akramovich</h3><p>Hokim</p></div>")
    assert f.status == "warn"


@pytest.mark.parametrize("body", [
    "<p>Ma’lumot tez orada joylashtiriladi.</p>",  # a heading with no names
    "<p>Alisher Navoiy ko‘chasi, 5-uy. Tel: +998 76 223-10-10</p>",  # a street, no post
    "<p>Toshkent Viloyati hokimligi</p>",
])
def test_a_leadership_heading_without_names_fails(body):
    f = judge("Rahbariyat", body)
    assert f.status == "fail" and f.details["people"]["items"] == []


def test_no_section_fails_and_uncaptured_link_warns():
    site = site_from_pages({HOME: page("<main><h1>Hokimlik</h1></main>")},
                           gathered=("pages", "linked"))
    assert run_probe(PROBE, site, Context()).status == "fail"
    assert judge("Rahbariyat", None).status == "warn"


def test_a_home_page_block_under_a_leadership_heading_counts():
    site = site_from_pages({HOME: page("<main><section><h2>Rahbariyat</h2><div>"
                                       "<h3>Sodiqov Jasur Akramovich</h3><p>Hokim</p>"
                                       "<p>Qabul kunlari: juma</p></div></section></main>")},
                           gathered=("pages", "linked"))
    assert run_probe(PROBE, site, Context()).status == "pass"


def probe(farm, capsys, path):
    return cli_probe(farm, capsys, "leadership", path)


@pytest.mark.parametrize("path,status", [
    ("/oz/ind-denov", "pass"), ("/uz/ind-denov", "pass"), ("/ru/ind-denov", "pass"),
    ("/en/ind-denov", "pass"), ("/oz/ind-nurota", "fail"), ("/en/ind-bare", "fail")])
def test_farm(farm, capsys, path, status):
    f = probe(farm, capsys, path)
    assert f["status"] == status, f["summary"]
